// Kafka's znode layout (ZkData, Kafka 3.8): where each payload lives.

/** A topic and one of its partitions. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

export const CONTROLLER_PATH = "/controller";
export const CONTROLLER_EPOCH_PATH = "/controller_epoch";
export const BROKERS_PATH = "/brokers";
export const BROKER_IDS_PATH = "/brokers/ids";
export const TOPICS_PATH = "/brokers/topics";
export const BROKER_SEQUENCE_ID_PATH = "/brokers/seqid";
export const CLUSTER_ID_PATH = "/cluster/id";
export const CONFIG_PATH = "/config";
export const CONFIG_CHANGES_PATH = "/config/changes";
export const ADMIN_PATH = "/admin";
export const DELETE_TOPICS_PATH = "/admin/delete_topics";
export const REASSIGN_PARTITIONS_PATH = "/admin/reassign_partitions";
export const PREFERRED_REPLICA_ELECTION_PATH = "/admin/preferred_replica_election";
export const ISR_CHANGE_NOTIFICATION_PATH = "/isr_change_notification";
export const LOG_DIR_EVENT_NOTIFICATION_PATH = "/log_dir_event_notification";
export const PRODUCER_ID_BLOCK_PATH = "/latest_producer_id_block";
export const FEATURE_PATH = "/feature";
export const CONSUMERS_PATH = "/consumers";
export const LITERAL_ACL_PATH = "/kafka-acl";
export const EXTENDED_ACL_PATH = "/kafka-acl-extended";
export const LITERAL_ACL_CHANGES_PATH = "/kafka-acl-changes";
export const EXTENDED_ACL_CHANGES_PATH = "/kafka-acl-extended-changes";
export const DELEGATION_TOKEN_PATH = "/delegation_token";
export const DELEGATION_TOKENS_PATH = "/delegation_token/tokens";
export const TOKEN_CHANGES_PATH = "/delegation_token/token_changes";

/** Prefixes of the PERSISTENT_SEQUENTIAL notification nodes (a 10-digit sequence follows). */
export const SequencePrefix = {
  ConfigChange: "config_change_",
  IsrChange: "isr_change_",
  LogDirEvent: "log_dir_event_",
  AclChange: "acl_changes_",
  TokenChange: "token_change_",
} as const;
export type SequencePrefix = (typeof SequencePrefix)[keyof typeof SequencePrefix];

/** Kafka's ConfigType: the entity types under /config. */
export const ConfigType = {
  Topic: "topics",
  Client: "clients",
  User: "users",
  Broker: "brokers",
  Ip: "ips",
} as const;
export type ConfigType = (typeof ConfigType)[keyof typeof ConfigType];

/** The paths every broker makes sure exist at start-up (ZkData.PersistentZkPaths), in Kafka's order. */
export const PERSISTENT_PATHS: readonly string[] = Object.freeze([
  CONSUMERS_PATH,
  BROKER_IDS_PATH,
  TOPICS_PATH,
  CONFIG_CHANGES_PATH,
  DELETE_TOPICS_PATH,
  BROKER_SEQUENCE_ID_PATH,
  ISR_CHANGE_NOTIFICATION_PATH,
  PRODUCER_ID_BLOCK_PATH,
  LOG_DIR_EVENT_NOTIFICATION_PATH,
  ...Object.values(ConfigType).map((type) => `${CONFIG_PATH}/${type}`),
]);

export function brokerPath(id: number): string {
  return `${BROKER_IDS_PATH}/${id}`;
}

export function topicPath(topic: string): string {
  return `${TOPICS_PATH}/${topic}`;
}

export function topicPartitionsPath(topic: string): string {
  return `${topicPath(topic)}/partitions`;
}

export function topicPartitionPath(tp: TopicPartition): string {
  return `${topicPartitionsPath(tp.topic)}/${tp.partition}`;
}

export function partitionStatePath(tp: TopicPartition): string {
  return `${topicPartitionPath(tp)}/state`;
}

export function configEntityTypePath(type: string): string {
  return `${CONFIG_PATH}/${type}`;
}

/** `/config/<type>/<sanitized name>`; a nested entity ("users/u/clients/c") is `type` "users", name "u/clients/c". */
export function configEntityPath(type: string, sanitizedName: string): string {
  return `${configEntityTypePath(type)}/${sanitizedName}`;
}

export function deleteTopicPath(topic: string): string {
  return `${DELETE_TOPICS_PATH}/${topic}`;
}

export function delegationTokenPath(tokenId: string): string {
  return `${DELEGATION_TOKENS_PATH}/${tokenId}`;
}

/** The sequence number of a notification node's name ("config_change_0000000007" -> "0000000007"). */
export function sequenceNumber(name: string, prefix: string): string {
  const at = name.lastIndexOf(prefix);
  return at < 0 ? name : name.slice(at + prefix.length);
}
