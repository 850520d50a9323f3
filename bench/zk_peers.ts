// Our ZooKeeper client next to node-zookeeper-client, same server, same workloads, one table.
//
//   npm run bench -- [N=10000] [REPS=3]        (ZooKeeper at $KMETA_ZK, default 127.0.0.1:21810)
//
// Reps are interleaved (rep 1 of every client, then rep 2, ...) and the table shows medians, so
// drift on this shared 2-vCPU machine hits every column alike. Both clients run in this one Node
// process, one at a time, so process.cpuUsage() deltas are each client's own CPU (plus GC debt).
// The peer baselines (/work/shared/reference/peer-baselines.md) ran each client in a fresh process;
// numbers here are for ratios, not for comparing with those tables.
import { createRequire } from "node:module";
import process from "node:process";
import { CreateMode, OPEN_ACL_UNSAFE } from "../core/mod.ts";
import { connect } from "../runtimes/node/mod.ts";

const N = Number(process.argv[2] ?? 10_000);
const REPS = Number(process.argv[3] ?? 3);
const ZK = process.env.KMETA_ZK ?? process.env.ZK ?? "127.0.0.1:21810";
const DATA = new Uint8Array(100).fill(120); // 100 bytes of "x", as in the peer baselines

/** The calls a workload makes; every client under test is adapted to this. */
export interface BenchClient {
  readonly name: string;
  create(path: string, data: Uint8Array): Promise<void>;
  getData(path: string): Promise<Uint8Array>;
  delete(path: string): Promise<void>;
  close(): Promise<void>;
}

/** One measured workload: wall time and this process's CPU time. */
export interface Sample {
  opsPerSec: number;
  cpuMsPer10k: number;
}

export interface Workload {
  name: string;
  /** Prepares what the timed part needs (not timed). */
  setup?(client: BenchClient, paths: string[]): Promise<void>;
  run(client: BenchClient, paths: string[]): Promise<void>;
  /** Removes what the run left (not timed). */
  teardown?(client: BenchClient, paths: string[]): Promise<void>;
}

/** Runs `fn(i)` for every i in [0, n) with at most `limit` calls in flight. */
async function pool(n: number, limit: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

const createAll = (c: BenchClient, paths: string[]) => pool(paths.length, 100, (i) => c.create(paths[i]!, DATA));
const deleteAll = (c: BenchClient, paths: string[]) => pool(paths.length, 100, (i) => c.delete(paths[i]!));

export const WORKLOADS: Workload[] = [
  {
    name: `create ${N.toLocaleString("en")} (100 B), all pipelined`,
    run: (c, paths) => Promise.all(paths.map((p) => c.create(p, DATA))).then(() => {}),
    teardown: deleteAll,
  },
  {
    name: `getData ${N.toLocaleString("en")} (100 B), all at once`,
    setup: createAll,
    run: (c, paths) => Promise.all(paths.map((p) => c.getData(p))).then(() => {}),
    teardown: deleteAll,
  },
  {
    name: `getData ${N.toLocaleString("en")} (100 B), 10 in flight`,
    setup: createAll,
    run: (c, paths) => pool(paths.length, 10, (i) => c.getData(paths[i]!)),
    teardown: deleteAll,
  },
];

/** Times one workload on one client under a fresh parent node. */
export async function measure(client: BenchClient, workload: Workload, parent: string): Promise<Sample> {
  await client.create(parent, new Uint8Array(0));
  const paths = Array.from({ length: N }, (_, i) => `${parent}/n${String(i).padStart(6, "0")}`);
  await workload.setup?.(client, paths);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await workload.run(client, paths);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await workload.teardown?.(client, paths);
  await client.delete(parent);
  return { opsPerSec: N / (ms / 1000), cpuMsPer10k: ((cpu.user + cpu.system) / 1000) * (10_000 / N) };
}

// --- node-zookeeper-client 1.1.3 (callback API, no types: the few calls we make, typed here) ---
interface NzcClient {
  once(event: "connected", fn: () => void): void;
  connect(): void;
  close(): void;
  create(path: string, data: Uint8Array, mode: number, cb: (e: Error | null) => void): void;
  getData(path: string, cb: (e: Error | null, data?: Uint8Array) => void): void;
  remove(path: string, version: number, cb: (e: Error | null) => void): void;
}
interface Nzc {
  createClient(connect: string, options: { sessionTimeout: number; retries: number }): NzcClient;
  CreateMode: { PERSISTENT: number };
}

async function openNzc(): Promise<BenchClient> {
  const nzc = createRequire(import.meta.url)("node-zookeeper-client") as Nzc;
  const c = nzc.createClient(ZK, { sessionTimeout: 30_000, retries: 0 });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node-zookeeper-client: no session with ${ZK} in 10 s`)), 10_000);
    c.once("connected", () => (clearTimeout(timer), resolve()));
    c.connect();
  });
  const done = (resolve: () => void, reject: (e: Error) => void) => (e: Error | null) => (e ? reject(e) : resolve());
  return {
    name: "node-zookeeper-client 1.1.3",
    create: (path, data) => new Promise((res, rej) => c.create(path, Buffer.from(data.buffer, data.byteOffset, data.byteLength), nzc.CreateMode.PERSISTENT, done(res, rej))),
    getData: (path) => new Promise((res, rej) => c.getData(path, (e, d) => (e ? rej(e) : res(d!)))),
    delete: (path) => new Promise((res, rej) => c.remove(path, -1, done(res, rej))),
    close: async () => c.close(),
  };
}

// --- kafka-metastore (ours), through the public connect() of the Node entry ---
async function openOurs(): Promise<BenchClient> {
  const client = await connect(`zk://${ZK}`);
  const check = (r: { resultCode: number; path?: string | null }) => {
    if (r.resultCode !== 0) throw new Error(`kafka-metastore: ${r.path} -> ${r.resultCode}`);
  };
  return {
    name: "kafka-metastore",
    create: async (path, data) => check(await client.handleRequest({ type: "create", path, data, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent })),
    getData: async (path) => {
      const r = await client.handleRequest({ type: "getData", path });
      check(r);
      return r.data ?? new Uint8Array(0);
    },
    delete: async (path) => check(await client.handleRequest({ type: "delete", path, version: -1 })),
    close: () => client.close(),
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const fmt = (x: number): string => Math.round(x).toLocaleString("en");

async function main(): Promise<void> {
  const openers: [string, () => Promise<BenchClient>][] = [
    ["node-zookeeper-client 1.1.3", openNzc],
    ["kafka-metastore", openOurs],
  ];
  const clients: (BenchClient | string)[] = [];
  for (const [name, open] of openers) {
    // A client that cannot connect (ours before its zk:// store exists) becomes an empty column.
    clients.push(await open().catch((e: unknown) => `${name}: ${e instanceof Error ? e.message : String(e)}`));
  }
  const samples = new Map<string, Sample[]>(); // key: workload|client
  const run = `/kmeta-bench-${Date.now().toString(36)}`;
  const first = clients.find((c): c is BenchClient => typeof c !== "string");
  if (!first) throw new Error(`no client could connect to ${ZK}: ${clients.join("; ")}`);
  await first.create(run, new Uint8Array(0));
  for (let rep = 0; rep < REPS; rep++) {
    for (const [w, workload] of WORKLOADS.entries()) {
      for (const [k, client] of clients.entries()) {
        if (typeof client === "string") continue;
        const s = await measure(client, workload, `${run}/r${rep}w${w}c${k}`);
        const key = `${workload.name}|${client.name}`;
        samples.set(key, [...(samples.get(key) ?? []), s]);
        console.error(`rep ${rep + 1}/${REPS} ${client.name}: ${workload.name}: ${fmt(s.opsPerSec)} ops/s, CPU ${s.cpuMsPer10k.toFixed(0)} ms/10k`);
      }
    }
  }
  await first.delete(run);
  for (const c of clients) if (typeof c !== "string") await c.close();

  const [theirs, ours] = openers.map(([name]) => name);
  const cell = (w: string, c: string, f: (s: Sample) => number) => {
    const xs = samples.get(`${w}|${c}`);
    return xs ? median(xs.map(f)) : undefined;
  };
  const lines = [
    `ZooKeeper ${ZK}, Node ${process.versions.node}, N=${N}, median of ${REPS} interleaved reps`,
    "",
    `| workload | ${theirs} ops/s | ${ours} ops/s | ratio | ${theirs} CPU ms/10k | ${ours} CPU ms/10k | CPU ratio |`,
    "|---|---|---|---|---|---|---|",
  ];
  for (const { name } of WORKLOADS) {
    const [a, b] = [cell(name, theirs!, (s) => s.opsPerSec), cell(name, ours!, (s) => s.opsPerSec)];
    const [ca, cb] = [cell(name, theirs!, (s) => s.cpuMsPer10k), cell(name, ours!, (s) => s.cpuMsPer10k)];
    const show = (x: number | undefined) => (x === undefined ? "—" : fmt(x));
    const ratio = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined ? "—" : `${(y / x).toFixed(2)}×`);
    lines.push(`| ${name} | ${show(a)} | ${show(b)} | ${ratio(a, b)} | ${show(ca)} | ${show(cb)} | ${ratio(ca, cb)} |`);
  }
  for (const c of clients) if (typeof c === "string") lines.push("", `Not measured: ${c}`);
  console.log(lines.join("\n"));
}

await main();
