/**
 * Kafka's metadata model over any KafkaMetastore (ZooKeeper, etcd, memory): typed codecs for every
 * payload Kafka keeps in ZooKeeper, byte-compatible with what Kafka 3.x writes; KafkaZkClient's
 * operations (broker registration, controller election and epoch-fenced writes, topics, partition
 * states, configs, notifications, ACLs, tokens); and a workload simulator for tests and benchmarks.
 *
 * @example
 * ```ts
 * import { createMemoryStore, createMetastore } from "kafka-metastore";
 * import { createKafkaZkClient } from "kafka-metastore/kafka";
 * import { FakeClock } from "kafka-metastore/testing";
 *
 * const clock = new FakeClock();
 * const metastore = createMetastore({ store: createMemoryStore({ clock }), clock });
 * const kafka = createKafkaZkClient(metastore, { clock });
 * await kafka.createTopLevelPaths();
 * const epoch = await kafka.registerBroker(0, {
 *   version: 5, jmxPort: -1, timestamp: String(clock.wallMs()), rack: null, features: new Map(),
 *   endpoints: [{ listenerName: "PLAINTEXT", host: "127.0.0.1", port: 9092, securityProtocol: "PLAINTEXT" }],
 * });
 * const { epoch: controllerEpoch } = await kafka.registerControllerAndIncrementControllerEpoch(0);
 * console.log(epoch > 0n, controllerEpoch); // true 1
 * await metastore.close();
 * ```
 * @module
 */
export { ControllerMovedError, InvalidZNodeDataError, isKafkaError } from "./errors.ts";
export type { KafkaErrorName } from "./errors.ts";
export type { ZNodeCodec } from "./codec.ts";
export { controllerEpochCodec, utf8Codec } from "./codec.ts";
export { brokerRegistrationCodec, clusterIdCodec, controllerCodec, endpointString, parseEndpoint } from "./codecs_broker.ts";
export type { BrokerRegistration, ControllerRegistration, EndPoint, SupportedVersionRange } from "./codecs_broker.ts";
export {
  isrChangeNotificationCodec,
  LeaderRecoveryState,
  LOG_DIR_FAILURE_EVENT,
  logDirEventCodec,
  partitionStateCodec,
  preferredReplicaElectionCodec,
  reassignPartitionsCodec,
  topicAssignmentCodec,
} from "./codecs_topic.ts";
export type { PartitionReassignment, PartitionState, ReplicaAssignment, TopicAssignment } from "./codecs_topic.ts";
export { configChangeNotificationCodec, entityConfigCodec } from "./codecs_config.ts";
export type { ConfigChangeNotification } from "./codecs_config.ts";
export { aclsCodec, extendedAclChangeCodec, literalAclChangeCodec, tokenInformationCodec } from "./codecs_security.ts";
export type { AclEntry, ResourcePattern, TokenInformation } from "./codecs_security.ts";
export { featureCodec, FeatureStatus, producerIdBlockCodec } from "./codecs_feature.ts";
export type { FeatureZNode, ProducerIdBlock } from "./codecs_feature.ts";
export { desanitize, sanitize } from "./sanitizer.ts";
export * from "./paths.ts";
export { MATCH_ANY_VERSION, UNKNOWN_VERSION } from "./zk_requests.ts";
export { CHANGE_EXPIRATION_MS, createKafkaZkClient, KafkaZkClient } from "./kafka_zk_client.ts";
export type { ChangeNotification } from "./kafka_zk_client.ts";
export { KafkaZkCluster } from "./kafka_zk_cluster.ts";
export type { Broker, KafkaZkClientOptions, PartitionLeadership, UpdateLeaderAndIsrResult } from "./kafka_zk_cluster.ts";
export { KafkaWorkload, registration as simulatedRegistration, SIMULATED_CLUSTER_ID, topicIdOf } from "./simulator.ts";
export type { KafkaWorkloadDeps, KafkaWorkloadOptions, KafkaWorkloadReport, SimulatedBroker } from "./simulator.ts";
