// `kmeta migrate` throughput on a simulated Kafka cluster: ZooKeeper -> etcd and back (and through
// memory, which shows whether reading or writing bounds a direction), each copy checked by
// `kmeta diff`. Prints one table. The commands run in this process, as the CLI runs them.
//
//   KMETA_ZK=127.0.0.1:2181 KMETA_ETCD=127.0.0.1:2379 node_modules/.bin/tsx bench/migrate.ts
//   env: KMETA_BENCH_TOPICS (1000), KMETA_BENCH_PARTITIONS (20), KMETA_BENCH_SESSIONS (1: migrate's --sessions)
import process from "node:process";
import { connect } from "../runtimes/node/mod.ts";
import { dropChroot, runKmeta, simulatedCluster, storeUrls } from "../tests/cli/_cli.ts";
import { fmt } from "./common.ts";

const topics = Number(process.env.KMETA_BENCH_TOPICS ?? 1000);
const partitions = Number(process.env.KMETA_BENCH_PARTITIONS ?? 20);
const sessions = process.env.KMETA_BENCH_SESSIONS ?? "1";
const source = storeUrls("bench-src");
const copies = storeUrls("bench-copy");
const back = storeUrls("bench-back");

const t0 = performance.now();
const cluster = await simulatedCluster(connect, source.zk, { topics, partitions });
await cluster.close(); // the brokers stop before a migration, as in a real one
console.log(`Simulated cluster: 3 brokers, ${fmt(topics)} topics x ${partitions} partitions, 2 ISR churn rounds and a fail-over, built on ZooKeeper in ${fmt(performance.now() - t0)} ms; ${sessions} sessions per store\n`);

const steps: [string, string, string][] = [
  ["zk -> etcd", source.zk, copies.etcd],
  ["etcd -> zk", copies.etcd, back.zk],
  ["zk -> memory", source.zk, copies.memory],
  ["memory -> zk", copies.memory, copies.zk],
  ["memory -> etcd", copies.memory, back.etcd],
];
console.log("| migration | znodes | ms | znodes/s | diff ms | diff |");
console.log("| --- | ---: | ---: | ---: | ---: | --- |");
try {
  for (const [label, from, to] of steps) {
    const m = await runKmeta(connect, ["migrate", "--from", from, "--to", to, "--json", "--sessions", sessions]);
    if (m.code !== 0) {
      console.log(`| ${label} | failed: ${m.stderr.trim()} | | | | |`);
      continue;
    }
    const r = JSON.parse(m.stdout);
    const started = performance.now();
    const d = await runKmeta(connect, ["diff", from, to, "--json", "--sessions", sessions]);
    const diffMs = performance.now() - started;
    const verdict = d.code === 0 ? "equal" : d.code === 1 ? `${JSON.parse(d.stdout).differences.length} differences` : `failed: ${d.stderr.trim()}`;
    console.log(`| ${label} | ${fmt(r.read - r.ephemerals.length)} | ${fmt(r.ms)} | ${fmt(r.znodesPerSecond)} | ${fmt(diffMs)} | ${verdict} |`);
  }
} finally {
  for (const url of [source.zk, copies.etcd, back.zk, copies.zk, back.etcd]) await dropChroot(connect, url).catch(() => {});
}
