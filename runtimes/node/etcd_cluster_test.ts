// etcd kill-leader fault tests (tests/faults/etcd_cluster.ts) on Node, against a 3-member cluster
// this file starts on client ports 23891-23893 (peers 23894-23896).
//
//   node --import tsx --test runtimes/node/etcd_cluster_test.ts
import { runEtcdClusterFaults } from "../../tests/faults/etcd_cluster.ts";
import { connect } from "./mod.ts";

runEtcdClusterFaults({ name: "node", connect, ports: { client: [23891, 23892, 23893], peer: [23894, 23895, 23896] } });
