// The Kafka layer's operations and simulator on memory, ZooKeeper (KMETA_ZK) and etcd (KMETA_ETCD)
// through the Deno shim's sockets; without the servers those tests fail saying so.
import process from "node:process";
import { etcdTarget, memoryTarget, zkTarget } from "../../tests/conformance/mod.ts";
import { kafkaSuite } from "../../tests/kafka/kafka_suite.ts";
import { createGrpcEtcdApi } from "../common/etcd/grpc_api.ts";
import { connect, systemClock } from "./mod.ts";
import { dial } from "./tcp.ts";

kafkaSuite(memoryTarget(connect, systemClock), systemClock);
kafkaSuite(zkTarget({ clock: systemClock, dial }, process.env.KMETA_ZK), systemClock);
kafkaSuite(etcdTarget((endpoint) => createGrpcEtcdApi({ endpoints: [endpoint] }), systemClock, process.env.KMETA_ETCD), systemClock);
