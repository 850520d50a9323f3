// The whole conformance suite through zk:// against `kmeta serve --store etcd://` (KMETA_ETCD), in a
// fresh key prefix: every assertion is the one real ZooKeeper passes.
import { after } from "node:test";
import { runConformance, zkTarget } from "../conformance/mod.ts";
import { dial, systemClock } from "../../runtimes/node/mod.ts";
import { etcdStoreArgs, startTestServer } from "./serve.ts";

const server = await startTestServer(etcdStoreArgs("serve-conformance"));
after(() => server.stop());
runConformance(zkTarget({ clock: systemClock, dial }, server.hostPort, "serve-etcd"));
