// `kmeta kafka ...`: a Kafka operator's view of the store through core/kafka's KafkaZkClient:
// brokers, topics, one topic as kafka-topics --describe prints it, the controller, configs, ISRs.
import { createKafkaZkClient, type KafkaZkClient } from "../../../core/kafka/kafka_zk_client.ts";
import { endpointString } from "../../../core/kafka/codecs_broker.ts";
import { ConfigType, type TopicPartition } from "../../../core/kafka/paths.ts";
import type { TopicAssignment } from "../../../core/kafka/codecs_topic.ts";
import type { PartitionLeadership } from "../../../core/kafka/kafka_zk_cluster.ts";
import { systemClock } from "../system_clock.ts";
import { UsageError } from "../usage_error.ts";
import { CliError, type Command, type Context, ExitCode } from "./context.ts";
import { jsonLine, table } from "./format.ts";

const SUBCOMMANDS = ["brokers", "topics", "describe", "controller", "configs", "isr"];
const ids = (list: readonly number[]) => list.join(",");
const time = (ms: string) => (/^\d+$/.test(ms) ? new Date(Number(ms)).toISOString() : ms);

async function brokers(ctx: Context, kafka: KafkaZkClient): Promise<void> {
  const [all, controller] = await Promise.all([kafka.getAllBrokersInCluster(), kafka.getControllerId()]);
  if (ctx.json) {
    ctx.print(jsonLine(all.map((b) => ({
      id: b.id,
      endpoints: b.registration.endpoints.map(endpointString),
      rack: b.registration.rack,
      epoch: b.epoch,
      version: b.registration.version,
      jmxPort: b.registration.jmxPort,
      registered: time(b.registration.timestamp),
      controller: b.id === controller,
    }))));
    return;
  }
  const rows = all.map((b) => [String(b.id), b.registration.endpoints.map(endpointString).join(","), b.registration.rack ?? "-", String(b.epoch), time(b.registration.timestamp), b.id === controller ? "controller" : ""]);
  for (const line of table(["ID", "ENDPOINTS", "RACK", "EPOCH", "REGISTERED", ""], rows)) ctx.print(line);
}

async function assignments(kafka: KafkaZkClient, topics?: readonly string[]): Promise<Map<string, TopicAssignment>> {
  return kafka.getReplicaAssignmentAndTopicIdForTopics(topics ?? (await kafka.getAllTopicsInCluster()).sort());
}

async function topics(ctx: Context, kafka: KafkaZkClient): Promise<void> {
  const [all, deleting] = await Promise.all([assignments(kafka), kafka.getTopicDeletions()]);
  const rows = [...all].map(([name, a]) => ({
    topic: name,
    topicId: a.topicId,
    partitions: a.partitions.size,
    replicationFactor: Math.max(0, ...[...a.partitions.values()].map((r) => r.replicas.length)),
    markedForDeletion: deleting.includes(name),
  }));
  if (ctx.json) return ctx.print(jsonLine(rows));
  for (const line of table(["TOPIC", "TOPIC ID", "PARTITIONS", "REPLICATION", ""], rows.map((r) => [r.topic, r.topicId ?? "-", String(r.partitions), String(r.replicationFactor), r.markedForDeletion ? "marked for deletion" : ""]))) ctx.print(line);
}

function partitionsOf(assignments: ReadonlyMap<string, TopicAssignment>): TopicPartition[] {
  return [...assignments].flatMap(([topic, a]) => [...a.partitions.keys()].sort((x, y) => x - y).map((partition) => ({ topic, partition })));
}

async function describe(ctx: Context, kafka: KafkaZkClient): Promise<void> {
  const topic = ctx.positionals[1];
  if (!topic) throw new UsageError("kafka describe needs a TOPIC");
  const found = await assignments(kafka, [topic]);
  const a = found.get(topic);
  if (!a) throw new CliError(`topic "${topic}" does not exist (no /brokers/topics/${topic})`);
  const [states, configs, marked] = await Promise.all([kafka.getTopicPartitionStates(partitionsOf(found)), kafka.getEntityConfigs(ConfigType.Topic, topic), kafka.isTopicMarkedForDeletion(topic)]);
  const state = new Map(states.map((s) => [s.partition.partition, s]));
  const rf = Math.max(0, ...[...a.partitions.values()].map((r) => r.replicas.length));
  const partitions = [...a.partitions].sort(([x], [y]) => x - y).map(([p, r]) => ({ partition: p, replicas: r, state: state.get(p) }));
  if (ctx.json) {
    ctx.print(jsonLine({
      topic,
      topicId: a.topicId,
      partitionCount: a.partitions.size,
      replicationFactor: rf,
      configs: Object.fromEntries(configs),
      markedForDeletion: marked,
      partitions: partitions.map((p) => ({
        partition: p.partition,
        leader: p.state?.state.leader ?? null,
        leaderEpoch: p.state?.state.leaderEpoch ?? null,
        replicas: p.replicas.replicas,
        isr: p.state?.state.isr ?? null,
        addingReplicas: p.replicas.addingReplicas,
        removingReplicas: p.replicas.removingReplicas,
      })),
    }));
    return;
  }
  // kafka-topics.sh --describe of Kafka 3.9 (TopicCommand) against a ZooKeeper-mode cluster, field for
  // field: no TopicId without one, the reassignment lists only while one runs, no ELR in ZooKeeper mode.
  const configText = [...configs].map(([k, v]) => `${k}=${v}`).join(",");
  const deleting = marked ? "\tMarkedForDeletion: true" : "";
  ctx.print(`Topic: ${topic}${a.topicId ? `\tTopicId: ${a.topicId}` : ""}\tPartitionCount: ${a.partitions.size}\tReplicationFactor: ${rf}\tConfigs: ${configText}${deleting}`);
  for (const p of partitions) {
    const leader = p.state && p.state.state.leader >= 0 ? String(p.state.state.leader) : "none";
    const { addingReplicas: adding, removingReplicas: removing } = p.replicas;
    const reassigning = adding.length > 0 || removing.length > 0 ? `\tAdding Replicas: ${ids(adding)}\tRemoving Replicas: ${ids(removing)}` : "";
    ctx.print(`\tTopic: ${topic}\tPartition: ${p.partition}\tLeader: ${leader}\tReplicas: ${ids(p.replicas.replicas)}\tIsr: ${p.state ? ids(p.state.state.isr) : ""}${reassigning}\tElr: N/A\tLastKnownElr: N/A${deleting}`);
  }
}

async function controller(ctx: Context, kafka: KafkaZkClient): Promise<void> {
  const [c, epoch] = await Promise.all([kafka.getControllerRegistration(), kafka.getControllerEpoch()]);
  const value = {
    controller: c?.registration.brokerId ?? null,
    elected: c ? time(c.registration.timestamp) : null,
    epoch: epoch?.epoch ?? null,
    epochZkVersion: epoch?.stat.version ?? null,
    kraftControllerEpoch: c?.registration.kraftControllerEpoch ?? null,
  };
  if (ctx.json) return ctx.print(jsonLine(value));
  ctx.print(`controller: ${value.controller === null ? "none" : `broker ${value.controller}, elected ${value.elected}`}`);
  ctx.print(`epoch: ${value.epoch === null ? "none" : `${value.epoch} (zkVersion ${value.epochZkVersion})`}`);
}

async function configs(ctx: Context, kafka: KafkaZkClient): Promise<void> {
  const [type, name] = [ctx.positionals[1], ctx.positionals[2]];
  const types = type ? [type] : Object.values(ConfigType);
  if (type && !(Object.values(ConfigType) as string[]).includes(type)) throw new UsageError(`kafka configs: TYPE is one of ${Object.values(ConfigType).join(", ")}, got "${type}"`);
  const rows: { type: string; name: string; configs: Map<string, string> }[] = [];
  for (const t of types) {
    const names = name ? [name] : (await kafka.getAllEntitiesWithConfig(t)).sort();
    for (const [n, c] of await kafka.getEntitiesConfigs(t, names)) rows.push({ type: t, name: n, configs: c });
  }
  if (ctx.json) return ctx.print(jsonLine(rows.map((r) => ({ ...r, configs: Object.fromEntries(r.configs) }))));
  for (const line of table(["TYPE", "NAME", "CONFIGS"], rows.map((r) => [r.type, r.name, [...r.configs].map(([k, v]) => `${k}=${v}`).join(",")]))) ctx.print(line);
}

async function isr(ctx: Context, kafka: KafkaZkClient): Promise<void> {
  const topic = ctx.positionals[1];
  const found = await assignments(kafka, topic ? [topic] : undefined);
  if (topic && !found.has(topic)) throw new CliError(`topic "${topic}" does not exist (no /brokers/topics/${topic})`);
  const states = new Map<string, PartitionLeadership>();
  for (const s of await kafka.getTopicPartitionStates(partitionsOf(found))) states.set(`${s.partition.topic}/${s.partition.partition}`, s);
  const rows = partitionsOf(found).map((tp) => {
    const s = states.get(`${tp.topic}/${tp.partition}`);
    const replicas = found.get(tp.topic)!.partitions.get(tp.partition)!.replicas;
    return { ...tp, leader: s?.state.leader ?? null, leaderEpoch: s?.state.leaderEpoch ?? null, isr: s?.state.isr ?? null, replicas, partitionEpoch: s?.partitionEpoch ?? null, underReplicated: !s || s.state.isr.length < replicas.length };
  }).filter((r) => !ctx.bool("under-replicated") || r.underReplicated);
  if (ctx.json) return ctx.print(jsonLine(rows));
  const cells = rows.map((r) => [r.topic, String(r.partition), r.leader === null ? "-" : String(r.leader), r.leaderEpoch === null ? "-" : String(r.leaderEpoch), r.isr ? ids(r.isr) : "-", ids(r.replicas), r.underReplicated ? "under-replicated" : ""]);
  for (const line of table(["TOPIC", "PARTITION", "LEADER", "LEADER EPOCH", "ISR", "REPLICAS", ""], cells)) ctx.print(line);
}

const RUN: Record<string, (ctx: Context, kafka: KafkaZkClient) => Promise<void>> = { brokers, topics, describe, controller, configs, isr };

export const KAFKA_COMMAND: Command = {
  name: "kafka",
  synopsis: "kafka brokers|topics|describe TOPIC|controller|configs [TYPE [NAME]]|isr [TOPIC]",
  summary: "brokers, topics, describe TOPIC, controller, configs, isr: Kafka's metadata as tables",
  help: "isr --under-replicated lists only those partitions; --json gives each as JSON for scripts.\nThe store is Kafka's zookeeper.connect (with its chroot, e.g. zk://host:2181/kafka). A znode holding what Kafka would not write is an error naming it (exit 1).",
  spec: { flags: { "under-replicated": "boolean" } },
  args: { min: 1, max: 3 },
  async run(ctx) {
    const sub = ctx.positionals[0]!;
    const run = RUN[sub];
    if (!run) throw new UsageError(`kafka: unknown subcommand "${sub}" (one of ${SUBCOMMANDS.join(", ")})`);
    await run(ctx, createKafkaZkClient(await ctx.open(), { clock: systemClock }));
    return ExitCode.Ok;
  },
};
