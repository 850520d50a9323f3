// The whole conformance suite through zk:// against `kmeta serve` on the memory store: every
// assertion is the one real ZooKeeper passes.
import { after } from "node:test";
import { runConformance, zkTarget } from "../conformance/mod.ts";
import { dial, systemClock } from "../../runtimes/node/mod.ts";
import { startTestServer } from "./serve.ts";

const server = await startTestServer();
after(() => server.stop());
runConformance(zkTarget({ clock: systemClock, dial }, server.hostPort, "serve-memory"));
