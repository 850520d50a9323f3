// Kafka's KafkaZkClient over any KafkaMetastore: brokers, controller, topics and partitions, configs,
// notifications, admin znodes, ACLs, tokens, features. Each operation sends what Kafka 3.8 sends
// (reads pipelined through handleRequests, controller writes fenced by /controller_epoch), so a store
// that answers as ZooKeeper does gives Kafka's outcomes.
import type { ACL } from "../api/acl.ts";
import type { Clock } from "../clock.ts";
import type { KafkaMetastore } from "../api/metastore.ts";
import type { CreateResponse, GetDataResponse } from "../api/responses.ts";
import type { ZNodeChangeHandler } from "../api/handlers.ts";
import type { Stat } from "../api/stat.ts";
import { OPEN_ACL_UNSAFE } from "../api/acl.ts";
import { CreateMode } from "../api/create_mode.ts";
import { maybeThrow, resultError } from "../api/responses.ts";
import { ErrorCode, KeeperError } from "../errors.ts";
import type { ZNodeCodec } from "./codec.ts";
import { controllerEpochCodec, utf8Codec } from "./codec.ts";
import { type BrokerRegistration, brokerRegistrationCodec, clusterIdCodec, type ControllerRegistration, controllerCodec } from "./codecs_broker.ts";
import {
  isrChangeNotificationCodec,
  logDirEventCodec,
  type PartitionReassignment,
  type PartitionState,
  partitionStateCodec,
  preferredReplicaElectionCodec,
  reassignPartitionsCodec,
  type ReplicaAssignment,
  type TopicAssignment,
  topicAssignmentCodec,
} from "./codecs_topic.ts";
import { configChangeNotificationCodec, entityConfigCodec } from "./codecs_config.ts";
import { type AclEntry, aclsCodec, extendedAclChangeCodec, literalAclChangeCodec, type ResourcePattern, type TokenInformation, tokenInformationCodec } from "./codecs_security.ts";
import { type FeatureZNode, featureCodec, type ProducerIdBlock, producerIdBlockCodec } from "./codecs_feature.ts";
import { ControllerMovedError, InvalidZNodeDataError } from "./errors.ts";
import {
  BROKER_IDS_PATH,
  BROKER_SEQUENCE_ID_PATH,
  brokerPath,
  CLUSTER_ID_PATH,
  CONFIG_CHANGES_PATH,
  configEntityPath,
  configEntityTypePath,
  CONTROLLER_EPOCH_PATH,
  CONTROLLER_PATH,
  DELEGATION_TOKENS_PATH,
  delegationTokenPath,
  DELETE_TOPICS_PATH,
  deleteTopicPath,
  EXTENDED_ACL_CHANGES_PATH,
  EXTENDED_ACL_PATH,
  FEATURE_PATH,
  ISR_CHANGE_NOTIFICATION_PATH,
  LITERAL_ACL_CHANGES_PATH,
  LITERAL_ACL_PATH,
  LOG_DIR_EVENT_NOTIFICATION_PATH,
  PERSISTENT_PATHS,
  PREFERRED_REPLICA_ELECTION_PATH,
  PRODUCER_ID_BLOCK_PATH,
  REASSIGN_PARTITIONS_PATH,
  SequencePrefix,
  sequenceNumber,
  TOKEN_CHANGES_PATH,
  type TopicPartition,
  partitionStatePath,
  topicPartitionPath,
  topicPartitionsPath,
  topicPath,
  TOPICS_PATH,
} from "./paths.ts";
import { MATCH_ANY_VERSION, UNKNOWN_VERSION, ZkRequests } from "./zk_requests.ts";

/** Resource types with an ACL directory (as a Kafka 3.9 authorizer creates them). */
const ACL_RESOURCE_TYPES = ["Cluster", "DelegationToken", "Group", "Topic", "TransactionalId", "User"];

/** How long Kafka keeps a change notification before a listener purges it (changeExpirationMs). */
export const CHANGE_EXPIRATION_MS: number = 15 * 60 * 1000;

/** Options of `createKafkaZkClient`. */
export interface KafkaZkClientOptions {
  /** Wall time for the timestamps Kafka writes (controller election). */
  clock: Pick<Clock, "wallMs">;
  /** ACLs of each created znode (Kafka's defaultAcls); OPEN_ACL_UNSAFE unless given. */
  acls?: (path: string) => readonly ACL[];
}

/** A registered broker: its id (the znode name), registration, and epoch (the znode's czxid). */
export interface Broker {
  id: number;
  registration: BrokerRegistration;
  epoch: bigint;
}

/** A partition's state with its partition epoch (the state znode's zkVersion). */
export interface PartitionLeadership {
  partition: TopicPartition;
  state: PartitionState;
  partitionEpoch: number;
}

/** The outcome of `updateLeaderAndIsr`, as Kafka's UpdateLeaderAndIsrResult. */
export interface UpdateLeaderAndIsrResult {
  /** Written; `partitionEpoch` is the new zkVersion. */
  updated: PartitionLeadership[];
  /** Another writer changed the state first (BadVersion): read it again and retry. */
  retry: TopicPartition[];
  failed: { partition: TopicPartition; error: Error }[];
}

/** A change notification (config, ACL, token, ISR, log dir) with its ctime. */
export interface ChangeNotification {
  /** The znode name, e.g. "config_change_0000000007". */
  name: string;
  sequence: string;
  data: Uint8Array | null;
  ctime: bigint;
}

/** The element type a codec reads. */
type Decoded<C> = C extends ZNodeCodec<infer T> ? T : never;

/** Opens Kafka's view of a store. The metastore stays the caller's to close. */
export function createKafkaZkClient(zk: KafkaMetastore, options: KafkaZkClientOptions): KafkaZkClient {
  return new KafkaZkClient(zk, options);
}

export class KafkaZkClient {
  readonly #r: ZkRequests;
  readonly #clock: Pick<Clock, "wallMs">;
  /** The session that last registered an ephemeral through CheckedEphemeral (KAFKA-7165). */
  #registrationSessionId: bigint | undefined;

  constructor(zk: KafkaMetastore, options: KafkaZkClientOptions) {
    this.#r = new ZkRequests(zk, options.acls ?? (() => OPEN_ACL_UNSAFE));
    this.#clock = options.clock;
  }

  /** The underlying metastore, for handlers and raw requests. */
  get metastore(): KafkaMetastore {
    return this.#r.zk;
  }

  // ---- plumbing shared by the areas ----

  async #read<C extends ZNodeCodec<unknown>>(path: string, codec: C): Promise<{ value: Decoded<C>; stat: Stat } | undefined> {
    const r = await this.#r.retryOne({ type: "getData", path });
    if (r.resultCode === ErrorCode.NoNode) return undefined;
    maybeThrow(r);
    return { value: decodeAt(codec, r) as Decoded<C>, stat: r.stat! };
  }

  /** Pipelined reads; absent znodes are left out (undefined at their index). */
  async #readAll<C extends ZNodeCodec<unknown>>(paths: readonly string[], codec: C): Promise<({ value: Decoded<C>; stat: Stat } | undefined)[]> {
    const responses = await this.#r.retry(paths.map((path) => ({ type: "getData" as const, path })));
    return (responses as GetDataResponse[]).map((r) => {
      if (r.resultCode === ErrorCode.NoNode) return undefined;
      maybeThrow(r);
      return { value: decodeAt(codec, r) as Decoded<C>, stat: r.stat! };
    });
  }

  async #children(path: string, registerWatch = true): Promise<string[]> {
    const r = await this.#r.retryOne({ type: "getChildren", path, registerWatch });
    if (r.resultCode === ErrorCode.NoNode) return [];
    return maybeThrow(r).children;
  }

  async #pathExists(path: string): Promise<boolean> {
    const r = await this.#r.retryOne({ type: "exists", path });
    if (r.resultCode === ErrorCode.NoNode) return false;
    maybeThrow(r);
    return true;
  }

  async #createSequential(parent: string, prefix: string, data: Uint8Array): Promise<string> {
    await this.#r.makeSurePersistentPathExists(parent);
    const r = await this.#r.retryOne(this.#r.create(`${parent}/${prefix}`, data, CreateMode.PersistentSequential));
    return maybeThrow(r).name!;
  }

  async #deleteAllFenced(paths: readonly string[], expectedControllerEpochZkVersion: number): Promise<void> {
    const responses = await this.#r.fenced(paths.map((path) => ({ type: "delete" as const, path, version: MATCH_ANY_VERSION })), expectedControllerEpochZkVersion);
    for (const r of responses) if (r.resultCode !== ErrorCode.NoNode) maybeThrow(r);
  }

  /**
   * Kafka's registerZNodeChangeHandlerAndCheckExistence: registers the handler, then arms its watch
   * with an exists (the only read that watches an absent znode). True when the znode exists.
   */
  async registerZNodeChangeHandlerAndCheckExistence(handler: ZNodeChangeHandler): Promise<boolean> {
    this.#r.zk.registerZNodeChangeHandler(handler);
    return this.#pathExists(handler.path);
  }

  /** Kafka's createTopLevelPaths: every PersistentZkPath, NodeExists tolerated. */
  async createTopLevelPaths(): Promise<void> {
    for (const path of PERSISTENT_PATHS) await this.#r.makeSurePersistentPathExists(path);
  }

  // ---- cluster id ----

  async getClusterId(): Promise<string | undefined> {
    return (await this.#read(CLUSTER_ID_PATH, clusterIdCodec))?.value;
  }

  /** Creates /cluster/id with `proposed` unless one exists; returns the cluster's id. */
  async createOrGetClusterId(proposed: string): Promise<string> {
    try {
      await this.#r.createRecursive(CLUSTER_ID_PATH, clusterIdCodec.encode(proposed));
      return proposed;
    } catch (e) {
      if (!(e instanceof KeeperError && e.code === ErrorCode.NodeExists)) throw e;
      const id = await this.getClusterId();
      if (id === undefined) throw new KeeperError(ErrorCode.NoNode, "The cluster id znode went away while reading it", { path: CLUSTER_ID_PATH });
      return id;
    }
  }

  // ---- brokers ----

  /**
   * Registers a broker with Kafka's CheckedEphemeral Multi (ephemeral create + setData).
   * @returns the broker epoch: the znode's czxid.
   * @throws {KeeperError} NodeExists when another live session holds the id.
   */
  async registerBroker(id: number, registration: BrokerRegistration): Promise<bigint> {
    const stat = await this.#r.checkedEphemeralCreate(brokerPath(id), brokerRegistrationCodec.encode(registration), this.#registrationSessionId);
    this.#registrationSessionId = this.#r.zk.sessionId;
    return stat.czxid;
  }

  /**
   * Removes this session's registration (a broker leaving without closing its session).
   * @returns false when the broker was not registered or another session owns the registration.
   */
  async deregisterBroker(id: number): Promise<boolean> {
    const path = brokerPath(id);
    const exists = await this.#r.retryOne({ type: "exists", path });
    if (exists.resultCode === ErrorCode.NoNode) return false;
    maybeThrow(exists);
    if (exists.stat!.ephemeralOwner !== this.#r.zk.sessionId) return false;
    const deleted = await this.#r.retryOne({ type: "delete", path, version: exists.stat!.version });
    if (deleted.resultCode === ErrorCode.NoNode || deleted.resultCode === ErrorCode.BadVersion) return false;
    maybeThrow(deleted);
    return true;
  }

  /** Rewrites a registration in place (Kafka's updateBrokerInfo: an unconditional setData). */
  async updateBrokerInfo(id: number, registration: BrokerRegistration): Promise<void> {
    maybeThrow(await this.#r.retryOne({ type: "setData", path: brokerPath(id), data: brokerRegistrationCodec.encode(registration), version: MATCH_ANY_VERSION }));
  }

  /** Ids under /brokers/ids, ascending (arms the child watch when a handler is registered). */
  async getSortedBrokerList(): Promise<number[]> {
    return (await this.#children(BROKER_IDS_PATH)).map(Number).sort((a, b) => a - b);
  }

  /** Every registered broker with its epoch, in id order (one pipelined batch of reads). */
  async getAllBrokersInCluster(): Promise<Broker[]> {
    const ids = await this.getSortedBrokerList();
    const reads = await this.#readAll(ids.map(brokerPath), brokerRegistrationCodec);
    return ids.flatMap((id, i) => {
      const r = reads[i];
      return r ? [{ id, registration: r.value, epoch: r.stat.czxid }] : [];
    });
  }

  async getBroker(id: number): Promise<Broker | undefined> {
    const r = await this.#read(brokerPath(id), brokerRegistrationCodec);
    return r && { id, registration: r.value, epoch: r.stat.czxid };
  }

  /** Kafka's generateBrokerSequenceId: /brokers/seqid's data version, bumped (broker ids = it + reserved max). */
  async generateBrokerSequenceId(): Promise<number> {
    const set = () => this.#r.retryOne({ type: "setData", path: BROKER_SEQUENCE_ID_PATH, data: new Uint8Array(0), version: MATCH_ANY_VERSION });
    let r = await set();
    if (r.resultCode === ErrorCode.NoNode) {
      await this.#r.createRecursive(BROKER_SEQUENCE_ID_PATH, new Uint8Array(0), false);
      r = await set();
    }
    return maybeThrow(r).stat!.version;
  }

  // ---- controller ----

  /** The controller epoch and its znode's stat (the stat's version fences controller writes). */
  async getControllerEpoch(): Promise<{ epoch: number; stat: Stat } | undefined> {
    const r = await this.#read(CONTROLLER_EPOCH_PATH, controllerEpochCodec);
    return r && { epoch: r.value, stat: r.stat };
  }

  async getControllerRegistration(): Promise<{ registration: ControllerRegistration; zkVersion: number } | undefined> {
    const r = await this.#read(CONTROLLER_PATH, controllerCodec);
    return r && { registration: r.value, zkVersion: r.stat.version };
  }

  async getControllerId(): Promise<number | undefined> {
    return (await this.getControllerRegistration())?.registration.brokerId;
  }

  /**
   * Kafka's registerControllerAndIncrementControllerEpoch: one Multi creates the ephemeral /controller
   * and sets /controller_epoch to epoch + 1 at the zkVersion just read.
   * @returns the new epoch and /controller_epoch's zkVersion, which fences this controller's writes.
   * @throws {ControllerMovedError} when another broker won.
   */
  async registerControllerAndIncrementControllerEpoch(brokerId: number): Promise<{ epoch: number; epochZkVersion: number }> {
    const current = await this.getControllerEpoch();
    const [epoch, zkVersion] = current ? [current.epoch, current.stat.version] : await this.#maybeCreateControllerEpoch();
    const newEpoch = epoch + 1;
    const controller = controllerCodec.encode({ version: 2, brokerId, timestamp: String(this.#clock.wallMs()), kraftControllerEpoch: -1 });
    const r = await this.#r.retryOne({
      type: "multi",
      ops: [
        { type: "create", path: CONTROLLER_PATH, data: controller, acl: this.#r.acls(CONTROLLER_PATH), mode: CreateMode.Ephemeral },
        { type: "setData", path: CONTROLLER_EPOCH_PATH, data: controllerEpochCodec.encode(newEpoch), version: zkVersion },
      ],
    });
    if (r.resultCode === ErrorCode.Ok) return { epoch: newEpoch, epochZkVersion: r.results![1]!.stat!.version };
    if (r.resultCode !== ErrorCode.NodeExists && r.resultCode !== ErrorCode.BadVersion) throw resultError(r)!;
    // Lost, or won with the response lost (then /controller is ours and the epoch is ours).
    const now = await this.getControllerId();
    if (now === undefined) throw new ControllerMovedError(`"${CONTROLLER_PATH}" went away while checking whether the controller election succeeded`);
    if (now === brokerId) {
      const after = await this.getControllerEpoch();
      if (after?.epoch === newEpoch) return { epoch: newEpoch, epochZkVersion: after.stat.version };
    }
    throw new ControllerMovedError(`Controller moved to broker ${now}: broker ${brokerId} lost the election for epoch ${newEpoch}`);
  }

  async #maybeCreateControllerEpoch(): Promise<[number, number]> {
    const r = await this.#r.retryOne(this.#r.create(CONTROLLER_EPOCH_PATH, controllerEpochCodec.encode(0)));
    if (r.resultCode === ErrorCode.Ok) return [0, 0];
    if (r.resultCode !== ErrorCode.NodeExists) throw resultError(r)!;
    const now = await this.getControllerEpoch();
    if (!now) throw new KeeperError(ErrorCode.NoNode, `"${CONTROLLER_EPOCH_PATH}" existed but went away while reading it`, { path: CONTROLLER_EPOCH_PATH });
    return [now.epoch, now.stat.version];
  }

  /** Resigns: deletes /controller, fenced. */
  async deleteController(expectedControllerEpochZkVersion: number): Promise<void> {
    const r = await this.#r.fencedOne({ type: "delete", path: CONTROLLER_PATH, version: MATCH_ANY_VERSION }, expectedControllerEpochZkVersion);
    if (r.resultCode !== ErrorCode.NoNode) maybeThrow(r);
  }

  // ---- topics and partitions ----

  getAllTopicsInCluster(registerWatch: boolean = false): Promise<string[]> {
    return this.#children(TOPICS_PATH, registerWatch);
  }

  topicExists(topic: string): Promise<boolean> {
    return this.#pathExists(topicPath(topic));
  }

  /**
   * Creates /brokers/topics/<topic> (and missing parents).
   * @throws {KeeperError} NodeExists when the topic exists.
   */
  async createTopicAssignment(topic: string, topicId: string | null, partitions: ReadonlyMap<number, readonly number[] | ReplicaAssignment>): Promise<void> {
    await this.#r.createRecursive(topicPath(topic), encodeAssignment(topicId, partitions));
  }

  /**
   * Creates many topic znodes in one pipelined batch (what an admin creating topics in bulk sends);
   * the response of each, in order (NodeExists for a topic that exists).
   */
  async createTopicAssignments(
    topics: readonly { topic: string; topicId: string | null; partitions: ReadonlyMap<number, readonly number[] | ReplicaAssignment> }[],
  ): Promise<CreateResponse[]> {
    await this.#r.makeSurePersistentPathExists(TOPICS_PATH);
    return (await this.#r.retry(topics.map((t) => this.#r.create(topicPath(t.topic), encodeAssignment(t.topicId, t.partitions), CreateMode.Persistent, t.topic)))) as CreateResponse[];
  }

  /** Rewrites a topic's assignment (reassignments, added partitions), fenced. */
  async setTopicAssignment(
    topic: string,
    topicId: string | null,
    partitions: ReadonlyMap<number, readonly number[] | ReplicaAssignment>,
    expectedControllerEpochZkVersion: number,
  ): Promise<void> {
    const request = { type: "setData" as const, path: topicPath(topic), data: encodeAssignment(topicId, partitions), version: MATCH_ANY_VERSION };
    maybeThrow(await this.#r.fencedOne(request, expectedControllerEpochZkVersion));
  }

  /** Assignments (with topic ids) of the topics that exist, in one pipelined batch. */
  async getReplicaAssignmentAndTopicIdForTopics(topics: readonly string[]): Promise<Map<string, TopicAssignment>> {
    const reads = await this.#readAll(topics.map(topicPath), topicAssignmentCodec);
    return new Map(topics.flatMap((t, i) => (reads[i] ? [[t, reads[i]!.value] as const] : [])));
  }

  /** States of the partitions that have one, in one pipelined batch, in request order. */
  async getTopicPartitionStates(partitions: readonly TopicPartition[]): Promise<PartitionLeadership[]> {
    const reads = await this.#readAll(partitions.map(partitionStatePath), partitionStateCodec);
    return partitions.flatMap((partition, i) => {
      const r = reads[i];
      return r ? [{ partition, state: r.value, partitionEpoch: r.stat.version }] : [];
    });
  }

  /**
   * Kafka's createTopicPartitionStatesRaw: creates /partitions, /partitions/<p> and each /state,
   * all fenced. Responses of the state creates, in order (NodeExists for a state already there).
   */
  async createTopicPartitionStates(states: readonly { partition: TopicPartition; state: PartitionState }[], expectedControllerEpochZkVersion: number): Promise<CreateResponse[]> {
    const topics = [...new Set(states.map((s) => s.partition.topic))];
    await this.#r.fenced(topics.map((t) => this.#r.create(topicPartitionsPath(t), null)), expectedControllerEpochZkVersion);
    await this.#r.fenced(states.map((s) => this.#r.create(topicPartitionPath(s.partition), null)), expectedControllerEpochZkVersion);
    return this.#r.fenced(
      states.map((s) => this.#r.create(partitionStatePath(s.partition), partitionStateCodec.encode(s.state), CreateMode.Persistent, s.partition)),
      expectedControllerEpochZkVersion,
    );
  }

  /**
   * Kafka's updateLeaderAndIsr: each state is written at its partition epoch (zkVersion), fenced, with
   * `controllerEpoch` as its controller_epoch. BadVersion puts a partition on the retry list.
   * @throws {ControllerMovedError} when this controller was replaced.
   */
  async updateLeaderAndIsr(items: readonly PartitionLeadership[], controllerEpoch: number, expectedControllerEpochZkVersion: number): Promise<UpdateLeaderAndIsrResult> {
    const result: UpdateLeaderAndIsrResult = { updated: [], retry: [], failed: [] };
    const written = items.map((i) => ({ ...i, state: { ...i.state, controllerEpoch } }));
    const responses = await this.#r.fenced(
      written.map((i) => ({ type: "setData" as const, path: partitionStatePath(i.partition), data: partitionStateCodec.encode(i.state), version: i.partitionEpoch })),
      expectedControllerEpochZkVersion,
    );
    responses.forEach((r, k) => {
      const item = written[k]!;
      if (r.resultCode === ErrorCode.Ok) result.updated.push({ ...item, partitionEpoch: r.stat!.version });
      else if (r.resultCode === ErrorCode.BadVersion) result.retry.push(item.partition);
      else result.failed.push({ partition: item.partition, error: resultError(r)! });
    });
    return result;
  }

  /** Deletes /brokers/topics/<topic> and everything under it, fenced. */
  deleteTopicZNode(topic: string, expectedControllerEpochZkVersion: number): Promise<boolean> {
    return this.#r.deleteRecursive(topicPath(topic), expectedControllerEpochZkVersion);
  }

  deleteTopicConfigs(topics: readonly string[], expectedControllerEpochZkVersion: number): Promise<void> {
    return this.#deleteAllFenced(topics.map((t) => configEntityPath("topics", t)), expectedControllerEpochZkVersion);
  }

  // ---- topic deletion (/admin/delete_topics) ----

  /** Marks a topic for deletion (what `kafka-topics --delete` does). NodeExists when already marked. */
  createDeleteTopicPath(topic: string): Promise<void> {
    return this.#r.createRecursive(deleteTopicPath(topic));
  }

  isTopicMarkedForDeletion(topic: string): Promise<boolean> {
    return this.#pathExists(deleteTopicPath(topic));
  }

  getTopicDeletions(): Promise<string[]> {
    return this.#children(DELETE_TOPICS_PATH);
  }

  deleteTopicDeletions(topics: readonly string[], expectedControllerEpochZkVersion: number): Promise<void> {
    return this.#deleteAllFenced(topics.map(deleteTopicPath), expectedControllerEpochZkVersion);
  }

  /** The controller's end of a deletion (TopicDeletionManager.completeDeleteTopic): topic, configs, marker. */
  async completeTopicDeletion(topic: string, expectedControllerEpochZkVersion: number): Promise<void> {
    await this.deleteTopicZNode(topic, expectedControllerEpochZkVersion);
    await this.deleteTopicConfigs([topic], expectedControllerEpochZkVersion);
    await this.deleteTopicDeletions([topic], expectedControllerEpochZkVersion);
  }

  // ---- reassignment and preferred replica election (admin znodes) ----

  /** NodeExists while another reassignment is pending. */
  createPartitionReassignment(reassignments: readonly PartitionReassignment[]): Promise<void> {
    return this.#r.createRecursive(REASSIGN_PARTITIONS_PATH, reassignPartitionsCodec.encode([...reassignments]));
  }

  async getPartitionReassignment(): Promise<PartitionReassignment[]> {
    return (await this.#read(REASSIGN_PARTITIONS_PATH, reassignPartitionsCodec))?.value ?? [];
  }

  async deletePartitionReassignment(expectedControllerEpochZkVersion: number): Promise<void> {
    await this.#deleteAllFenced([REASSIGN_PARTITIONS_PATH], expectedControllerEpochZkVersion);
  }

  createPreferredReplicaElection(partitions: readonly TopicPartition[]): Promise<void> {
    return this.#r.createRecursive(PREFERRED_REPLICA_ELECTION_PATH, preferredReplicaElectionCodec.encode([...partitions]));
  }

  async getPreferredReplicaElection(): Promise<TopicPartition[]> {
    return (await this.#read(PREFERRED_REPLICA_ELECTION_PATH, preferredReplicaElectionCodec))?.value ?? [];
  }

  async deletePreferredReplicaElection(expectedControllerEpochZkVersion: number): Promise<void> {
    await this.#deleteAllFenced([PREFERRED_REPLICA_ELECTION_PATH], expectedControllerEpochZkVersion);
  }

  // ---- ISR change and log dir event notifications ----

  /** A broker's ISR changes for the controller: one sequential node. Returns its name. */
  propagateIsrChanges(partitions: readonly TopicPartition[]): Promise<string> {
    return this.#createSequential(ISR_CHANGE_NOTIFICATION_PATH, SequencePrefix.IsrChange, isrChangeNotificationCodec.encode([...partitions]));
  }

  /** Sequence numbers of pending ISR change notifications, ascending. */
  async getAllIsrChangeNotifications(): Promise<string[]> {
    return (await this.#children(ISR_CHANGE_NOTIFICATION_PATH)).map((n) => sequenceNumber(n, SequencePrefix.IsrChange)).sort();
  }

  async getPartitionsFromIsrChangeNotifications(sequenceNumbers: readonly string[]): Promise<TopicPartition[]> {
    const paths = sequenceNumbers.map((s) => `${ISR_CHANGE_NOTIFICATION_PATH}/${SequencePrefix.IsrChange}${s}`);
    return (await this.#readAll(paths, isrChangeNotificationCodec)).flatMap((r) => r?.value ?? []);
  }

  deleteIsrChangeNotifications(sequenceNumbers: readonly string[], expectedControllerEpochZkVersion: number): Promise<void> {
    const paths = sequenceNumbers.map((s) => `${ISR_CHANGE_NOTIFICATION_PATH}/${SequencePrefix.IsrChange}${s}`);
    return this.#deleteAllFenced(paths, expectedControllerEpochZkVersion);
  }

  propagateLogDirEvent(brokerId: number): Promise<string> {
    return this.#createSequential(LOG_DIR_EVENT_NOTIFICATION_PATH, SequencePrefix.LogDirEvent, logDirEventCodec.encode(brokerId));
  }

  async getAllLogDirEventNotifications(): Promise<string[]> {
    return (await this.#children(LOG_DIR_EVENT_NOTIFICATION_PATH)).map((n) => sequenceNumber(n, SequencePrefix.LogDirEvent)).sort();
  }

  async getBrokerIdsFromLogDirEvents(sequenceNumbers: readonly string[]): Promise<number[]> {
    const paths = sequenceNumbers.map((s) => `${LOG_DIR_EVENT_NOTIFICATION_PATH}/${SequencePrefix.LogDirEvent}${s}`);
    return (await this.#readAll(paths, logDirEventCodec)).flatMap((r) => (r ? [r.value] : []));
  }

  deleteLogDirEventNotifications(sequenceNumbers: readonly string[], expectedControllerEpochZkVersion: number): Promise<void> {
    const paths = sequenceNumbers.map((s) => `${LOG_DIR_EVENT_NOTIFICATION_PATH}/${SequencePrefix.LogDirEvent}${s}`);
    return this.#deleteAllFenced(paths, expectedControllerEpochZkVersion);
  }

  // ---- configs ----

  /** An entity's config; empty when it has none. */
  async getEntityConfigs(type: string, sanitizedName: string): Promise<Map<string, string>> {
    return new Map((await this.#read(configEntityPath(type, sanitizedName), entityConfigCodec))?.value ?? []);
  }

  /** Configs of several entities in one pipelined batch. */
  async getEntitiesConfigs(type: string, sanitizedNames: readonly string[]): Promise<Map<string, Map<string, string>>> {
    const reads = await this.#readAll(sanitizedNames.map((n) => configEntityPath(type, n)), entityConfigCodec);
    return new Map(sanitizedNames.map((n, i) => [n, new Map(reads[i]?.value ?? [])]));
  }

  getAllEntitiesWithConfig(type: string): Promise<string[]> {
    return this.#children(configEntityTypePath(type));
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
    const set = await this.#r.fencedOne({ type: "setData", path, data, version: MATCH_ANY_VERSION }, fence);
    if (set.resultCode !== ErrorCode.NoNode) {
      maybeThrow(set);
      return;
    }
    await this.#r.makeSurePersistentPathExists(path.slice(0, path.lastIndexOf("/")));
    const created = await this.#r.fencedOne(this.#r.create(path, data), fence);
    if (created.resultCode === ErrorCode.NodeExists) maybeThrow(await this.#r.fencedOne({ type: "setData", path, data, version: MATCH_ANY_VERSION }, fence));
    else maybeThrow(created);
  }

  /** Tells every broker that an entity's config changed: a sequential node under /config/changes. */
  createConfigChangeNotification(sanitizedEntityPath: string): Promise<string> {
    return this.#createSequential(CONFIG_CHANGES_PATH, SequencePrefix.ConfigChange, configChangeNotificationCodec.encode({ version: 2, entityPath: sanitizedEntityPath }));
  }

  /** AdminZkClient.changeEntityConfig: the config, then its change notification. */
  async changeEntityConfig(type: string, sanitizedName: string, config: ReadonlyMap<string, string>): Promise<string> {
    await this.setOrCreateEntityConfigs(type, sanitizedName, config);
    return this.createConfigChangeNotification(`${type}/${sanitizedName}`);
  }

  // ---- change notifications (ZkNodeChangeNotificationListener) ----

  /** The notifications under `root` whose names start with `prefix`, in sequence order, with data and ctime. */
  async getChangeNotifications(root: string, prefix: string, registerWatch: boolean = true): Promise<ChangeNotification[]> {
    const names = (await this.#children(root, registerWatch)).filter((n) => n.startsWith(prefix)).sort();
    const responses = (await this.#r.retry(names.map((n) => ({ type: "getData" as const, path: `${root}/${n}` })))) as GetDataResponse[];
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
    const responses = await this.#r.retry(obsolete.map((n) => ({ type: "delete" as const, path: `${root}/${n.name}`, version: MATCH_ANY_VERSION })));
    for (const r of responses) if (r.resultCode !== ErrorCode.NoNode) maybeThrow(r);
    return obsolete.map((n) => n.name);
  }

  // ---- ACLs ----

  /** The authorizer's start-up paths: each ACL store with a child per resource type, and both change roots. */
  async createAclPaths(): Promise<void> {
    for (const store of [LITERAL_ACL_PATH, `${EXTENDED_ACL_PATH}/prefixed`]) {
      for (const type of ACL_RESOURCE_TYPES) await this.#r.makeSurePersistentPathExists(`${store}/${type}`);
    }
    await this.#r.makeSurePersistentPathExists(LITERAL_ACL_CHANGES_PATH);
    await this.#r.makeSurePersistentPathExists(EXTENDED_ACL_CHANGES_PATH);
  }

  /** `/kafka-acl/<Type>/<name>` for literal patterns, `/kafka-acl-extended/<pattern>/<Type>/<name>` otherwise. */
  aclResourcePath(resource: ResourcePattern): string {
    return resource.patternType === "LITERAL"
      ? `${LITERAL_ACL_PATH}/${resource.resourceType}/${resource.name}`
      : `${EXTENDED_ACL_PATH}/${resource.patternType.toLowerCase()}/${resource.resourceType}/${resource.name}`;
  }

  /** The resource's ACLs and their zkVersion (UNKNOWN_VERSION, -2, when the resource has none). */
  async getVersionedAclsForResource(resource: ResourcePattern): Promise<{ acls: AclEntry[]; zkVersion: number }> {
    const r = await this.#read(this.aclResourcePath(resource), aclsCodec);
    return r ? { acls: r.value, zkVersion: r.stat.version } : { acls: [], zkVersion: UNKNOWN_VERSION };
  }

  /** Compare-and-set of a resource's ACLs: false (and UNKNOWN_VERSION) when its version moved or it is gone. */
  async conditionalSetAclsForResource(resource: ResourcePattern, acls: readonly AclEntry[], expectedVersion: number): Promise<{ ok: boolean; zkVersion: number }> {
    const r = await this.#r.retryOne({ type: "setData", path: this.aclResourcePath(resource), data: aclsCodec.encode([...acls]), version: expectedVersion });
    if (r.resultCode === ErrorCode.NoNode || r.resultCode === ErrorCode.BadVersion) return { ok: false, zkVersion: UNKNOWN_VERSION };
    return { ok: true, zkVersion: maybeThrow(r).stat!.version };
  }

  /** Creates the resource's ACL znode: false when it already exists. */
  async createAclsForResourceIfNotExists(resource: ResourcePattern, acls: readonly AclEntry[]): Promise<{ ok: boolean; zkVersion: number }> {
    const path = this.aclResourcePath(resource);
    await this.#r.makeSurePersistentPathExists(path.slice(0, path.lastIndexOf("/")));
    const r = await this.#r.retryOne(this.#r.create(path, aclsCodec.encode([...acls])));
    if (r.resultCode === ErrorCode.NodeExists) return { ok: false, zkVersion: UNKNOWN_VERSION };
    maybeThrow(r);
    return { ok: true, zkVersion: 0 };
  }

  /** Kafka's conditionalDelete: true when deleted or already gone, false when its version moved. */
  async deleteAclResource(resource: ResourcePattern, expectedVersion: number): Promise<boolean> {
    const r = await this.#r.retryOne({ type: "delete", path: this.aclResourcePath(resource), version: expectedVersion });
    if (r.resultCode === ErrorCode.Ok || r.resultCode === ErrorCode.NoNode) return true;
    if (r.resultCode === ErrorCode.BadVersion) return false;
    throw resultError(r)!;
  }

  /** Tells every authorizer a resource's ACLs changed (literal and extended patterns go to different roots). */
  createAclChangeNotification(resource: ResourcePattern): Promise<string> {
    return resource.patternType === "LITERAL"
      ? this.#createSequential(LITERAL_ACL_CHANGES_PATH, SequencePrefix.AclChange, literalAclChangeCodec.encode(resource))
      : this.#createSequential(EXTENDED_ACL_CHANGES_PATH, SequencePrefix.AclChange, extendedAclChangeCodec.encode(resource));
  }

  // ---- delegation tokens ----

  async setOrCreateDelegationToken(token: TokenInformation): Promise<void> {
    const path = delegationTokenPath(token.tokenId);
    const data = tokenInformationCodec.encode(token);
    const set = await this.#r.retryOne({ type: "setData", path, data, version: MATCH_ANY_VERSION });
    if (set.resultCode === ErrorCode.NoNode) await this.#r.createRecursive(path, data);
    else maybeThrow(set);
  }

  async getDelegationTokenInfo(tokenId: string): Promise<TokenInformation | undefined> {
    return (await this.#read(delegationTokenPath(tokenId), tokenInformationCodec))?.value;
  }

  deleteDelegationToken(tokenId: string): Promise<boolean> {
    return this.#r.deleteRecursive(delegationTokenPath(tokenId));
  }

  createTokenChangeNotification(tokenId: string): Promise<string> {
    return this.#createSequential(TOKEN_CHANGES_PATH, SequencePrefix.TokenChange, utf8Codec.encode(tokenId));
  }

  getDelegationTokenIds(): Promise<string[]> {
    return this.#children(DELEGATION_TOKENS_PATH);
  }

  // ---- features and producer ids ----

  async getFeatureZNode(): Promise<{ feature: FeatureZNode; zkVersion: number } | undefined> {
    const r = await this.#read(FEATURE_PATH, featureCodec);
    return r && { feature: r.value, zkVersion: r.stat.version };
  }

  /** NodeExists when /feature exists. */
  async createFeatureZNode(feature: FeatureZNode): Promise<void> {
    maybeThrow(await this.#r.retryOne(this.#r.create(FEATURE_PATH, featureCodec.encode(feature))));
  }

  /** Rewrites /feature; returns its new zkVersion. */
  async updateFeatureZNode(feature: FeatureZNode): Promise<number> {
    const r = await this.#r.retryOne({ type: "setData", path: FEATURE_PATH, data: featureCodec.encode(feature), version: MATCH_ANY_VERSION });
    return maybeThrow(r).stat!.version;
  }

  async getProducerIdBlock(): Promise<{ block: ProducerIdBlock; zkVersion: number } | undefined> {
    const r = await this.#r.retryOne({ type: "getData", path: PRODUCER_ID_BLOCK_PATH });
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
    const r = await this.#r.retryOne({ type: "setData", path: PRODUCER_ID_BLOCK_PATH, data: producerIdBlockCodec.encode(block), version: expectedVersion });
    if (r.resultCode === ErrorCode.BadVersion) return undefined;
    return maybeThrow(r).stat!.version;
  }
}

function encodeAssignment(topicId: string | null, partitions: ReadonlyMap<number, readonly number[] | ReplicaAssignment>): Uint8Array {
  const full = new Map<number, ReplicaAssignment>();
  for (const [p, a] of partitions) full.set(p, isReplicaList(a) ? { replicas: [...a], addingReplicas: [], removingReplicas: [] } : a);
  return topicAssignmentCodec.encode({ version: 3, topicId, partitions: full });
}

function isReplicaList(a: readonly number[] | ReplicaAssignment): a is readonly number[] {
  return Array.isArray(a);
}

function decodeAt<T>(codec: ZNodeCodec<T>, r: GetDataResponse): T {
  try {
    return codec.decode(r.data);
  } catch (e) {
    if (e instanceof InvalidZNodeDataError && e.path === undefined) throw new InvalidZNodeDataError(e.message, { path: r.path ?? undefined, cause: e });
    throw e;
  }
}
