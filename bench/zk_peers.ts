// Our ZooKeeper client next to node-zookeeper-client and the native `zookeeper` binding on Node, and
// our client on Deno and Bun: same server, same workloads, one table.
//
//   npm run bench -- [N=10000] [REPS=3]        (ZooKeeper at $KMETA_ZK, default 127.0.0.1:21810)
//
// Every column is one long-lived process (bench/worker.ts) driven over a pipe; reps are interleaved
// (rep 1 of every workload and client, then rep 2, ...; the client order rotates per rep) and the
// table shows medians, so drift on this shared 2-vCPU machine hits every column alike. CPU is the
// worker's own process.cpuUsage() over the timed part (user + system, GC included).
import process from "node:process";
import { fmt, ratio, Samples, startWorker, type Worker, workerArgv } from "./common.ts";

const N = Number(process.argv[2] ?? 10_000);
const REPS = Number(process.argv[3] ?? 3);
const ZK = process.env.KMETA_ZK ?? process.env.ZK ?? "127.0.0.1:21810";
const TARGET = `zk://${ZK}`;

const COLUMNS: [label: string, runtime: "node" | "deno" | "bun", client: string][] = [
  ["node-zookeeper-client 1.1.3", "node", "nzc"],
  ["zookeeper 7.3.0 (native)", "node", "native"],
  ["ours, Node", "node", "ours"],
  ["ours, Deno", "deno", "ours"],
  ["ours, Bun", "bun", "ours"],
];
const WORKLOADS = [
  ["create", `create ${N.toLocaleString("en")} (100 B), all pipelined`],
  ["get-all", `getData ${N.toLocaleString("en")} (100 B), all at once`],
  ["get-10", `getData ${N.toLocaleString("en")} (100 B), 10 in flight`],
] as const;

const workers: Worker[] = [];
const missing: string[] = [];
for (const [label, runtime, client] of COLUMNS) {
  try {
    workers.push(await startWorker(label, workerArgv(runtime, client, TARGET)));
  } catch (e) {
    missing.push(`${label}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
}
const run = `/kmeta-bench-${Date.now().toString(36)}`;
const rootOf = (k: number) => `${run}-${k}`;
for (const [k, w] of workers.entries()) {
  const r = await w.send({ cmd: "prepare", root: rootOf(k), n: N });
  console.error(`${w.label}: read set of ${N} created at ${fmt(r.opsPerSec)}/s`);
}
const rate = new Samples();
const cpu = new Samples();
for (let rep = 0; rep < REPS; rep++) {
  for (const [cmd, name] of WORKLOADS) {
    for (let j = 0; j < workers.length; j++) {
      const k = (j + rep) % workers.length;
      const w = workers[k]!;
      const s = await w.send({ cmd, root: rootOf(k), n: N, tag: `${rep}` });
      rate.add(`${cmd}|${w.label}`, s.opsPerSec);
      cpu.add(`${cmd}|${w.label}`, s.cpuMsPer10k);
      console.error(`rep ${rep + 1}/${REPS} ${w.label}: ${name}: ${fmt(s.opsPerSec)} ops/s, CPU ${fmt(s.cpuMsPer10k)} ms/10k`);
    }
  }
}
for (const [k, w] of workers.entries()) {
  await w.send({ cmd: "cleanup", root: rootOf(k) });
  await w.send({ cmd: "close", root: "" });
}

const [nzc, native, node, deno, bun] = COLUMNS.map(([label]) => label);
const runtimes = workers.map((w) => `${w.label.replace(/ \(native\)$/, "")}: ${w.runtime}`).join(", ");
const lines = [
  `ZooKeeper ${ZK}, N=${N}, median of ${REPS} interleaved reps (${runtimes})`,
  "",
  "Throughput, ops/s (Deno and Bun columns: ours on that runtime, and its ratio to ours on Node):",
  "",
  `| workload | ${nzc} | ${native} | ${node} | ours / nzc | ours / native | ${deno} | ${bun} |`,
  "|---|---|---|---|---|---|---|---|",
];
const cellRatio = (s: Samples, c: string, a: string, b: string) => ratio(s.median(`${c}|${a}`), s.median(`${c}|${b}`));
for (const [c, name] of WORKLOADS) {
  const m = (label: string) => rate.median(`${c}|${label}`);
  lines.push(
    `| ${name} | ${fmt(m(nzc!))} | ${fmt(m(native!))} | **${fmt(m(node!))}** | ${cellRatio(rate, c, node!, nzc!)} | ${cellRatio(rate, c, node!, native!)} | ${fmt(m(deno!))} (${cellRatio(rate, c, deno!, node!)}) | ${fmt(m(bun!))} (${cellRatio(rate, c, bun!, node!)}) |`,
  );
}
lines.push("", "Client CPU, ms per 10,000 ops (lower is better):", "");
lines.push(`| workload | ${nzc} | ${native} | ${node} | ours / nzc | ours / native | ${deno} | ${bun} |`, "|---|---|---|---|---|---|---|---|");
for (const [c, name] of WORKLOADS) {
  const m = (label: string) => cpu.median(`${c}|${label}`);
  lines.push(
    `| ${name} | ${fmt(m(nzc!))} | ${fmt(m(native!))} | **${fmt(m(node!))}** | ${cellRatio(cpu, c, node!, nzc!)} | ${cellRatio(cpu, c, node!, native!)} | ${fmt(m(deno!))} | ${fmt(m(bun!))} |`,
  );
}
for (const m of missing) lines.push("", `Not measured: ${m}`);
console.log(lines.join("\n"));
process.exit(0);
