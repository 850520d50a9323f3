// ZooKeeper fault tests (tests/faults/) on Deno, against a ZooKeeper this file starts on 21852 (proxy 21853).
import process from "node:process";
import { runZkFaults } from "../../tests/faults/zk_faults.ts";
import { connect } from "./mod.ts";

runZkFaults({
  name: "deno",
  connect,
  basePort: 21852,
  moduleUrl: new URL("./mod.ts", import.meta.url).href,
  runScript: [process.execPath, "run", "-A", "--no-check"],
});
