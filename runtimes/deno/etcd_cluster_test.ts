// etcd kill-leader fault tests (tests/faults/etcd_cluster.ts) on Deno, against a 3-member cluster
// this file starts on client ports 23911-23913 (peers 23914-23916).
//
//   deno test -A --no-check runtimes/deno/etcd_cluster_test.ts
import { runEtcdClusterFaults } from "../../tests/faults/etcd_cluster.ts";
import { connect } from "./mod.ts";

runEtcdClusterFaults({ name: "deno", connect, ports: { client: [23911, 23912, 23913], peer: [23914, 23915, 23916] } });
