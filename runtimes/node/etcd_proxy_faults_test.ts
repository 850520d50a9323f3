// etcd fault tests behind a faulty link (tests/faults/etcd_proxy_faults.ts: compaction while
// disconnected, connections dropped under load) on Node, against a one-member etcd this file starts
// on client port 23960 (peer 23961).
//
//   node --import tsx --test runtimes/node/etcd_proxy_faults_test.ts
import { runEtcdProxyFaults } from "../../tests/faults/etcd_proxy_faults.ts";
import { connect } from "./mod.ts";

runEtcdProxyFaults({ name: "node", connect, ports: { client: 23960, peer: 23961 } });
