import process from "node:process";
import { etcdTarget, memoryTarget, runConformance, zkTarget } from "../../tests/conformance/mod.ts";
import { createGatewayEtcdApi } from "../common/etcd/gateway_api.ts";
import { createGrpcEtcdApi } from "../common/etcd/grpc_api.ts";
import { connect, systemClock } from "./mod.ts";
import { dial } from "./tcp.ts";

runConformance(memoryTarget(connect, systemClock));
// KMETA_ZK=host:port of a ZooKeeper 3.8; without it every zk test fails saying so.
runConformance(zkTarget({ clock: systemClock, dial }, process.env.KMETA_ZK));
// KMETA_ETCD=host:port of an etcd 3.4+; without it every etcd test fails saying so.
runConformance(etcdTarget((endpoint) => createGrpcEtcdApi({ endpoints: [endpoint] }), systemClock, process.env.KMETA_ETCD));
// The same etcd through its JSON gateway with fetch only (the transport for hosts without node:http2).
runConformance(
  etcdTarget((endpoint) => createGatewayEtcdApi({ endpoints: [endpoint] }), systemClock, process.env.KMETA_ETCD, {
    name: "etcd-gateway",
  }),
);
