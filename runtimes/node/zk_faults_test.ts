// ZooKeeper fault tests (tests/faults/) on Node, against a ZooKeeper this file starts on 21850 (proxy 21851).
import process from "node:process";
import { runZkFaults } from "../../tests/faults/zk_faults.ts";
import { connect } from "./mod.ts";

runZkFaults({
  name: "node",
  connect,
  basePort: 21850,
  moduleUrl: new URL("./mod.ts", import.meta.url).href,
  // Node 20 runs TypeScript through tsx, as the test command does.
  runScript: [process.execPath, "--import", "tsx"],
});
