// The whole conformance suite through zk:// against `kmeta serve --store zk://` (KMETA_ZK): every
// session passed on to the real ZooKeeper, every assertion the one it passes directly.
import { after } from "node:test";
import { runConformance, zkTarget } from "../conformance/mod.ts";
import { dial, systemClock } from "../../runtimes/node/mod.ts";
import { startTestServer, zkStoreArgs } from "./serve.ts";

const server = await startTestServer(zkStoreArgs());
after(() => server.stop());
runConformance(zkTarget({ clock: systemClock, dial }, server.hostPort, "serve-zk"));
