// Real Kafka 3.9.2 brokers (three, ZooKeeper mode) on each target of tests/kafka/targets.ts, timed (issue 11,
// "Performance"): creating T topics x P partitions with replication 3 (until every partition has a leader in
// the brokers' metadata), and the controller fail-over after kill -9 of the controller broker (until the
// survivors' metadata shows no partition led by it and no ISR holding it). Prints one table. The end of each
// step is seen by polling the brokers' metadata every 500 ms, so figures are +-0.5 s.
//
//   KMETA_ZK=127.0.0.1:21810 node_modules/.bin/tsx bench/kafka_brokers.ts
//   env: KMETA_KAFKA_TARGETS (zookeeper,memory,etcd),
//        KMETA_BENCH_TOPICS (1000), KMETA_BENCH_PARTITIONS (10), KMETA_BENCH_SESSION_MS (6000)
// Run it in a network namespace of its own (scripts/with-servers.sh starts ZooKeeper): it uses the ports
// of tests/kafka/kafka_cluster_test.ts.
import { loadavg } from "node:os";
import process from "node:process";
import kafkajs from "kafkajs";
import { connect, type KafkaMetastore } from "../runtimes/node/mod.ts";
import { kafkaLib } from "../tests/kafka/broker.ts";
import { startCluster } from "../tests/kafka/cluster.ts";
import { kafkaTargets } from "../tests/kafka/targets.ts";
import { deleteTree, exists, readNode, waitFor } from "../tests/kafka/znodes.ts";
import { fmt, ratio } from "./common.ts";

const topics = Number(process.env.KMETA_BENCH_TOPICS ?? 1000);
const partitions = Number(process.env.KMETA_BENCH_PARTITIONS ?? 10);
const sessionMs = Number(process.env.KMETA_BENCH_SESSION_MS ?? 6000);
const BATCH = 50; // topics per CreateTopics request
const POLL_MS = 500; // metadata of every partition is a large answer: asked twice a second, not more

/** Polls `probe` every POLL_MS until it is true; throws after `timeoutMs`. */
async function until(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

interface Row {
  target: string;
  createMs?: number;
  /** kill -9 to the registration's disappearance (the session timeout, mostly). */
  expiryMs?: number;
  /** Registration gone to the new /controller. */
  electionMs?: number;
  /** kill -9 until no partition is led by the dead broker or holds it in its ISR. */
  failoverMs?: number;
  error?: string;
}

const { Kafka, logLevel } = kafkajs;

async function benchTarget(target: ReturnType<typeof kafkaTargets>[number]): Promise<Row> {
  const row: Row = { target: target.name };
  const chroot = `/kafka-bench-${Date.now().toString(36)}`;
  let zk: KafkaMetastore | undefined;
  let cluster: Awaited<ReturnType<typeof startCluster>> | undefined;
  try {
    const hosts = await target.start();
    zk = await connect(`zk://${hosts}`);
    cluster = await startCluster({
      lib: kafkaLib(),
      ports: [24670, 24671, 24672],
      zookeeperConnect: `${hosts}${chroot}`,
      sessionTimeoutMs: sessionMs,
      heapMb: 1024,
    });
    const kafka = new Kafka({ clientId: "kmeta-bench", brokers: cluster.bootstrap, logLevel: logLevel.NOTHING, requestTimeout: 120000 });
    const admin = kafka.admin({ retry: { retries: 20, initialRetryTime: 500, maxRetryTime: 5000 } });
    await admin.connect();

    const names = Array.from({ length: topics }, (_, i) => `t${String(i).padStart(4, "0")}`);
    const t0 = performance.now();
    for (let i = 0; i < names.length; i += BATCH) {
      // The broker answers once the leaders are known or after `timeout`; on a saturated machine that can
      // lapse (and a retry then meets TOPIC_ALREADY_EXISTS) although the topics are made: the metadata decides.
      await admin.createTopics({
        topics: names.slice(i, i + BATCH).map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 3 })),
        waitForLeaders: false,
        timeout: 60000,
      }).catch((e) => console.error(`${target.name}: CreateTopics ${i}..${i + BATCH - 1}: ${(e as Error).message} (going on)`));
    }
    await until("every partition led", 1800000, async () => {
      // Topics the answering broker does not know yet make kafkajs throw: not done.
      const meta = await admin.fetchTopicMetadata({ topics: names }).catch(() => undefined);
      return !!meta && meta.topics.every((t) => t.partitions.length === partitions && t.partitions.every((p) => p.leader >= 0 && p.isr.length === 3));
    });
    row.createMs = performance.now() - t0;
    console.error(`${target.name}: ${topics} x ${partitions} created in ${fmt(row.createMs)} ms`);

    const victim = JSON.parse((await readNode(zk, `${chroot}/controller`))!.data!).brokerid as number;
    const survivors = cluster.bootstrap.filter((_, id) => id !== victim);
    const watcher = new Kafka({ clientId: "kmeta-bench-2", brokers: survivors, logLevel: logLevel.NOTHING, requestTimeout: 120000 }).admin();
    await watcher.connect();
    const k0 = performance.now();
    await cluster.kill(victim);
    await waitFor("registration gone", sessionMs + 60000, async () => (await exists(zk!, `${chroot}/brokers/ids/${victim}`)) ? undefined : true);
    row.expiryMs = performance.now() - k0;
    await waitFor("new controller", 600000, async () => {
      const c = await readNode(zk!, `${chroot}/controller`);
      return c && JSON.parse(c.data!).brokerid !== victim ? true : undefined;
    });
    row.electionMs = performance.now() - k0 - row.expiryMs;
    await until("partitions off the dead broker", 1800000, async () => {
      const meta = await watcher.fetchTopicMetadata({ topics: names }).catch(() => undefined);
      return meta?.topics.every((t) => t.partitions.every((p) => p.leader >= 0 && p.leader !== victim && !p.isr.includes(victim))) ?? false;
    });
    row.failoverMs = performance.now() - k0;
    console.error(`${target.name}: fail-over ${fmt(row.failoverMs)} ms (expiry ${fmt(row.expiryMs)} ms)`);
    await watcher.disconnect();
    await admin.disconnect();
  } catch (e) {
    row.error = (e as Error).message.split("\n")[0];
    console.error(`${target.name}: ${(e as Error).message}`);
  } finally {
    await cluster?.stop();
    if (zk) {
      if (target.name === "zookeeper") await deleteTree(zk, chroot).catch(() => {});
      await zk.close();
    }
    await target.stop();
  }
  return row;
}

const targets = kafkaTargets({ memory: 24621, serves: [24622, 24623, 24624], etcdClient: [24631, 24632, 24633], etcdPeer: [24634, 24635, 24636] });
const load = loadavg()[0]!.toFixed(1);
const rows: Row[] = [];
for (const target of targets) rows.push(await benchTarget(target));

const zk = rows.find((r) => r.target === "zookeeper");
console.log(`\nThree Kafka 3.9.2 brokers, ${topics} topics x ${partitions} partitions (replication 3), session timeout ${sessionMs} ms;`);
console.log(`load average ${load} at the start, ${loadavg()[0]!.toFixed(1)} at the end (2 cores)\n`);
console.log("| target | create (ms) | vs ZK | kill -9 → expiry (ms) | expiry → new /controller (ms) | kill -9 → every partition re-elected (ms) | after expiry (ms) | vs ZK |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  if (r.error) console.log(`| ${r.target} | failed: ${r.error} | | | | | | |`);
  else {
    const after = r.failoverMs! - r.expiryMs!;
    const zkAfter = zk && !zk.error ? zk.failoverMs! - zk.expiryMs! : undefined;
    console.log(
      `| ${r.target} | ${fmt(r.createMs)} | ${ratio(r.createMs, zk?.error ? undefined : zk?.createMs)} | ${fmt(r.expiryMs)} | ${fmt(r.electionMs)} | ${fmt(r.failoverMs)} | ${fmt(after)} | ${ratio(after, zkAfter)} |`,
    );
  }
}
process.exit(0);
