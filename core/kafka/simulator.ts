// A Kafka cluster's metadata workload without Kafka: N brokers register (each its own session), one
// wins the controller election, the controller creates T topics x P partitions, ISRs churn, then the
// controller dies and another broker takes over and moves leadership off it. Every step goes through
// KafkaZkClient, so it sends what Kafka sends; tests run it on every store, the benchmark times it.
import type { Clock } from "../clock.ts";
import type { KafkaMetastore } from "../api/metastore.ts";
import type { BrokerRegistration } from "./codecs_broker.ts";
import type { PartitionState } from "./codecs_topic.ts";
import { createKafkaZkClient, type KafkaZkClient } from "./kafka_zk_client.ts";
import type { PartitionLeadership } from "./kafka_zk_cluster.ts";
import { isKafkaError } from "./errors.ts";
import { CONTROLLER_PATH, type TopicPartition } from "./paths.ts";
import { maybeThrow } from "../api/responses.ts";

/** The cluster to simulate. */
export interface KafkaWorkloadOptions {
  brokers: number;
  topics: number;
  partitionsPerTopic: number;
  /** Default: min(3, brokers). */
  replicationFactor?: number;
  /** Topic names are `<prefix><n>` (default "sim-"). */
  topicPrefix?: string;
}

/** What the simulator runs on. */
export interface KafkaWorkloadDeps {
  /** Opens one broker's session (each broker has its own). */
  open(): Promise<KafkaMetastore>;
  clock: Clock;
}

/** Milliseconds (by `clock.now()`) of each phase, and what the run did. */
export interface KafkaWorkloadReport {
  partitions: number;
  /** Znodes the topic creation wrote (topics, partition parents, partitions, states). */
  topicZnodes: number;
  registerMs: number;
  electionMs: number;
  createTopicsMs: number;
  isrChurnMs: number;
  /** From the controller's session closing to every partition it led having a new leader. */
  failoverMs: number;
  isrUpdates: number;
  firstController: number;
  newController: number;
  controllerEpoch: number;
  movedLeaders: number;
}

/** One simulated broker. */
export interface SimulatedBroker {
  id: number;
  zk: KafkaZkClient;
  /** Its broker epoch (czxid of its registration). */
  epoch: bigint;
  alive: boolean;
}

export const SIMULATED_CLUSTER_ID = "a2FmbWV0YS1zaW11bGF0b3I";

/** A step-by-step workload; `run()` does every step and reports. */
export class KafkaWorkload {
  readonly #deps: KafkaWorkloadDeps;
  readonly options: Required<KafkaWorkloadOptions>;
  readonly brokers: SimulatedBroker[] = [];
  #controller: { broker: SimulatedBroker; epoch: number; epochZkVersion: number } | undefined;

  constructor(deps: KafkaWorkloadDeps, options: KafkaWorkloadOptions) {
    this.#deps = deps;
    this.options = {
      replicationFactor: Math.min(3, options.brokers),
      topicPrefix: "sim-",
      ...options,
    };
  }

  get controller(): { broker: SimulatedBroker; epoch: number; epochZkVersion: number } {
    if (!this.#controller) throw new Error("No controller elected yet");
    return this.#controller;
  }

  topicName(t: number): string {
    return `${this.options.topicPrefix}${t}`;
  }

  /** Replicas of a partition: `replicationFactor` brokers round-robin, as Kafka's assignment spreads them. */
  replicas(t: number, p: number): number[] {
    const n = this.options.brokers;
    const start = (t * this.options.partitionsPerTopic + p) % n;
    return Array.from({ length: this.options.replicationFactor }, (_, k) => (start + k) % n);
  }

  /** Opens each broker's session, creates the top-level paths and cluster id, registers every broker. */
  async registerBrokers(): Promise<void> {
    const { clock } = this.#deps;
    for (let id = 0; id < this.options.brokers; id++) {
      const zk = createKafkaZkClient(await this.#deps.open(), { clock });
      if (id === 0) {
        await zk.createTopLevelPaths();
        await zk.createOrGetClusterId(SIMULATED_CLUSTER_ID);
      }
      const epoch = await zk.registerBroker(id, registration(id, clock));
      this.brokers.push({ id, zk, epoch, alive: true });
    }
  }

  /** Every live broker runs for controller at once; exactly one wins. */
  async electController(candidates: readonly SimulatedBroker[] = this.brokers.filter((b) => b.alive)): Promise<SimulatedBroker> {
    const attempts = await Promise.allSettled(candidates.map((b) => b.zk.registerControllerAndIncrementControllerEpoch(b.id)));
    let winner: SimulatedBroker | undefined;
    attempts.forEach((a, i) => {
      if (a.status === "fulfilled") {
        if (winner) throw new Error(`Two controllers elected: ${winner.id} and ${candidates[i]!.id}`);
        winner = candidates[i]!;
        this.#controller = { broker: winner, ...a.value };
      } else if (!isKafkaError(a.reason, "ControllerMovedError")) {
        throw a.reason;
      }
    });
    if (!winner) throw new Error("No broker won the controller election");
    return winner;
  }

  /** The controller creates every topic's assignment, then every partition's state, fenced. Returns znodes written. */
  async createTopics(): Promise<number> {
    const { zk, epoch, epochZkVersion } = this.#controllerOf();
    const { topics, partitionsPerTopic: partitions } = this.options;
    const created = await zk.createTopicAssignments(
      Array.from({ length: topics }, (_, t) => ({
        topic: this.topicName(t),
        topicId: topicIdOf(this.topicName(t)),
        partitions: new Map(Array.from({ length: partitions }, (_, p) => [p, this.replicas(t, p)])),
      })),
    );
    for (const r of created) maybeThrow(r);
    const states = this.#allPartitions().map((partition) => {
      const replicas = this.replicas(this.#topicIndex(partition.topic), partition.partition);
      return { partition, state: { leader: replicas[0]!, leaderEpoch: 0, controllerEpoch: epoch, isr: replicas, leaderRecoveryState: 0 } as PartitionState };
    });
    for (const r of await zk.createTopicPartitionStates(states, epochZkVersion)) maybeThrow(r);
    return topics + topics + 2 * topics * partitions;
  }

  /**
   * One round of ISR churn: each partition's leader reports its ISR change (an ISR change notification),
   * the controller shrinks every ISR to its leader (odd rounds) or restores it (even rounds), written at
   * the partition epochs it read, then consumes the notifications. Returns the states written.
   */
  async churnIsr(round: number): Promise<number> {
    const { zk, epoch, epochZkVersion } = this.#controllerOf();
    const current = await zk.getTopicPartitionStates(this.#allPartitions());
    const live = new Set(this.brokers.filter((b) => b.alive).map((b) => b.id));
    const next: PartitionLeadership[] = current.map((c) => {
      const replicas = this.replicas(this.#topicIndex(c.partition.topic), c.partition.partition).filter((r) => live.has(r));
      const isr = round % 2 === 1 ? [c.state.leader] : [c.state.leader, ...replicas.filter((r) => r !== c.state.leader)];
      return { ...c, state: { ...c.state, isr } };
    });
    const leader = this.brokers.find((b) => b.alive && b !== this.#controller!.broker) ?? this.#controller!.broker;
    await leader.zk.propagateIsrChanges(current.map((c) => c.partition));
    const result = await zk.updateLeaderAndIsr(next, epoch, epochZkVersion);
    if (result.retry.length > 0 || result.failed.length > 0) {
      throw new Error(`ISR churn: ${result.retry.length} partitions to retry, ${result.failed.length} failed`);
    }
    const sequences = await zk.getAllIsrChangeNotifications();
    await zk.getPartitionsFromIsrChangeNotifications(sequences);
    await zk.deleteIsrChangeNotifications(sequences, epochZkVersion);
    return result.updated.length;
  }

  /**
   * Closes the controller's session; the surviving brokers, watching /controller, run for controller
   * when it goes; the winner moves leadership off the dead broker and takes it out of every ISR
   * (leader epoch + 1). Returns how many leaders moved.
   */
  async failOverController(): Promise<{ winner: SimulatedBroker; movedLeaders: number }> {
    const dead = this.#controllerOf().broker;
    const survivors = this.brokers.filter((b) => b.alive && b !== dead);
    let elected!: (b: SimulatedBroker) => void;
    let failed!: (e: unknown) => void;
    const election = new Promise<SimulatedBroker>((resolve, reject) => ([elected, failed] = [resolve, reject]));
    let running = false;
    for (const b of survivors) {
      const exists = await b.zk.registerZNodeChangeHandlerAndCheckExistence({
        path: CONTROLLER_PATH,
        handleDeletion: () => {
          if (running) return;
          running = true;
          this.electController(survivors).then(elected, failed);
        },
      });
      if (!exists) throw new Error(`Broker ${b.id} sees no controller before the fail-over`);
    }
    dead.alive = false;
    await dead.zk.metastore.close();
    const winner = await election;
    for (const b of survivors) b.zk.metastore.unregisterZNodeChangeHandler(CONTROLLER_PATH);

    const { zk, epoch, epochZkVersion } = this.#controllerOf();
    const topics = await zk.getAllTopicsInCluster();
    const assignments = await zk.getReplicaAssignmentAndTopicIdForTopics(topics);
    const partitions = [...assignments].flatMap(([topic, a]) => [...a.partitions.keys()].map((partition) => ({ topic, partition })));
    const states = await zk.getTopicPartitionStates(partitions);
    const live = new Set(this.brokers.filter((b) => b.alive).map((b) => b.id));
    // As Kafka's controller on a broker failure: partitions it led get a new leader, and it leaves
    // every ISR; either way the leader epoch moves on.
    const changes = states.filter((s) => s.state.leader === dead.id || s.state.isr.includes(dead.id)).map((s) => {
      const replicas = assignments.get(s.partition.topic)!.partitions.get(s.partition.partition)!.replicas;
      const isr = s.state.isr.filter((r) => live.has(r));
      const leader = s.state.leader !== dead.id ? s.state.leader : isr[0] ?? replicas.find((r) => live.has(r)) ?? -1;
      return { ...s, state: { ...s.state, leader, leaderEpoch: s.state.leaderEpoch + 1, isr: isr.length > 0 ? isr : leader >= 0 ? [leader] : [] } };
    });
    const result = await zk.updateLeaderAndIsr(changes, epoch, epochZkVersion);
    if (result.retry.length > 0 || result.failed.length > 0) throw new Error(`Fail-over: ${result.retry.length} to retry, ${result.failed.length} failed`);
    const movedLeaders = states.filter((s) => s.state.leader === dead.id).length;
    return { winner, movedLeaders };
  }

  /** Every step, timed by the clock. */
  async run(isrChurnRounds = 2): Promise<KafkaWorkloadReport> {
    const now = () => this.#deps.clock.now();
    let t = now();
    await this.registerBrokers();
    const registerMs = now() - t;
    t = now();
    const first = await this.electController();
    const electionMs = now() - t;
    t = now();
    const topicZnodes = await this.createTopics();
    const createTopicsMs = now() - t;
    t = now();
    let isrUpdates = 0;
    for (let round = 1; round <= isrChurnRounds; round++) isrUpdates += await this.churnIsr(round);
    const isrChurnMs = now() - t;
    t = now();
    const { winner, movedLeaders } = await this.failOverController();
    const failoverMs = now() - t;
    return {
      partitions: this.options.topics * this.options.partitionsPerTopic,
      topicZnodes,
      registerMs,
      electionMs,
      createTopicsMs,
      isrChurnMs,
      failoverMs,
      isrUpdates,
      firstController: first.id,
      newController: winner.id,
      controllerEpoch: this.controller.epoch,
      movedLeaders,
    };
  }

  /** Closes every live broker's session. */
  async close(): Promise<void> {
    for (const b of this.brokers) {
      if (!b.alive) continue;
      b.alive = false;
      await b.zk.metastore.close();
    }
  }

  #controllerOf(): { zk: KafkaZkClient; epoch: number; epochZkVersion: number; broker: SimulatedBroker } {
    const c = this.controller;
    return { zk: c.broker.zk, epoch: c.epoch, epochZkVersion: c.epochZkVersion, broker: c.broker };
  }

  #allPartitions(): TopicPartition[] {
    const out: TopicPartition[] = [];
    for (let t = 0; t < this.options.topics; t++) {
      for (let p = 0; p < this.options.partitionsPerTopic; p++) out.push({ topic: this.topicName(t), partition: p });
    }
    return out;
  }

  #topicIndex(topic: string): number {
    return Number(topic.slice(this.options.topicPrefix.length));
  }
}

/** A simulated broker's registration: one PLAINTEXT listener on 127.0.0.1:(9092 + id). */
export function registration(id: number, clock: Pick<Clock, "wallMs">): BrokerRegistration {
  return {
    version: 5,
    endpoints: [{ listenerName: "PLAINTEXT", host: "127.0.0.1", port: 9092 + id, securityProtocol: "PLAINTEXT" }],
    jmxPort: -1,
    timestamp: String(clock.wallMs()),
    rack: null,
    features: new Map(),
  };
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** A deterministic topic id (a Uuid: 16 bytes as 22 base64url characters) derived from the name; core has no randomness. */
export function topicIdOf(name: string): string {
  const bytes: number[] = [];
  let h = 0x811c9dc5;
  for (let i = 0; i < 16; i++) {
    for (let k = 0; k < name.length; k++) h = Math.imul(h ^ name.charCodeAt(k) ^ i, 16777619);
    bytes.push((h >>> 11) & 255);
  }
  let out = "";
  for (let i = 0; i < 16; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += BASE64URL[n >> 18]! + BASE64URL[(n >> 12) & 63]! + (i + 1 < 16 ? BASE64URL[(n >> 6) & 63]! : "") + (i + 2 < 16 ? BASE64URL[n & 63]! : "");
  }
  return out;
}
