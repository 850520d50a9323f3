// etcd kill-leader fault tests (tests/faults/etcd_cluster.ts) on Bun, against a 3-member cluster
// this file starts on client ports 23921-23923 (peers 23924-23926).
//
//   bun test runtimes/bun/etcd_cluster_test.ts
import { runEtcdClusterFaults } from "../../tests/faults/etcd_cluster.ts";
import { connect } from "./mod.ts";

runEtcdClusterFaults({ name: "bun", connect, ports: { client: [23921, 23922, 23923], peer: [23924, 23925, 23926] } });
