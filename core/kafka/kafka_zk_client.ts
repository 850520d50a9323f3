// Kafka's KafkaZkClient over any KafkaMetastore: brokers, controller, topics and partitions, configs,
// notifications, admin znodes, ACLs, tokens, features. Each operation sends what Kafka 3.8 sends
// (reads pipelined through handleRequests, controller writes fenced by /controller_epoch), so a store
// that answers as ZooKeeper does gives Kafka's outcomes.
import type { KafkaMetastore } from "../api/metastore.ts";
import type { GetDataResponse } from "../api/responses.ts";
import { maybeThrow, resultError } from "../api/responses.ts";
import { ErrorCode } from "../errors.ts";
import { utf8Codec } from "./codec.ts";
import {
  isrChangeNotificationCodec,
  logDirEventCodec,
  type PartitionReassignment,
  preferredReplicaElectionCodec,
  reassignPartitionsCodec,
} from "./codecs_topic.ts";
import { configChangeNotificationCodec, entityConfigCodec } from "./codecs_config.ts";
import { type AclEntry, aclsCodec, extendedAclChangeCodec, literalAclChangeCodec, type ResourcePattern, type TokenInformation, tokenInformationCodec } from "./codecs_security.ts";
import { type FeatureZNode, featureCodec, type ProducerIdBlock, producerIdBlockCodec } from "./codecs_feature.ts";
import { ControllerMovedError } from "./errors.ts";
import {
  CONFIG_CHANGES_PATH,
  configEntityPath,
  configEntityTypePath,
  CONTROLLER_PATH,
  DELEGATION_TOKENS_PATH,
  delegationTokenPath,
  EXTENDED_ACL_CHANGES_PATH,
  EXTENDED_ACL_PATH,
  FEATURE_PATH,
  ISR_CHANGE_NOTIFICATION_PATH,
  LITERAL_ACL_CHANGES_PATH,
  LITERAL_ACL_PATH,
  LOG_DIR_EVENT_NOTIFICATION_PATH,
  PREFERRED_REPLICA_ELECTION_PATH,
  PRODUCER_ID_BLOCK_PATH,
  REASSIGN_PARTITIONS_PATH,
  SequencePrefix,
  sequenceNumber,
  TOKEN_CHANGES_PATH,
  type TopicPartition,
} from "./paths.ts";
import { KafkaZkCluster, type KafkaZkClientOptions } from "./kafka_zk_cluster.ts";
import { decodeAt, MATCH_ANY_VERSION, UNKNOWN_VERSION } from "./zk_requests.ts";

/** Resource types with an ACL directory (as a Kafka 3.9 authorizer creates them). */
const ACL_RESOURCE_TYPES = ["Cluster", "DelegationToken", "Group", "Topic", "TransactionalId", "User"];

/** How long Kafka keeps a change notification before a listener purges it (changeExpirationMs). */
export const CHANGE_EXPIRATION_MS: number = 15 * 60 * 1000;

/** A change notification (config, ACL, token, ISR, log dir) with its ctime. */
export interface ChangeNotification {
  /** The znode name, e.g. "config_change_0000000007". */
  name: string;
  sequence: string;
  data: Uint8Array | null;
  ctime: bigint;
}

/** Opens Kafka's view of a store. The metastore stays the caller's to close. */
export function createKafkaZkClient(zk: KafkaMetastore, options: KafkaZkClientOptions): KafkaZkClient {
  return new KafkaZkClient(zk, options);
}

/** Every KafkaZkClient operation: the cluster state (KafkaZkCluster) and the admin, config and security znodes. */
export class KafkaZkClient extends KafkaZkCluster {
  // ---- reassignment and preferred replica election (admin znodes) ----

  /** NodeExists while another reassignment is pending. */
  createPartitionReassignment(reassignments: readonly PartitionReassignment[]): Promise<void> {
    return this.requests.createRecursive(REASSIGN_PARTITIONS_PATH, reassignPartitionsCodec.encode([...reassignments]));
  }

  async getPartitionReassignment(): Promise<PartitionReassignment[]> {
    return (await this.requests.read(REASSIGN_PARTITIONS_PATH, reassignPartitionsCodec))?.value ?? [];
  }

  async deletePartitionReassignment(expectedControllerEpochZkVersion: number): Promise<void> {
    await this.requests.deleteAllFenced([REASSIGN_PARTITIONS_PATH], expectedControllerEpochZkVersion);
  }

  createPreferredReplicaElection(partitions: readonly TopicPartition[]): Promise<void> {
    return this.requests.createRecursive(PREFERRED_REPLICA_ELECTION_PATH, preferredReplicaElectionCodec.encode([...partitions]));
  }

  async getPreferredReplicaElection(): Promise<TopicPartition[]> {
    return (await this.requests.read(PREFERRED_REPLICA_ELECTION_PATH, preferredReplicaElectionCodec))?.value ?? [];
  }

  async deletePreferredReplicaElection(expectedControllerEpochZkVersion: number): Promise<void> {
    await this.requests.deleteAllFenced([PREFERRED_REPLICA_ELECTION_PATH], expectedControllerEpochZkVersion);
  }

  // ---- ISR change and log dir event notifications ----

  /** A broker's ISR changes for the controller: one sequential node. Returns its name. */
  propagateIsrChanges(partitions: readonly TopicPartition[]): Promise<string> {
    return this.requests.createSequential(ISR_CHANGE_NOTIFICATION_PATH, SequencePrefix.IsrChange, isrChangeNotificationCodec.encode([...partitions]));
  }

  /** Sequence numbers of pending ISR change notifications, ascending. */
  async getAllIsrChangeNotifications(): Promise<string[]> {
    return (await this.requests.children(ISR_CHANGE_NOTIFICATION_PATH)).map((n) => sequenceNumber(n, SequencePrefix.IsrChange)).sort();
  }

  async getPartitionsFromIsrChangeNotifications(sequenceNumbers: readonly string[]): Promise<TopicPartition[]> {
    const paths = sequenceNumbers.map((s) => `${ISR_CHANGE_NOTIFICATION_PATH}/${SequencePrefix.IsrChange}${s}`);
    return (await this.requests.readAll(paths, isrChangeNotificationCodec)).flatMap((r) => r?.value ?? []);
  }

  deleteIsrChangeNotifications(sequenceNumbers: readonly string[], expectedControllerEpochZkVersion: number): Promise<void> {
    const paths = sequenceNumbers.map((s) => `${ISR_CHANGE_NOTIFICATION_PATH}/${SequencePrefix.IsrChange}${s}`);
    return this.requests.deleteAllFenced(paths, expectedControllerEpochZkVersion);
  }

  propagateLogDirEvent(brokerId: number): Promise<string> {
    return this.requests.createSequential(LOG_DIR_EVENT_NOTIFICATION_PATH, SequencePrefix.LogDirEvent, logDirEventCodec.encode(brokerId));
  }

  async getAllLogDirEventNotifications(): Promise<string[]> {
    return (await this.requests.children(LOG_DIR_EVENT_NOTIFICATION_PATH)).map((n) => sequenceNumber(n, SequencePrefix.LogDirEvent)).sort();
  }

  async getBrokerIdsFromLogDirEvents(sequenceNumbers: readonly string[]): Promise<number[]> {
    const paths = sequenceNumbers.map((s) => `${LOG_DIR_EVENT_NOTIFICATION_PATH}/${SequencePrefix.LogDirEvent}${s}`);
    return (await this.requests.readAll(paths, logDirEventCodec)).flatMap((r) => (r ? [r.value] : []));
  }

  deleteLogDirEventNotifications(sequenceNumbers: readonly string[], expectedControllerEpochZkVersion: number): Promise<void> {
    const paths = sequenceNumbers.map((s) => `${LOG_DIR_EVENT_NOTIFICATION_PATH}/${SequencePrefix.LogDirEvent}${s}`);
    return this.requests.deleteAllFenced(paths, expectedControllerEpochZkVersion);
  }

  // ---- configs ----

  /** An entity's config; empty when it has none. */
  async getEntityConfigs(type: string, sanitizedName: string): Promise<Map<string, string>> {
    return new Map((await this.requests.read(configEntityPath(type, sanitizedName), entityConfigCodec))?.value ?? []);
  }

  /** Configs of several entities in one pipelined batch. */
  async getEntitiesConfigs(type: string, sanitizedNames: readonly string[]): Promise<Map<string, Map<string, string>>> {
    const reads = await this.requests.readAll(sanitizedNames.map((n) => configEntityPath(type, n)), entityConfigCodec);
    return new Map(sanitizedNames.map((n, i) => [n, new Map(reads[i]?.value ?? [])]));
  }

  getAllEntitiesWithConfig(type: string): Promise<string[]> {
    return this.requests.children(configEntityTypePath(type));
  }

  /**
   * Kafka 3.8's setOrCreateEntityConfigs: the write is guarded by a check of /controller's zkVersion
   * (a ZooKeeper-mode controller must be registered), and created with its parents when absent.
   * @throws {ControllerMovedError} when there is no controller, a KRaft controller, or /controller changed meanwhile.
   */
  async setOrCreateEntityConfigs(type: string, sanitizedName: string, config: ReadonlyMap<string, string>): Promise<void> {
    const controller = await this.getControllerRegistration();
    if (!controller) throw new ControllerMovedError(`Cannot set entity configs for ${type} ${sanitizedName} when there is no controller`);
    if ((controller.registration.kraftControllerEpoch ?? -1) > 0) {
      throw new ControllerMovedError(`Cannot set entity configs for ${type} ${sanitizedName} directly when there is a KRaft controller`);
    }
    const path = configEntityPath(type, sanitizedName);
    const data = entityConfigCodec.encode(config);
    const fence = { path: CONTROLLER_PATH, version: controller.zkVersion };
    const set = await this.requests.fencedOne({ type: "setData", path, data, version: MATCH_ANY_VERSION }, fence);
    if (set.resultCode !== ErrorCode.NoNode) {
      maybeThrow(set);
      return;
    }
    await this.requests.makeSurePersistentPathExists(path.slice(0, path.lastIndexOf("/")));
    const created = await this.requests.fencedOne(this.requests.create(path, data), fence);
    if (created.resultCode === ErrorCode.NodeExists) maybeThrow(await this.requests.fencedOne({ type: "setData", path, data, version: MATCH_ANY_VERSION }, fence));
    else maybeThrow(created);
  }

  /** Tells every broker that an entity's config changed: a sequential node under /config/changes. */
  createConfigChangeNotification(sanitizedEntityPath: string): Promise<string> {
    return this.requests.createSequential(CONFIG_CHANGES_PATH, SequencePrefix.ConfigChange, configChangeNotificationCodec.encode({ version: 2, entityPath: sanitizedEntityPath }));
  }

  /** AdminZkClient.changeEntityConfig: the config, then its change notification. */
  async changeEntityConfig(type: string, sanitizedName: string, config: ReadonlyMap<string, string>): Promise<string> {
    await this.setOrCreateEntityConfigs(type, sanitizedName, config);
    return this.createConfigChangeNotification(`${type}/${sanitizedName}`);
  }

  // ---- change notifications (ZkNodeChangeNotificationListener) ----

  /** The notifications under `root` whose names start with `prefix`, in sequence order, with data and ctime. */
  async getChangeNotifications(root: string, prefix: string, registerWatch: boolean = true): Promise<ChangeNotification[]> {
    const names = (await this.requests.children(root, registerWatch)).filter((n) => n.startsWith(prefix)).sort();
    const responses = (await this.requests.retry(names.map((n) => ({ type: "getData" as const, path: `${root}/${n}` })))) as GetDataResponse[];
    return names.flatMap((name, i) => {
      const r = responses[i]!;
      if (r.resultCode === ErrorCode.NoNode) return [];
      maybeThrow(r);
      return [{ name, sequence: sequenceNumber(name, prefix), data: r.data, ctime: r.stat!.ctime }];
    });
  }

  /**
   * Kafka's purgeObsoleteNotifications: deletes the notifications under `root` created more than
   * `expirationMs` (15 minutes) before `nowMs`, by their ctime. Returns the purged names.
   */
  async purgeObsoleteNotifications(root: string, prefix: string, nowMs: number, expirationMs: number = CHANGE_EXPIRATION_MS): Promise<string[]> {
    const obsolete = (await this.getChangeNotifications(root, prefix, false)).filter((n) => BigInt(nowMs) - n.ctime > BigInt(expirationMs));
    const responses = await this.requests.retry(obsolete.map((n) => ({ type: "delete" as const, path: `${root}/${n.name}`, version: MATCH_ANY_VERSION })));
    for (const r of responses) if (r.resultCode !== ErrorCode.NoNode) maybeThrow(r);
    return obsolete.map((n) => n.name);
  }

  // ---- ACLs ----

  /** The authorizer's start-up paths: each ACL store with a child per resource type, and both change roots. */
  async createAclPaths(): Promise<void> {
    for (const store of [LITERAL_ACL_PATH, `${EXTENDED_ACL_PATH}/prefixed`]) {
      for (const type of ACL_RESOURCE_TYPES) await this.requests.makeSurePersistentPathExists(`${store}/${type}`);
    }
    await this.requests.makeSurePersistentPathExists(LITERAL_ACL_CHANGES_PATH);
    await this.requests.makeSurePersistentPathExists(EXTENDED_ACL_CHANGES_PATH);
  }

  /** `/kafka-acl/<Type>/<name>` for literal patterns, `/kafka-acl-extended/<pattern>/<Type>/<name>` otherwise. */
  aclResourcePath(resource: ResourcePattern): string {
    return resource.patternType === "LITERAL"
      ? `${LITERAL_ACL_PATH}/${resource.resourceType}/${resource.name}`
      : `${EXTENDED_ACL_PATH}/${resource.patternType.toLowerCase()}/${resource.resourceType}/${resource.name}`;
  }

  /** The resource's ACLs and their zkVersion (UNKNOWN_VERSION, -2, when the resource has none). */
  async getVersionedAclsForResource(resource: ResourcePattern): Promise<{ acls: AclEntry[]; zkVersion: number }> {
    const r = await this.requests.read(this.aclResourcePath(resource), aclsCodec);
    return r ? { acls: r.value, zkVersion: r.stat.version } : { acls: [], zkVersion: UNKNOWN_VERSION };
  }

  /** Compare-and-set of a resource's ACLs: false (and UNKNOWN_VERSION) when its version moved or it is gone. */
  async conditionalSetAclsForResource(resource: ResourcePattern, acls: readonly AclEntry[], expectedVersion: number): Promise<{ ok: boolean; zkVersion: number }> {
    const r = await this.requests.retryOne({ type: "setData", path: this.aclResourcePath(resource), data: aclsCodec.encode([...acls]), version: expectedVersion });
    if (r.resultCode === ErrorCode.NoNode || r.resultCode === ErrorCode.BadVersion) return { ok: false, zkVersion: UNKNOWN_VERSION };
    return { ok: true, zkVersion: maybeThrow(r).stat!.version };
  }

  /** Creates the resource's ACL znode: false when it already exists. */
  async createAclsForResourceIfNotExists(resource: ResourcePattern, acls: readonly AclEntry[]): Promise<{ ok: boolean; zkVersion: number }> {
    const path = this.aclResourcePath(resource);
    await this.requests.makeSurePersistentPathExists(path.slice(0, path.lastIndexOf("/")));
    const r = await this.requests.retryOne(this.requests.create(path, aclsCodec.encode([...acls])));
    if (r.resultCode === ErrorCode.NodeExists) return { ok: false, zkVersion: UNKNOWN_VERSION };
    maybeThrow(r);
    return { ok: true, zkVersion: 0 };
  }

  /** Kafka's conditionalDelete: true when deleted or already gone, false when its version moved. */
  async deleteAclResource(resource: ResourcePattern, expectedVersion: number): Promise<boolean> {
    const r = await this.requests.retryOne({ type: "delete", path: this.aclResourcePath(resource), version: expectedVersion });
    if (r.resultCode === ErrorCode.Ok || r.resultCode === ErrorCode.NoNode) return true;
    if (r.resultCode === ErrorCode.BadVersion) return false;
    throw resultError(r)!;
  }

  /** Tells every authorizer a resource's ACLs changed (literal and extended patterns go to different roots). */
  createAclChangeNotification(resource: ResourcePattern): Promise<string> {
    return resource.patternType === "LITERAL"
      ? this.requests.createSequential(LITERAL_ACL_CHANGES_PATH, SequencePrefix.AclChange, literalAclChangeCodec.encode(resource))
      : this.requests.createSequential(EXTENDED_ACL_CHANGES_PATH, SequencePrefix.AclChange, extendedAclChangeCodec.encode(resource));
  }

  // ---- delegation tokens ----

  async setOrCreateDelegationToken(token: TokenInformation): Promise<void> {
    const path = delegationTokenPath(token.tokenId);
    const data = tokenInformationCodec.encode(token);
    const set = await this.requests.retryOne({ type: "setData", path, data, version: MATCH_ANY_VERSION });
    if (set.resultCode === ErrorCode.NoNode) await this.requests.createRecursive(path, data);
    else maybeThrow(set);
  }

  async getDelegationTokenInfo(tokenId: string): Promise<TokenInformation | undefined> {
    return (await this.requests.read(delegationTokenPath(tokenId), tokenInformationCodec))?.value;
  }

  deleteDelegationToken(tokenId: string): Promise<boolean> {
    return this.requests.deleteRecursive(delegationTokenPath(tokenId));
  }

  createTokenChangeNotification(tokenId: string): Promise<string> {
    return this.requests.createSequential(TOKEN_CHANGES_PATH, SequencePrefix.TokenChange, utf8Codec.encode(tokenId));
  }

  getDelegationTokenIds(): Promise<string[]> {
    return this.requests.children(DELEGATION_TOKENS_PATH);
  }

  // ---- features and producer ids ----

  async getFeatureZNode(): Promise<{ feature: FeatureZNode; zkVersion: number } | undefined> {
    const r = await this.requests.read(FEATURE_PATH, featureCodec);
    return r && { feature: r.value, zkVersion: r.stat.version };
  }

  /** NodeExists when /feature exists. */
  async createFeatureZNode(feature: FeatureZNode): Promise<void> {
    maybeThrow(await this.requests.retryOne(this.requests.create(FEATURE_PATH, featureCodec.encode(feature))));
  }

  /** Rewrites /feature; returns its new zkVersion. */
  async updateFeatureZNode(feature: FeatureZNode): Promise<number> {
    const r = await this.requests.retryOne({ type: "setData", path: FEATURE_PATH, data: featureCodec.encode(feature), version: MATCH_ANY_VERSION });
    return maybeThrow(r).stat!.version;
  }

  async getProducerIdBlock(): Promise<{ block: ProducerIdBlock; zkVersion: number } | undefined> {
    const r = await this.requests.retryOne({ type: "getData", path: PRODUCER_ID_BLOCK_PATH });
    if (r.resultCode === ErrorCode.NoNode) return undefined;
    maybeThrow(r);
    // The broker creates the node empty at start-up: no block taken yet.
    if (r.data === null || r.data.length === 0) return undefined;
    return { block: decodeAt(producerIdBlockCodec, r), zkVersion: r.stat!.version };
  }

  /**
   * Takes the next producer id block by compare-and-set on /latest_producer_id_block (ProducerIdManager).
   * @returns the new zkVersion, or undefined when another broker took a block first (BadVersion).
   */
  async conditionalSetProducerIdBlock(block: ProducerIdBlock, expectedVersion: number): Promise<number | undefined> {
    const r = await this.requests.retryOne({ type: "setData", path: PRODUCER_ID_BLOCK_PATH, data: producerIdBlockCodec.encode(block), version: expectedVersion });
    if (r.resultCode === ErrorCode.BadVersion) return undefined;
    return maybeThrow(r).stat!.version;
  }
}
