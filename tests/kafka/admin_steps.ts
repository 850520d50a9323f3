// Admin steps both Kafka tests take (one broker and three): each drives the brokers and checks what the
// controller leaves in the znodes, so both tests judge the same behaviour the same way.
import assert from "node:assert/strict";
import kafkajs from "kafkajs";
import type { Admin, Kafka } from "kafkajs";
import { CreateMode, ErrorCode, type KafkaMetastore, OPEN_ACL_UNSAFE } from "../../runtimes/node/mod.ts";
import { kafkaLib, runTool } from "./broker.ts";
import { exists, waitFor, within } from "./znodes.ts";

const enc = new TextEncoder();

/** Creates a persistent node holding `value` as JSON, as an operator (or an old tool) would. */
export async function createJsonNode(zk: KafkaMetastore, path: string, value: unknown): Promise<void> {
  const r = await zk.handleRequest({ type: "create", path, data: enc.encode(JSON.stringify(value)), acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent });
  assert.equal(r.resultCode, ErrorCode.Ok, `create ${path}`);
}

/**
 * Resolves to describeCluster once the brokers know the controller and all `brokers` of them. A broker learns
 * both from the controller's first UpdateMetadata, a moment after it started; until then it names controller
 * -1 (kafkajs' createTopics then gives up with "Broker -1 not found") or no brokers at all.
 */
export function untilClusterKnown(admin: Admin, brokers: number, timeoutMs = 60000): ReturnType<Admin["describeCluster"]> {
  return waitFor(`describeCluster with the controller and ${brokers} brokers`, timeoutMs, async () => {
    const d = await admin.describeCluster().catch(() => undefined);
    return d && d.controller !== null && d.controller >= 0 && d.brokers.length === brokers ? d : undefined;
  });
}

/**
 * Preferred leader election of `topic`-`partition` through the legacy znode under `chroot` (the controller
 * acts on it and deletes it), then through the admin API with Kafka's own CLI, which finds the preferred
 * leader already elected; resolves to the CLI's output, whitespace folded.
 */
export async function preferredElection(zk: KafkaMetastore, chroot: string, bootstrap: string, topic: string, partition: number): Promise<string> {
  const node = `${chroot}/admin/preferred_replica_election`;
  await createJsonNode(zk, node, { version: 1, partitions: [{ topic, partition }] });
  await waitFor(`${node} deleted`, 30000, async () => (await exists(zk, node)) ? undefined : true);
  const cli = await runTool(kafkaLib(), "org.apache.kafka.tools.LeaderElectionCommand", [
    "--bootstrap-server",
    bootstrap,
    "--election-type",
    "preferred",
    "--topic",
    topic,
    "--partition",
    String(partition),
  ]);
  assert.match(cli, /Valid replica already elected for partitions/);
  return cli.replace(/\s+/g, " ").trim();
}

/**
 * Deletes `topic` through the admin API: /admin/delete_topics/T appears (seen through a creation watch) and
 * goes, and so do the topic's znodes and its config.
 */
export async function deleteTopicWatched(zk: KafkaMetastore, admin: Admin, chroot: string, topic: string): Promise<void> {
  const marker = `${chroot}/admin/delete_topics/${topic}`;
  let created!: () => void;
  const markerCreated = new Promise<void>((r) => (created = r));
  zk.registerZNodeChangeHandler({ path: marker, handleCreation: () => created() });
  assert.equal(await exists(zk, marker), null);
  await admin.deleteTopics({ topics: [topic] });
  await within(markerCreated, 30000, "NodeCreated for the deletion marker");
  zk.unregisterZNodeChangeHandler(marker);
  for (const [what, path] of [["deletion marker", marker], ["topic znode", `${chroot}/brokers/topics/${topic}`], ["topic config", `${chroot}/config/topics/${topic}`]]) {
    await waitFor(`${what} gone`, 60000, async () => (await exists(zk, path!)) ? undefined : true);
  }
}

/** Produces keys k0..k{count-1} (values v0..) to `topic` with acks=all, 1,000 per send. */
export async function produceKeys(kafka: Kafka, topic: string, count: number): Promise<void> {
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.LegacyPartitioner });
  await producer.connect();
  try {
    for (let at = 0; at < count; at += 1000) {
      const messages = Array.from({ length: Math.min(1000, count - at) }, (_, i) => ({ key: `k${at + i}`, value: `v${at + i}` }));
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Consumes `topic` from the beginning in group `groupId` up to the high watermarks it had when called; the keys seen. */
export async function consumeAll(kafka: Kafka, admin: Admin, topic: string, groupId: string): Promise<Set<string>> {
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  const next = new Map([...ends.keys()].map((p) => [p, 0]));
  const consumer = kafka.consumer({ groupId });
  const seen = new Set<string>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        seen.add(message.key!.toString());
        next.set(partition, Math.max(next.get(partition)!, Number(message.offset) + 1));
        return Promise.resolve();
      },
    });
    const behind = () => [...ends].filter(([p, end]) => next.get(p)! < end);
    await waitFor(`${groupId} at the high watermarks`, 180000, () => Promise.resolve(behind().length === 0 ? true : undefined))
      .catch((e) => {
        throw new Error(`${(e as Error).message}: behind ${JSON.stringify(behind().map(([p, end]) => [p, next.get(p), end]))}`);
      });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}
