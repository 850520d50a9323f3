// The etcd store next to the `etcd3` npm client and next to our ZooKeeper store, one etcd and one
// ZooKeeper, one table of ratios.
//
//   npm run bench:etcd -- [N=10000] [REPS=3] [TOPICS=1000] [PARTITIONS=50] [CREATES=N]
//   (etcd at $KMETA_ETCD, default 127.0.0.1:23790; ZooKeeper at $KMETA_ZK, default 127.0.0.1:21810;
//   $KMETA_BENCH_MAX_TXN_OPS: the store's maxTxnOps, for an etcd started with that --max-txn-ops)
//
// Every client is one long-lived Node process (bench/worker.ts); after one untimed warm-up pass,
// reps are interleaved and the table shows medians. The fail-over tree (TOPICS x PARTITIONS partition states) is seeded once per store
// per run with pipelined creates; smaller TOPICS/PARTITIONS make a quick run.
import process from "node:process";
import { fmt, ratio, Samples, startWorker, workerArgv } from "./common.ts";

const N = Number(process.argv[2] ?? 10_000);
const REPS = Number(process.argv[3] ?? 3);
const TOPICS = Number(process.argv[4] ?? 1000);
const PARTITIONS = Number(process.argv[5] ?? 50);
const CREATES = Number(process.argv[6] ?? N);
const ETCD = process.env.KMETA_ETCD ?? "127.0.0.1:23790";
const ZK = process.env.KMETA_ZK ?? "127.0.0.1:21810";
const stamp = Date.now().toString(36);
/** Txns of the one-put ceiling: etcd commits each before the next is sent. */
const TXNS = 200;

const etcd3 = await startWorker("etcd3 1.1.2", workerArgv("node", "etcd3", `etcd://${ETCD}`));
const etcd = await startWorker("ours, etcd store", workerArgv("node", "ours", `etcd://${ETCD}`), { KMETA_BENCH_PREFIX: `kmeta-bench-${stamp}/` });
const zk = await startWorker("ours, zk store", workerArgv("node", "ours", `zk://${ZK}`));
const roots = new Map([[etcd3, `/kmeta-bench-${stamp}`], [etcd, `/b`], [zk, `/kmeta-bench-${stamp}`]]);
const root = (w: typeof etcd) => roots.get(w)!;

const t0 = performance.now();
for (const w of [etcd3, etcd, zk]) {
  const r = await w.send({ cmd: "prepare", root: root(w), n: N });
  console.error(`${w.label}: read set of ${N} created at ${fmt(r.opsPerSec)}/s`);
}
for (const w of [etcd, zk]) {
  const r = await w.send({ cmd: "seed-failover", root: root(w), topics: TOPICS, partitions: PARTITIONS });
  console.error(`${w.label}: fail-over tree (${TOPICS} x ${PARTITIONS}) seeded in ${fmt(r.ms)} ms (${fmt(r.opsPerSec)} creates/s)`);
}
console.error(`set-up ${fmt(performance.now() - t0)} ms`);

const s = new Samples();
type Step = [key: string, worker: typeof etcd, cmd: "get-10" | "get-batch" | "create" | "set" | "delete" | "mix" | "fenced" | "many-sessions" | "many-shared" | "etcd-writes" | "etcd-txns" | "etcd-range" | "failover"];
const steps: Step[] = [
  ["get|etcd3", etcd3, "get-10"],
  ["get|etcd", etcd, "get-batch"],
  ["get|zk", zk, "get-batch"],
  ["create|etcd", etcd, "create"],
  ["create|zk", zk, "create"],
  ["set|etcd", etcd, "set"],
  ["set|zk", zk, "set"],
  ["delete|etcd", etcd, "delete"],
  ["delete|zk", zk, "delete"],
  ["mix|etcd", etcd, "mix"],
  ["mix|zk", zk, "mix"],
  ["fenced|etcd", etcd, "fenced"],
  ["fenced|zk", zk, "fenced"],
  ["many|etcd", etcd, "many-sessions"],
  ["many|zk", zk, "many-sessions"],
  ["shared|etcd", etcd, "many-shared"],
  ["raw-writes|etcd", etcd, "etcd-writes"],
  ["raw-txns|etcd", etcd, "etcd-txns"],
  ["raw-range|etcd", etcd, "etcd-range"],
  ["failover|etcd", etcd, "failover"],
  ["failover|zk", zk, "failover"],
];
const run = (w: typeof etcd, cmd: Step[2], tag: string) =>
  cmd === "many-shared"
    ? w.send({ cmd: "many-sessions", root: root(w), n: Math.min(CREATES, N), tag: `${tag}s`, shared: true })
    : cmd === "etcd-writes"
    ? w.send({ cmd, root: root(w), n: Math.min(CREATES, N), tag })
    : cmd === "etcd-txns"
    ? w.send({ cmd: "etcd-writes", root: root(w), n: TXNS, perTxn: 1, tag: `${tag}t` })
    : w.send({ cmd, root: root(w), n: cmd === "get-10" || cmd === "get-batch" ? N : Math.min(CREATES, N), tag, keep: w === etcd });
// One untimed pass first: every column is measured warm (JIT-compiled), as a long-lived broker runs.
for (const [, w, cmd] of steps) await run(w, cmd, "warm");
console.error(`warm-up pass done`);
for (let rep = 0; rep < REPS; rep++) {
  // Rotate the order within each pair/triple per rep so neither side always goes first.
  const order = rep % 2 === 0 ? steps : [...steps].reverse();
  for (const [key, w, cmd] of order) {
    const r = await run(w, cmd, `${rep}`);
    s.add(`${key}|rate`, r.opsPerSec);
    s.add(`${key}|ms`, r.ms);
    console.error(`rep ${rep + 1}/${REPS} ${w.label} ${cmd}: ${fmt(r.ms)} ms${cmd === "failover" || cmd === "etcd-range" ? ` (${fmt(r.reads)} states)` : `, ${fmt(r.opsPerSec)} ops/s`}`);
  }
}
for (const w of [etcd3, etcd, zk]) {
  await w.send({ cmd: "cleanup", root: root(w) });
  await w.send({ cmd: "close", root: "" });
}

const rate = (k: string) => s.median(`${k}|rate`);
const ms = (k: string) => s.median(`${k}|ms`);
const n = N.toLocaleString("en");
const nc = CREATES.toLocaleString("en");
const verdict = (ok: boolean | undefined) => (ok === undefined ? "" : ok ? "met" : "missed");
const r = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a / b);
const getVsEtcd3 = r(rate("get|etcd"), rate("get|etcd3"));
const getVsZk = r(rate("get|etcd"), rate("get|zk"));
const createVsZk = r(rate("create|etcd"), rate("create|zk"));
const fencedVsZk = r(rate("fenced|etcd"), rate("fenced|zk"));
const writeRow = (key: string, what: string) => {
  const x = r(rate(`${key}|etcd`), rate(`${key}|zk`));
  return `| (b) ${what}, all pipelined | ${fmt(rate(`${key}|etcd`))} ops/s | zk store: ${fmt(rate(`${key}|zk`))} ops/s | ${ratio(rate(`${key}|etcd`), rate(`${key}|zk`))} | ≥ 1.0× ${verdict(x === undefined ? undefined : x >= 1)} |`;
};
const nw = Math.min(CREATES, N).toLocaleString("en");
const manyVsZk = r(rate("many|etcd"), rate("many|zk"));
const sharedVsZk = r(rate("shared|etcd"), rate("many|zk"));
const failVsZk = r(ms("failover|etcd"), ms("failover|zk"));
console.log(
  [
    `etcd ${ETCD}, ZooKeeper ${ZK}, Node ${process.versions.node}, N=${N}, creates ${CREATES}, fail-over ${TOPICS} topics x ${PARTITIONS} partitions, median of ${REPS} interleaved reps after a warm-up pass`,
    "",
    "| workload | etcd store (ours) | compared with | ratio | target |",
    "|---|---|---|---|---|",
    `| (a) getData ${n} (100 B), handleRequests (10 in flight) | ${fmt(rate("get|etcd"))} ops/s | etcd3 get, 10 in flight: ${fmt(rate("get|etcd3"))} ops/s | ${ratio(rate("get|etcd"), rate("get|etcd3"))} | ≥ 5× ${verdict(getVsEtcd3 === undefined ? undefined : getVsEtcd3 >= 5)} |`,
    `| (a) same batch | ${fmt(rate("get|etcd"))} ops/s | zk store, same batch: ${fmt(rate("get|zk"))} ops/s | ${ratio(rate("get|etcd"), rate("get|zk"))} | ≥ 1.5× ${verdict(getVsZk === undefined ? undefined : getVsZk >= 1.5)} |`,
    `| (b) create ${nc} (100 B) under one parent, all pipelined | ${fmt(rate("create|etcd"))} ops/s | zk store: ${fmt(rate("create|zk"))} ops/s | ${ratio(rate("create|etcd"), rate("create|zk"))} | ≥ 1.0× ${verdict(createVsZk === undefined ? undefined : createVsZk >= 1)} |`,
    writeRow("set", `setData ${nw} (100 B) of existing nodes`),
    writeRow("delete", `delete ${nw} under one parent`),
    writeRow("mix", `a mix: create, setData and delete of each of ${fmt(Math.floor(Math.min(CREATES, N) / 3))} nodes, in order`),
    `| (b) ${fmt(Math.min(CREATES, N))} fenced Multis (check + setData 100 B), all pipelined | ${fmt(rate("fenced|etcd"))} ops/s | zk store: ${fmt(rate("fenced|zk"))} ops/s | ${ratio(rate("fenced|etcd"), rate("fenced|zk"))} | ≥ 1.0× ${verdict(fencedVsZk === undefined ? undefined : fencedVsZk >= 1)} |`,
    `| (b) 10 sessions × ${fmt(Math.min(CREATES, N))} creates (100 B) at once under 10 shared parents | ${fmt(rate("many|etcd"))} ops/s | zk store: ${fmt(rate("many|zk"))} ops/s | ${ratio(rate("many|etcd"), rate("many|zk"))} | ≥ 1.0× ${verdict(manyVsZk === undefined ? undefined : manyVsZk >= 1)} |`,
    `| (b) same, the 10 sessions on one etcd store (as \`kmeta serve\` holds its clients') | ${fmt(rate("shared|etcd"))} ops/s | zk store, 10 sessions: ${fmt(rate("many|zk"))} ops/s | ${ratio(rate("shared|etcd"), rate("many|zk"))} | ≥ 1.0× ${verdict(sharedVsZk === undefined ? undefined : sharedVsZk >= 1)} |`,
    `| (c) fail-over read: ${TOPICS} partition lists + ${(TOPICS * PARTITIONS).toLocaleString("en")} states | ${fmt(ms("failover|etcd"))} ms | zk store: ${fmt(ms("failover|zk"))} ms | ${failVsZk === undefined ? "—" : `${failVsZk.toFixed(2)}× the time`} | ≤ 0.5× ${verdict(failVsZk === undefined ? undefined : failVsZk <= 0.5)} |`,
    "",
    "The etcd server's own pace, the ceiling of the rows above (the same etcd, our gRPC client, no store):",
    "",
    "| ceiling | etcd alone | zk store | ratio |",
    "|---|---|---|---|",
    `| (b) ${nc} creates as Txns of 126 puts guarded as absent, one after another | ${fmt(rate("raw-writes|etcd"))} ops/s | ${fmt(rate("create|zk"))} ops/s | ${ratio(rate("raw-writes|etcd"), rate("create|zk"))} |`,
    `| (b) ${TXNS} creates as Txns of one put guarded as absent, one after another (etcd's commit latency: ${rate("raw-txns|etcd") ? (1000 / rate("raw-txns|etcd")!).toFixed(1) : "—"} ms) | ${fmt(rate("raw-txns|etcd"))} Txns/s | mix: ${fmt(rate("mix|zk"))} ops/s | ${ratio(rate("raw-txns|etcd"), rate("mix|zk"))} |`,
    `| (c) every partition state's node key in one range | ${fmt(ms("raw-range|etcd"))} ms | ${fmt(ms("failover|zk"))} ms | ${r(ms("raw-range|etcd"), ms("failover|zk"))?.toFixed(2) ?? "—"}× the time |`,
  ].join("\n"),
);
process.exit(0);
