// ZooKeeper fault tests (tests/faults/) on Bun, against a ZooKeeper this file starts on 21854 (proxy 21855).
import process from "node:process";
import { runZkFaults } from "../../tests/faults/zk_faults.ts";
import { connect } from "./mod.ts";

runZkFaults({
  name: "bun",
  connect,
  basePort: 21854,
  moduleUrl: new URL("./mod.ts", import.meta.url).href,
  runScript: [process.execPath],
});
