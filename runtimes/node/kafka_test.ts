// The Kafka layer's operations and simulator on every store Node reaches: memory, and the real
// ZooKeeper (KMETA_ZK) and etcd (KMETA_ETCD) servers; without them those tests fail saying so.
import process from "node:process";
import { etcdTarget, memoryTarget, zkTarget } from "../../tests/conformance/mod.ts";
import { kafkaSuite } from "../../tests/kafka/kafka_suite.ts";
import { createGrpcEtcdApi } from "../common/etcd/grpc_api.ts";
import { connect, dial, systemClock } from "./mod.ts";

kafkaSuite(memoryTarget(connect, systemClock), systemClock);
kafkaSuite(zkTarget({ clock: systemClock, dial }, process.env.KMETA_ZK), systemClock);
kafkaSuite(etcdTarget((endpoint) => createGrpcEtcdApi({ endpoints: [endpoint] }), systemClock, process.env.KMETA_ETCD), systemClock);
