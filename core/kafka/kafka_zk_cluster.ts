// The cluster-state half of Kafka's KafkaZkClient: cluster id, brokers, controller election and
// epoch, topics, partition states and topic deletion. kafka_zk_client.ts adds the rest.
import type { ACL } from "../api/acl.ts";
import type { Clock } from "../clock.ts";
import type { KafkaMetastore } from "../api/metastore.ts";
import type { CreateResponse } from "../api/responses.ts";
import type { ZNodeChangeHandler } from "../api/handlers.ts";
import type { Stat } from "../api/stat.ts";
import { OPEN_ACL_UNSAFE } from "../api/acl.ts";
import { CreateMode } from "../api/create_mode.ts";
import { maybeThrow, resultError } from "../api/responses.ts";
import { ErrorCode, KeeperError } from "../errors.ts";
import { controllerEpochCodec } from "./codec.ts";
import { type BrokerRegistration, brokerRegistrationCodec, clusterIdCodec, type ControllerRegistration, controllerCodec } from "./codecs_broker.ts";
import { type PartitionState, partitionStateCodec, type ReplicaAssignment, type TopicAssignment, topicAssignmentCodec } from "./codecs_topic.ts";
import { ControllerMovedError } from "./errors.ts";
import {
  BROKER_IDS_PATH,
  BROKER_SEQUENCE_ID_PATH,
  brokerPath,
  CLUSTER_ID_PATH,
  configEntityPath,
  CONTROLLER_EPOCH_PATH,
  CONTROLLER_PATH,
  DELETE_TOPICS_PATH,
  deleteTopicPath,
  PERSISTENT_PATHS,
  partitionStatePath,
  topicPartitionPath,
  topicPartitionsPath,
  topicPath,
  TOPICS_PATH,
  type TopicPartition,
} from "./paths.ts";
import { MATCH_ANY_VERSION, ZkRequests } from "./zk_requests.ts";

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

/** Cluster state: the operations a broker and the controller run on every start and fail-over. */
export class KafkaZkCluster {
  protected readonly requests: ZkRequests;
  readonly #clock: Pick<Clock, "wallMs">;
  /** The session that last registered an ephemeral through CheckedEphemeral (KAFKA-7165). */
  #registrationSessionId: bigint | undefined;

  constructor(zk: KafkaMetastore, options: KafkaZkClientOptions) {
    this.requests = new ZkRequests(zk, options.acls ?? (() => OPEN_ACL_UNSAFE));
    this.#clock = options.clock;
  }

  /** The underlying metastore, for handlers and raw requests. */
  get metastore(): KafkaMetastore {
    return this.requests.zk;
  }

  /**
   * Kafka's registerZNodeChangeHandlerAndCheckExistence: registers the handler, then arms its watch
   * with an exists (the only read that watches an absent znode). True when the znode exists.
   */
  registerZNodeChangeHandlerAndCheckExistence(handler: ZNodeChangeHandler): Promise<boolean> {
    this.requests.zk.registerZNodeChangeHandler(handler);
    return this.requests.exists(handler.path);
  }

  /** Kafka's createTopLevelPaths: every PersistentZkPath, NodeExists tolerated. */
  async createTopLevelPaths(): Promise<void> {
    for (const path of PERSISTENT_PATHS) await this.requests.makeSurePersistentPathExists(path);
  }

  // ---- cluster id ----

  async getClusterId(): Promise<string | undefined> {
    return (await this.requests.read(CLUSTER_ID_PATH, clusterIdCodec))?.value;
  }

  /** Creates /cluster/id with `proposed` unless one exists; returns the cluster's id. */
  async createOrGetClusterId(proposed: string): Promise<string> {
    try {
      await this.requests.createRecursive(CLUSTER_ID_PATH, clusterIdCodec.encode(proposed));
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
    const stat = await this.requests.checkedEphemeralCreate(brokerPath(id), brokerRegistrationCodec.encode(registration), this.#registrationSessionId);
    this.#registrationSessionId = this.requests.zk.sessionId;
    return stat.czxid;
  }

  /**
   * Removes this session's registration (a broker leaving without closing its session).
   * @returns false when the broker was not registered or another session owns the registration.
   */
  async deregisterBroker(id: number): Promise<boolean> {
    const path = brokerPath(id);
    const exists = await this.requests.retryOne({ type: "exists", path });
    if (exists.resultCode === ErrorCode.NoNode) return false;
    maybeThrow(exists);
    if (exists.stat!.ephemeralOwner !== this.requests.zk.sessionId) return false;
    const deleted = await this.requests.retryOne({ type: "delete", path, version: exists.stat!.version });
    if (deleted.resultCode === ErrorCode.NoNode || deleted.resultCode === ErrorCode.BadVersion) return false;
    maybeThrow(deleted);
    return true;
  }

  /** Rewrites a registration in place (Kafka's updateBrokerInfo: an unconditional setData). */
  async updateBrokerInfo(id: number, registration: BrokerRegistration): Promise<void> {
    maybeThrow(await this.requests.retryOne({ type: "setData", path: brokerPath(id), data: brokerRegistrationCodec.encode(registration), version: MATCH_ANY_VERSION }));
  }

  /** Ids under /brokers/ids, ascending (arms the child watch when a handler is registered). */
  async getSortedBrokerList(): Promise<number[]> {
    return (await this.requests.children(BROKER_IDS_PATH)).map(Number).sort((a, b) => a - b);
  }

  /** Every registered broker with its epoch, in id order (one pipelined batch of reads). */
  async getAllBrokersInCluster(): Promise<Broker[]> {
    const ids = await this.getSortedBrokerList();
    const reads = await this.requests.readAll(ids.map(brokerPath), brokerRegistrationCodec);
    return ids.flatMap((id, i) => {
      const r = reads[i];
      return r ? [{ id, registration: r.value, epoch: r.stat.czxid }] : [];
    });
  }

  async getBroker(id: number): Promise<Broker | undefined> {
    const r = await this.requests.read(brokerPath(id), brokerRegistrationCodec);
    return r && { id, registration: r.value, epoch: r.stat.czxid };
  }

  /** Kafka's generateBrokerSequenceId: /brokers/seqid's data version, bumped (broker ids = it + reserved max). */
  async generateBrokerSequenceId(): Promise<number> {
    const set = () => this.requests.retryOne({ type: "setData", path: BROKER_SEQUENCE_ID_PATH, data: new Uint8Array(0), version: MATCH_ANY_VERSION });
    let r = await set();
    if (r.resultCode === ErrorCode.NoNode) {
      await this.requests.createRecursive(BROKER_SEQUENCE_ID_PATH, new Uint8Array(0), false);
      r = await set();
    }
    return maybeThrow(r).stat!.version;
  }

  // ---- controller ----

  /** The controller epoch and its znode's stat (the stat's version fences controller writes). */
  async getControllerEpoch(): Promise<{ epoch: number; stat: Stat } | undefined> {
    const r = await this.requests.read(CONTROLLER_EPOCH_PATH, controllerEpochCodec);
    return r && { epoch: r.value, stat: r.stat };
  }

  async getControllerRegistration(): Promise<{ registration: ControllerRegistration; zkVersion: number } | undefined> {
    const r = await this.requests.read(CONTROLLER_PATH, controllerCodec);
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
    const r = await this.requests.retryOne({
      type: "multi",
      ops: [
        { type: "create", path: CONTROLLER_PATH, data: controller, acl: this.requests.acls(CONTROLLER_PATH), mode: CreateMode.Ephemeral },
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
    const r = await this.requests.retryOne(this.requests.create(CONTROLLER_EPOCH_PATH, controllerEpochCodec.encode(0)));
    if (r.resultCode === ErrorCode.Ok) return [0, 0];
    if (r.resultCode !== ErrorCode.NodeExists) throw resultError(r)!;
    const now = await this.getControllerEpoch();
    if (!now) throw new KeeperError(ErrorCode.NoNode, `"${CONTROLLER_EPOCH_PATH}" existed but went away while reading it`, { path: CONTROLLER_EPOCH_PATH });
    return [now.epoch, now.stat.version];
  }

  /** Resigns: deletes /controller, fenced. */
  async deleteController(expectedControllerEpochZkVersion: number): Promise<void> {
    const r = await this.requests.fencedOne({ type: "delete", path: CONTROLLER_PATH, version: MATCH_ANY_VERSION }, expectedControllerEpochZkVersion);
    if (r.resultCode !== ErrorCode.NoNode) maybeThrow(r);
  }

  // ---- topics and partitions ----

  getAllTopicsInCluster(registerWatch: boolean = false): Promise<string[]> {
    return this.requests.children(TOPICS_PATH, registerWatch);
  }

  topicExists(topic: string): Promise<boolean> {
    return this.requests.exists(topicPath(topic));
  }

  /**
   * Creates /brokers/topics/<topic> (and missing parents).
   * @throws {KeeperError} NodeExists when the topic exists.
   */
  async createTopicAssignment(topic: string, topicId: string | null, partitions: ReadonlyMap<number, readonly number[] | ReplicaAssignment>): Promise<void> {
    await this.requests.createRecursive(topicPath(topic), encodeAssignment(topicId, partitions));
  }

  /**
   * Creates many topic znodes in one pipelined batch (what an admin creating topics in bulk sends);
   * the response of each, in order (NodeExists for a topic that exists).
   */
  async createTopicAssignments(
    topics: readonly { topic: string; topicId: string | null; partitions: ReadonlyMap<number, readonly number[] | ReplicaAssignment> }[],
  ): Promise<CreateResponse[]> {
    await this.requests.makeSurePersistentPathExists(TOPICS_PATH);
    return (await this.requests.retry(topics.map((t) => this.requests.create(topicPath(t.topic), encodeAssignment(t.topicId, t.partitions), CreateMode.Persistent, t.topic)))) as CreateResponse[];
  }

  /** Rewrites a topic's assignment (reassignments, added partitions), fenced. */
  async setTopicAssignment(
    topic: string,
    topicId: string | null,
    partitions: ReadonlyMap<number, readonly number[] | ReplicaAssignment>,
    expectedControllerEpochZkVersion: number,
  ): Promise<void> {
    const request = { type: "setData" as const, path: topicPath(topic), data: encodeAssignment(topicId, partitions), version: MATCH_ANY_VERSION };
    maybeThrow(await this.requests.fencedOne(request, expectedControllerEpochZkVersion));
  }

  /** Assignments (with topic ids) of the topics that exist, in one pipelined batch. */
  async getReplicaAssignmentAndTopicIdForTopics(topics: readonly string[]): Promise<Map<string, TopicAssignment>> {
    const reads = await this.requests.readAll(topics.map(topicPath), topicAssignmentCodec);
    return new Map(topics.flatMap((t, i) => (reads[i] ? [[t, reads[i]!.value] as const] : [])));
  }

  /** States of the partitions that have one, in one pipelined batch, in request order. */
  async getTopicPartitionStates(partitions: readonly TopicPartition[]): Promise<PartitionLeadership[]> {
    const reads = await this.requests.readAll(partitions.map(partitionStatePath), partitionStateCodec);
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
    await this.requests.fenced(topics.map((t) => this.requests.create(topicPartitionsPath(t), null)), expectedControllerEpochZkVersion);
    await this.requests.fenced(states.map((s) => this.requests.create(topicPartitionPath(s.partition), null)), expectedControllerEpochZkVersion);
    return this.requests.fenced(
      states.map((s) => this.requests.create(partitionStatePath(s.partition), partitionStateCodec.encode(s.state), CreateMode.Persistent, s.partition)),
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
    const responses = await this.requests.fenced(
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
    return this.requests.deleteRecursive(topicPath(topic), expectedControllerEpochZkVersion);
  }

  deleteTopicConfigs(topics: readonly string[], expectedControllerEpochZkVersion: number): Promise<void> {
    return this.requests.deleteAllFenced(topics.map((t) => configEntityPath("topics", t)), expectedControllerEpochZkVersion);
  }

  // ---- topic deletion (/admin/delete_topics) ----

  /** Marks a topic for deletion (what `kafka-topics --delete` does). NodeExists when already marked. */
  createDeleteTopicPath(topic: string): Promise<void> {
    return this.requests.createRecursive(deleteTopicPath(topic));
  }

  isTopicMarkedForDeletion(topic: string): Promise<boolean> {
    return this.requests.exists(deleteTopicPath(topic));
  }

  getTopicDeletions(): Promise<string[]> {
    return this.requests.children(DELETE_TOPICS_PATH);
  }

  deleteTopicDeletions(topics: readonly string[], expectedControllerEpochZkVersion: number): Promise<void> {
    return this.requests.deleteAllFenced(topics.map(deleteTopicPath), expectedControllerEpochZkVersion);
  }

  /** The controller's end of a deletion (TopicDeletionManager.completeDeleteTopic): topic, configs, marker. */
  async completeTopicDeletion(topic: string, expectedControllerEpochZkVersion: number): Promise<void> {
    await this.deleteTopicZNode(topic, expectedControllerEpochZkVersion);
    await this.deleteTopicConfigs([topic], expectedControllerEpochZkVersion);
    await this.deleteTopicDeletions([topic], expectedControllerEpochZkVersion);
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
