// etcd fault tests with paused and restarted members (runEtcdClusterPauseFaults in
// tests/faults/etcd_cluster.ts) on Node, against a 3-member cluster this file starts on client ports
// 23951-23953 (peers 23954-23956). Node only: the scenarios exercise the shared core session and
// the gRPC transport, which the kill-leader runs on Deno and Bun already cover per runtime.
//
//   node --import tsx --test runtimes/node/etcd_cluster_pause_test.ts
import { runEtcdClusterPauseFaults } from "../../tests/faults/etcd_cluster.ts";
import { connect } from "./mod.ts";

runEtcdClusterPauseFaults({ name: "node", connect, ports: { client: [23951, 23952, 23953], peer: [23954, 23955, 23956] } });
