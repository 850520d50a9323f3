// The Kafka workload simulator on each store, timed: broker registration, controller election,
// topic creation, ISR churn and the controller fail-over (from the controller's session closing to
// every partition off the dead broker). Prints one table; stores without a server are skipped.
//
//   KMETA_ZK=127.0.0.1:2181 KMETA_ETCD=127.0.0.1:2379 node_modules/.bin/tsx bench/kafka.ts
//   env: KMETA_BENCH_BROKERS (3), KMETA_BENCH_TOPICS (100), KMETA_BENCH_PARTITIONS (10)
import process from "node:process";
import { CreateMode, type KafkaMetastore, OPEN_ACL_UNSAFE } from "../core/mod.ts";
import { KafkaWorkload, type KafkaWorkloadReport } from "../core/kafka/mod.ts";
import { connect, createMemoryStore, systemClock } from "../runtimes/node/mod.ts";
import { fmt } from "./common.ts";

const brokers = Number(process.env.KMETA_BENCH_BROKERS ?? 3);
const topics = Number(process.env.KMETA_BENCH_TOPICS ?? 100);
const partitionsPerTopic = Number(process.env.KMETA_BENCH_PARTITIONS ?? 10);
const root = `/kmeta-bench-kafka-${Date.now().toString(36)}`;

async function deleteTree(client: KafkaMetastore, path: string): Promise<void> {
  const r = await client.handleRequest({ type: "getChildren", path, registerWatch: false });
  await Promise.all(r.children.map((child) => deleteTree(client, `${path}/${child}`)));
  await client.handleRequest({ type: "delete", path, version: -1 });
}

async function runOn(base: string | undefined): Promise<KafkaWorkloadReport | string> {
  if (base === undefined) return "skipped (no server given)";
  const memory = base === "memory://" ? createMemoryStore({ clock: systemClock }) : undefined;
  const admin = await connect(base, { store: memory });
  try {
    await admin.handleRequest({ type: "create", path: root, data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent });
    const url = `${base.replace(/\/$/, "")}${root}`;
    const workload = new KafkaWorkload({ open: () => connect(url, { store: memory }), clock: systemClock }, { brokers, topics, partitionsPerTopic });
    try {
      return await workload.run(2);
    } finally {
      await workload.close();
    }
  } catch (e) {
    return `failed: ${e instanceof Error ? e.message : e}`;
  } finally {
    await deleteTree(admin, root).catch(() => {});
    await admin.close();
  }
}

const stores: [string, string | undefined][] = [
  ["memory", "memory://"],
  ["zk", process.env.KMETA_ZK && `zk://${process.env.KMETA_ZK}`],
  ["etcd", process.env.KMETA_ETCD && `etcd://${process.env.KMETA_ETCD}`],
];

const partitions = topics * partitionsPerTopic;
console.log(`Kafka workload: ${brokers} brokers, ${topics} topics x ${partitionsPerTopic} partitions (${fmt(partitions)} partitions), 2 ISR churn rounds\n`);
console.log("| store | register ms | election ms | create topics ms (znodes/s) | ISR churn ms (updates/s) | fail-over ms (partitions/s) |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
for (const [name, base] of stores) {
  const r = await runOn(base);
  if (typeof r === "string") {
    console.log(`| ${name} | ${r} | | | | |`);
    continue;
  }
  const rate = (n: number, ms: number) => fmt((n * 1000) / Math.max(ms, 1));
  console.log(
    `| ${name} | ${fmt(r.registerMs)} | ${fmt(r.electionMs)} | ${fmt(r.createTopicsMs)} (${rate(r.topicZnodes, r.createTopicsMs)}) | ` +
      `${fmt(r.isrChurnMs)} (${rate(r.isrUpdates, r.isrChurnMs)}) | ${fmt(r.failoverMs)} (${rate(r.partitions, r.failoverMs)}) |`,
  );
}
