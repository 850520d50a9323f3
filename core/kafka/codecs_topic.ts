// Payloads of topics and partitions: assignments, partition state, and the admin and notification
// znodes that name partitions (ZkData 3.8).
import type { ZNodeCodec } from "./codec.ts";
import type { TopicPartition } from "./paths.ts";
import { InvalidZNodeDataError } from "./errors.ts";
import { type Json, type JsonFields, jsonArray, jsonBytes, jsonInts, jsonNumber, jsonObject, jsonString, orderedObject, parseJsonObject } from "./json.ts";
import { scalaImmutableMapOrder, scalaMutableHashMapOrder, scalaMutableMapLiteralTable } from "./collection_order.ts";

/** One partition's replicas, and those a reassignment is adding or removing. */
export interface ReplicaAssignment {
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

/** The data of `/brokers/topics/<topic>`. */
export interface TopicAssignment {
  /** 3 since Kafka 2.8 (topic_id), 2 in 2.4-2.7 (adding/removing replicas), 1 before. */
  version: number;
  /** The topic's Uuid (22 characters of URL-safe base64), written from version 3 on. */
  topicId: string | null;
  partitions: ReadonlyMap<number, ReplicaAssignment>;
}

// Kafka builds the partition maps as empty mutable.Maps (16 buckets) and the top level from a
// four-entry literal; the keys are partition numbers as strings.
function partitionMap(entries: readonly (readonly [number, readonly number[]])[]): Json {
  const byKey = new Map(entries.map(([p, replicas]) => [String(p), jsonInts(replicas)] as const));
  return orderedObject([...byKey], scalaMutableHashMapOrder([...byKey.keys()], 16));
}

export const topicAssignmentCodec: ZNodeCodec<TopicAssignment> = {
  encode(t) {
    const all = [...t.partitions];
    const replicas = partitionMap(all.map(([p, a]) => [p, a.replicas]));
    if (t.version <= 1) return jsonBytes(jsonObject([["version", jsonNumber(t.version)], ["partitions", replicas]]));
    const members: [string, Json][] = [
      ["version", jsonNumber(t.version)],
      ["partitions", replicas],
      ["adding_replicas", partitionMap(all.filter(([, a]) => a.addingReplicas.length > 0).map(([p, a]) => [p, a.addingReplicas]))],
      ["removing_replicas", partitionMap(all.filter(([, a]) => a.removingReplicas.length > 0).map(([p, a]) => [p, a.removingReplicas]))],
    ];
    const table = scalaMutableMapLiteralTable(members.length);
    if (t.version >= 3 && t.topicId !== null) members.push(["topic_id", jsonString(t.topicId)]);
    return jsonBytes(orderedObject(members, scalaMutableHashMapOrder(members.map(([k]) => k), table)));
  },
  decode(bytes) {
    const js = parseJsonObject(bytes, "topic assignment");
    const lists = (key: string): JsonFields | undefined => (js.has(key) ? js.object(key) : undefined);
    const replicas = lists("partitions");
    const adding = lists("adding_replicas");
    const removing = lists("removing_replicas");
    const partitions = new Map<number, ReplicaAssignment>();
    for (const p of replicas?.keys() ?? []) {
      partitions.set(partitionNumber(p), {
        replicas: replicas!.ints(p),
        addingReplicas: adding?.has(p) ? adding.ints(p) : [],
        removingReplicas: removing?.has(p) ? removing.ints(p) : [],
      });
    }
    return {
      version: js.has("version") ? js.int("version") : 1,
      topicId: js.has("topic_id") ? js.string("topic_id") : null,
      partitions,
    };
  },
};

function partitionNumber(key: string): number {
  const n = Number(key);
  if (!/^\d+$/.test(key) || !Number.isSafeInteger(n)) throw new InvalidZNodeDataError(`Partition "${key}" is not a number`);
  return n;
}

/** Kafka's LeaderRecoveryState. */
export const LeaderRecoveryState = { Recovered: 0, Recovering: 1 } as const;
export type LeaderRecoveryState = (typeof LeaderRecoveryState)[keyof typeof LeaderRecoveryState];

/** The data of `/brokers/topics/<t>/partitions/<p>/state` (its zkVersion is the partition epoch). */
export interface PartitionState {
  leader: number;
  leaderEpoch: number;
  controllerEpoch: number;
  isr: number[];
  /** Written only when not Recovered. */
  leaderRecoveryState: LeaderRecoveryState;
}

export const partitionStateCodec: ZNodeCodec<PartitionState> = {
  encode(s) {
    const members: [string, Json][] = [
      ["version", jsonNumber(1)],
      ["leader", jsonNumber(s.leader)],
      ["leader_epoch", jsonNumber(s.leaderEpoch)],
      ["controller_epoch", jsonNumber(s.controllerEpoch)],
      ["isr", jsonInts(s.isr)],
    ];
    if (s.leaderRecoveryState !== LeaderRecoveryState.Recovered) members.push(["leader_recovery_state", jsonNumber(s.leaderRecoveryState)]);
    // An immutable Map of five or six entries: Kafka's famous {"controller_epoch":..,"leader":..,"version":1,..}.
    return jsonBytes(orderedObject(members, scalaImmutableMapOrder(members.map(([k]) => k))));
  },
  decode(bytes) {
    const js = parseJsonObject(bytes, "partition state");
    const recovery = js.has("leader_recovery_state") ? js.int("leader_recovery_state") : 0;
    if (recovery !== 0 && recovery !== 1) throw new InvalidZNodeDataError(`Unknown leader_recovery_state ${recovery}`);
    return {
      leader: js.int("leader"),
      leaderEpoch: js.int("leader_epoch"),
      controllerEpoch: js.int("controller_epoch"),
      isr: js.ints("isr"),
      leaderRecoveryState: recovery,
    };
  },
};

function partitionJson(tp: TopicPartition): Json {
  return jsonObject([["topic", jsonString(tp.topic)], ["partition", jsonNumber(tp.partition)]]);
}

function readPartitions(js: JsonFields): TopicPartition[] {
  return js.objects("partitions").map((p) => ({ topic: p.string("topic"), partition: p.int("partition") }));
}

/**
 * A `{"version":1,"partitions":[{"topic":..,"partition":..},..]}` payload: ISR change notifications and
 * `/admin/preferred_replica_election`. Kafka holds the partitions in a set; they are written in the given order.
 */
function partitionListCodec(what: string): ZNodeCodec<TopicPartition[]> {
  return {
    encode: (partitions) =>
      jsonBytes(jsonObject([["version", jsonNumber(1)], ["partitions", jsonArray(partitions.map(partitionJson))]])),
    decode: (bytes) => readPartitions(parseJsonObject(bytes, what)),
  };
}

/** `/isr_change_notification/isr_change_<seq>`. */
export const isrChangeNotificationCodec: ZNodeCodec<TopicPartition[]> = partitionListCodec("ISR change notification");

/** `/admin/preferred_replica_election`. */
export const preferredReplicaElectionCodec: ZNodeCodec<TopicPartition[]> = partitionListCodec("preferred replica election");

/** A partition's target replicas in the legacy `/admin/reassign_partitions` znode (deprecated since Kafka 2.4). */
export interface PartitionReassignment extends TopicPartition {
  replicas: number[];
}

export const reassignPartitionsCodec: ZNodeCodec<PartitionReassignment[]> = {
  encode: (reassignments) =>
    jsonBytes(jsonObject([
      ["version", jsonNumber(1)],
      [
        "partitions",
        jsonArray(reassignments.map((r) =>
          jsonObject([["topic", jsonString(r.topic)], ["partition", jsonNumber(r.partition)], ["replicas", jsonInts(r.replicas)]])
        )),
      ],
    ])),
  decode(bytes) {
    const js = parseJsonObject(bytes, "partition reassignment");
    return js.objects("partitions").map((p) => ({ topic: p.string("topic"), partition: p.int("partition"), replicas: p.ints("replicas") }));
  },
};

/** Kafka's only log dir event. */
export const LOG_DIR_FAILURE_EVENT = 1;

/** `/log_dir_event_notification/log_dir_event_<seq>`: the broker whose log dir failed. */
export const logDirEventCodec: ZNodeCodec<number> = {
  encode: (brokerId) =>
    jsonBytes(jsonObject([["version", jsonNumber(1)], ["broker", jsonNumber(brokerId)], ["event", jsonNumber(LOG_DIR_FAILURE_EVENT)]])),
  decode: (bytes) => parseJsonObject(bytes, "log dir event").int("broker"),
};
