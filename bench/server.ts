// ZooKeeper-protocol servers side by side (issue 9, "Performance"): the real ZooKeeper 3.8, etcd-io/zetcd
// over etcd, `kmeta serve` on memory and on etcd, and our etcd store used directly; our zk client and
// node-zookeeper-client against each, same run, one table plus the issue's targets as ratios.
//
//   npm run bench:server -- [--targets zk,zetcd,serve-memory,serve-etcd,etcd-store] [--n 10000]
//     [--sessions 1000] [--watchers 100] [--reps 3] [--port-base 24210] [--serve-cpu-prof DIR]
//     [--workloads sessions,fanout,get-all,get-10,create]
//
// Every server is started here on loopback (ports port-base+0..5, data in a temp dir) and stopped by pid;
// a target that does not start is a column of reasons, not a crash; a store `kmeta serve` refuses
// (exit code 2, one line) is a column saying "not served yet: <that line>". Every (target, client) pair is one
// long-lived bench/worker.ts process. Reps are interleaved (rep 1 of every workload and pair, then rep 2;
// the pair order rotates per rep) and cells are medians. Memory per idle session is the server
// process's VmRSS (/proc/PID/status) with the sessions open minus just before they opened, over their
// number; the sessions run first in each rep, so rep 1 sees a server that never held them.
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { fmt, ratio, Samples, startWorker, type Worker, workerArgv } from "./common.ts";

const { values: args } = parseArgs({
  options: {
    targets: { type: "string", default: "zk,zetcd,serve-memory,serve-etcd,etcd-store" },
    n: { type: "string", default: "10000" },
    sessions: { type: "string", default: "1000" },
    watchers: { type: "string", default: "100" },
    reps: { type: "string", default: "3" },
    "port-base": { type: "string", default: "24210" },
    "serve-cpu-prof": { type: "string" },
    workloads: { type: "string", default: "sessions,fanout,get-all,get-10,create" },
  },
});
const N = Number(args.n);
const SESSIONS = Number(args.sessions);
const WATCHERS = Number(args.watchers);
const REPS = Number(args.reps);
const PORT = Number(args["port-base"]);
const REPO = new URL("..", import.meta.url).pathname;
const SERVERS = join(REPO, "scripts/servers");
/** A worker command taking longer than this leaves that worker out of the rest of the run. */
const COMMAND_TIMEOUT_MS = 600_000;
/** Pause before reading the server's memory, so sessions just opened have settled. */
const SETTLE_MS = 1000;
/** `--serve-cpu-prof DIR`: each `kmeta serve` writes a V8 CPU profile there when it stops. */
const SERVE_NODE_FLAGS = args["serve-cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${args["serve-cpu-prof"]}`] : [];
const stamp = Date.now().toString(36);
const tmp = await mkdtemp(join(tmpdir(), "kmeta-bench-server-"));

// --- processes ---

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const lastLines = (text: string, n = 3) => text.trim().split("\n").slice(-n).join(" | ");

/** Runs a script to completion; its stdout, or an error carrying its stderr's last lines. */
function run(file: string, argv: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(file, argv, { env: { ...process.env, ...env }, cwd: REPO }, (e, stdout, stderr) =>
      e ? reject(new Error(lastLines(stderr) || e.message)) : resolve(stdout.trim())),
  );
}

/** A server process of ours: its stderr tail kept for messages, stopped by its pid. */
interface Child {
  pid: number;
  /** Resolves with the first stderr line containing `text`; rejects if the process exits first. */
  line(text: string, timeoutMs: number): Promise<string>;
  stop(): Promise<void>;
}
function startChild(argv: string[]): Child {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: REPO, stdio: ["ignore", "ignore", "pipe"] });
  let tail = "";
  let exited: string | undefined;
  const waits: (() => void)[] = [];
  const wake = () => waits.splice(0).forEach((w) => w());
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => ((tail = (tail + chunk).slice(-8192)), wake()));
  child.on("exit", (code, signal) => ((exited = `exited (${signal ?? code})`), wake()));
  child.on("error", (e) => ((exited = e.message), wake()));
  return {
    pid: child.pid ?? -1,
    async line(text, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const hit = tail.split("\n").find((l) => l.includes(text));
        if (hit) return hit;
        // Its first line says why (a usage text or a stack trace follows it).
        if (exited) throw new Error(`${exited}: ${tail.trim().split("\n")[0] || "no output"}`);
        if (performance.now() > deadline) throw new Error(`no "${text}" in ${timeoutMs} ms: ${lastLines(tail) || "no output"}`);
        await Promise.race([new Promise<void>((w) => waits.push(w)), sleep(200)]);
      }
    },
    async stop() {
      if (exited) return;
      child.kill("SIGTERM");
      for (let i = 0; i < 100 && !exited; i++) await sleep(100);
      if (!exited) child.kill("SIGKILL");
    },
  };
}

/** Sends a four-letter word and returns the whole answer. */
function fourLetter(address: string, word: string): Promise<string> {
  const [host, port] = address.split(":");
  return new Promise((resolve, reject) => {
    const s = tcpConnect(Number(port), host!, () => s.end(word));
    let text = "";
    s.setEncoding("utf8").on("data", (d: string) => (text += d));
    s.setTimeout(3000, () => s.destroy(new Error(`${word}: no answer in 3 s`)));
    s.on("close", () => resolve(text)).on("error", reject);
  });
}

/** Waits until something accepts TCP connections on `address`. */
async function accepting(address: string, timeoutMs: number): Promise<void> {
  const [host, port] = address.split(":");
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = tcpConnect(Number(port), host!, () => (s.destroy(), resolve(true)));
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    if (performance.now() > deadline) throw new Error(`nothing accepts on ${address} after ${timeoutMs} ms`);
    await sleep(200);
  }
}

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
}

/** CPU time (user + system) a process has used, in ms; /proc counts clock ticks of 10 ms (CLK_TCK 100). */
async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A Node process's live V8 heap after a full GC, through its inspector (bench/v8_heap.ts). */
async function v8LiveKiB(inspector: string): Promise<number> {
  return Number(await run(process.execPath, ["--experimental-websocket", "--import", "tsx", join(REPO, "bench/v8_heap.ts"), inspector]));
}

/** A JVM's live heap after a full GC (jcmd), to show what an idle session holds where RSS cannot. */
async function jvmLiveKiB(pid: number): Promise<number> {
  await run("jcmd", [`${pid}`, "GC.run"]);
  return Number(/heap\s+total \d+K, used (\d+)K/.exec(await run("jcmd", [`${pid}`, "GC.heap_info"]))?.[1] ?? NaN);
}

// --- targets ---

interface Running {
  /** host:port the clients dial. */
  address: string;
  /** The process whose memory is the server's, and the etcd behind it if any. */
  pid: number;
  etcdPid?: number;
  /** The server's live heap after a full GC, in KiB (JVM: jcmd; Node: its inspector). */
  liveHeapKiB?: () => Promise<number>;
  about: string;
  stop(): Promise<void>;
}
interface Target {
  name: string;
  label: string;
  /** The URL scheme the workers dial: zk for the ZooKeeper-protocol servers. */
  scheme: "zk" | "etcd";
  clients: readonly ClientName[];
  start(): Promise<Running>;
}
type ClientName = "ours" | "nzc";
const CLIENT_LABEL: Record<ClientName, string> = { ours: "ours", nzc: "node-zookeeper-client 1.1.3" };

const stops: (() => Promise<void>)[] = [];
let etcdStarted: Promise<{ address: string; pid: number }> | undefined;
/** One etcd 3.4 for every etcd-backed target (they run one at a time). */
function etcd(): Promise<{ address: string; pid: number }> {
  etcdStarted ??= (async () => {
    const dir = join(tmp, "etcd");
    const env = { ETCD_CLIENT_PORT: `${PORT + 1}`, ETCD_PEER_PORT: `${PORT + 2}` };
    const pid = Number(await run("bash", [join(SERVERS, "start-etcd.sh"), dir], env));
    stops.push(() => run("bash", [join(SERVERS, "stop.sh"), dir]).then(() => {}));
    return { address: `127.0.0.1:${PORT + 1}`, pid };
  })();
  return etcdStarted;
}

/** `kmeta serve` refused its store: the column says so instead of measuring. */
class NotServed extends Error {
  constructor(refusal: string) {
    super(`not served yet: ${refusal}`);
  }
}

/** `kmeta serve` on a store, started through the CLI as a user would. */
async function startServe(port: number, store: string, flags: string[] = []): Promise<Running> {
  const address = `127.0.0.1:${port}`;
  // Only for the live-heap round after the reps (an inspector no client attaches to costs nothing).
  const inspector = `127.0.0.1:${port + 2}`;
  // No per-address limit, as the ZooKeeper here (maxClientCnxns=0): every bench session comes from 127.0.0.1.
  const child = startChild([
    process.execPath, `--inspect=${inspector}`, "--import", "tsx", ...SERVE_NODE_FLAGS, "runtimes/node/cli/kmeta.ts", "serve",
    "--listen", address, "--store", store, ...flags, "--max-connections-per-address", "0",
  ]);
  try {
    await child.line(`listening on ${address}`, 60_000);
    const answer = await fourLetter(address, "ruok");
    if (answer !== "imok") throw new Error(`ruok answered ${JSON.stringify(answer)}`);
  } catch (e) {
    await child.stop();
    // A store this version refuses is one line and exit code 2 (the CLI's bad-input contract).
    const refusal = /^exited \(2\): (.+)$/.exec(message(e));
    throw refusal ? new NotServed(refusal[1]!) : e;
  }
  return {
    address,
    pid: child.pid,
    liveHeapKiB: () => v8LiveKiB(inspector),
    about: ["kmeta serve --store", store, ...flags].join(" "),
    stop: () => child.stop(),
  };
}

const TARGETS: Target[] = [
  {
    name: "zk",
    label: "ZooKeeper 3.8",
    scheme: "zk",
    clients: ["ours", "nzc"],
    async start() {
      const dir = join(tmp, "zk");
      const pid = Number(await run("bash", [join(SERVERS, "start-zk.sh"), dir], { ZK_PORT: `${PORT}` }));
      const address = `127.0.0.1:${PORT}`;
      const version = /Zookeeper version: ([^,\n-]+)/.exec(await fourLetter(address, "srvr"))?.[1] ?? "?";
      return { address, pid, liveHeapKiB: () => jvmLiveKiB(pid), about: `ZooKeeper ${version} standalone (Debian, -Xmx256m)`, stop: () => run("bash", [join(SERVERS, "stop.sh"), dir]).then(() => {}) };
    },
  },
  {
    name: "zetcd",
    label: "zetcd 0.0.5 / etcd",
    scheme: "zk",
    clients: ["ours", "nzc"],
    async start() {
      const bin = (await run("bash", [join(REPO, "bench/zetcd.sh")])).split("\n").at(-1)!;
      const store = await etcd();
      const address = `127.0.0.1:${PORT + 3}`;
      const child = startChild([bin, "--zkaddr", address, "--endpoints", store.address, "-logtostderr"]);
      try {
        await accepting(address, 30_000);
      } catch (e) {
        await child.stop();
        throw e;
      }
      return { address, pid: child.pid, etcdPid: store.pid, about: `zetcd v0.0.5 (bench/zetcd.sh) over etcd ${store.address}`, stop: () => child.stop() };
    },
  },
  {
    name: "serve-memory",
    label: "kmeta serve, memory",
    scheme: "zk",
    clients: ["ours", "nzc"],
    start: () => startServe(PORT + 4, "memory://"),
  },
  {
    name: "serve-etcd",
    label: "kmeta serve, etcd",
    scheme: "zk",
    clients: ["ours", "nzc"],
    async start() {
      const store = await etcd();
      const prefix = `kmeta-bench-serve-${stamp}/`;
      return { ...(await startServe(PORT + 5, `etcd://${store.address}`, ["--etcd-prefix", prefix])), etcdPid: store.pid };
    },
  },
  {
    name: "etcd-store",
    label: "etcd store, direct",
    scheme: "etcd",
    clients: ["ours"],
    async start() {
      const store = await etcd();
      return { ...store, about: `our etcd store on ${store.address}, no server in between`, stop: () => Promise.resolve() };
    },
  },
];

// --- the run ---

/** What a workload could not do, by `workload|target|client` (or `start|target|client`). */
const failures = new Map<string, string>();
/** Gaps of zetcd that explain a failure, shown next to the error. */
const KNOWN_GAPS: Record<string, string> = {
  "create|zetcd|ours":
    "zetcd v0.0.5 has no create2 (op 15), which our client's create sends; zetcd logs \"unknown opcode 15\" and drops the connection",
};

interface Pair {
  target: Target;
  client: ClientName;
  worker?: Worker;
  running?: Running;
}
const selected = args.targets.split(",").map((name) => {
  const t = TARGETS.find((t) => t.name === name);
  if (!t) {
    console.error(`bench:server: unknown target "${name}" (known: ${TARGETS.map((t) => t.name).join(", ")})`);
    process.exit(2);
  }
  return t;
});
const root = `/kmeta-bench-${stamp}`;
const load0 = loadavg();
const started = new Map<Target, Running>();
const pairs: Pair[] = [];
const stopAll = async () => {
  for (const r of started.values()) await r.stop().catch(() => {});
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
  await rm(tmp, { recursive: true, force: true });
};
process.on("SIGINT", () => void stopAll().finally(() => process.exit(130)));

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
/** One worker command, bounded: a worker that overruns is left out from then on (its replies would misalign). */
async function send(pair: Pair, key: string, command: Parameters<Worker["send"]>[0]) {
  if (!pair.worker) throw new Error("no worker");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no reply in ${COMMAND_TIMEOUT_MS / 1000} s`)), COMMAND_TIMEOUT_MS)));
  try {
    return await Promise.race([pair.worker.send(command), late]);
  } catch (e) {
    if (message(e).startsWith("no reply")) pair.worker = undefined;
    failures.set(key, message(e));
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** Samples by `workload|target|client` (and `|rate`, `|ms`, ... per figure). */
const s = new Samples();
type WorkloadKey = "sessions" | "fanout" | "get-all" | "get-10" | "create";
/** Runs one workload for one pair and records its samples under `workload|target|client`. */
async function measure(workload: WorkloadKey, pair: Pair, rep: number): Promise<void> {
  const key = `${workload}|${pair.target.name}|${pair.client}`;
  const { running } = pair;
  if (!running || !pair.worker || failures.has(key)) return;
  if ((workload === "sessions" || workload === "fanout") && pair.target.scheme !== "zk") return;
  try {
    if (workload === "sessions") {
      const before = await rssKiB(running.pid);
      const etcdBefore = running.etcdPid ? await rssKiB(running.etcdPid) : undefined;
      const r = await send(pair, key, { cmd: "sessions", root, n: SESSIONS });
      await sleep(SETTLE_MS);
      const memory = ((await rssKiB(running.pid)) - before) / SESSIONS;
      const at = `${pair.target.name}|${pair.client}`;
      s.add(`${key}|ms`, r.ms);
      s.add(`memory|${at}`, memory);
      if (etcdBefore !== undefined) s.add(`etcd-memory|${at}`, ((await rssKiB(running.etcdPid!)) - etcdBefore) / SESSIONS);
      await send(pair, key, { cmd: "release", root });
      console.error(`rep ${rep + 1}/${REPS} ${key}: ${fmt(r.ms)} ms, server RSS Δ ${memory.toFixed(1)} KiB/session`);
    } else if (workload === "fanout") {
      const r = await send(pair, key, { cmd: "watch-fanout", root, n: WATCHERS });
      s.add(`${key}|median`, r.medianMs);
      s.add(`${key}|max`, r.maxMs);
      console.error(`rep ${rep + 1}/${REPS} ${key}: median ${r.medianMs?.toFixed(1)} ms, max ${r.maxMs?.toFixed(1)} ms`);
    } else {
      const cpu0 = await cpuMs(running.pid);
      const etcdCpu0 = running.etcdPid ? await cpuMs(running.etcdPid) : undefined;
      const r = await send(pair, key, { cmd: workload, root, n: N, tag: `${rep}${pair.client}` });
      const per10k = (ms: number) => ms * (10_000 / N);
      const serverCpu = per10k((await cpuMs(running.pid)) - cpu0);
      s.add(`${key}|rate`, r.opsPerSec);
      // Reads only: a create's worker command also deletes its nodes, untimed.
      if (workload !== "create") {
        s.add(`${key}|cpu`, serverCpu);
        if (etcdCpu0 !== undefined) s.add(`${key}|etcd-cpu`, per10k((await cpuMs(running.etcdPid!)) - etcdCpu0));
      }
      console.error(`rep ${rep + 1}/${REPS} ${key}: ${fmt(r.opsPerSec)} ops/s, server CPU ${fmt(serverCpu)} ms per 10,000`);
    }
  } catch (e) {
    console.error(`rep ${rep + 1}/${REPS} ${key}: ${message(e)}`);
  }
}

/** Starts every selected target, a worker per client, and the read set. */
async function startAll(): Promise<void> {
  for (const target of selected) {
    let running: Running | undefined;
    try {
      running = await target.start();
      started.set(target, running);
      console.error(`${target.name}: ${running.about} on ${running.address}, pid ${running.pid}`);
    } catch (e) {
      const why = e instanceof NotServed ? e.message : `did not start: ${message(e)}`;
      failures.set(`start|${target.name}`, why);
      console.error(`${target.name}: ${why}`);
    }
    for (const client of target.clients) {
      const pair: Pair = { target, client, running };
      pairs.push(pair);
      if (!running) continue;
      try {
        pair.worker = await startWorker(`${client} on ${target.name}`, workerArgv("node", client, `${target.scheme}://${running.address}`), {
          KMETA_BENCH_PREFIX: `kmeta-bench-${stamp}/`,
        });
      } catch (e) {
        failures.set(`start|${target.name}|${client}`, `client did not connect: ${message(e)}`);
      }
    }
    // One read set per target, made by the first client that can (node-zookeeper-client's plain create
    // also works on zetcd), read by both.
    const makers = (["nzc", "ours"] as const).flatMap((client) => pairs.filter((p) => p.target === target && p.client === client && p.worker));
    for (const maker of makers) {
      try {
        const r = await send(maker, `prepare|${target.name}|${maker.client}`, { cmd: "prepare", root, n: N });
        console.error(`${target.name}: read set of ${N} made by ${maker.client} at ${fmt(r.opsPerSec)}/s`);
        break;
      } catch (e) {
        console.error(`${target.name}: ${maker.client} could not make the read set: ${message(e)}`);
      }
    }
  }
}

const WORKLOAD_KEYS: readonly WorkloadKey[] = ["sessions", "fanout", "get-all", "get-10", "create"];
const WORKLOADS = args.workloads.split(",").map((w) => {
  if (!WORKLOAD_KEYS.includes(w as WorkloadKey)) {
    console.error(`bench:server: unknown workload "${w}" (known: ${WORKLOAD_KEYS.join(", ")})`);
    process.exit(2);
  }
  return w as WorkloadKey;
});
async function runReps(): Promise<void> {
  for (let rep = 0; rep < REPS; rep++) {
    for (const workload of WORKLOADS) {
      for (let j = 0; j < pairs.length; j++) await measure(workload, pairs[(j + rep) % pairs.length]!, rep);
    }
  }
}

// The live heap per idle session (JVM and Node servers), after the reps: full GCs shrink a heap, which
// would skew the RSS of any sessions measured after them.
async function measureLiveHeap(): Promise<void> {
  for (const pair of pairs) {
    const key = `heap|${pair.target.name}|${pair.client}`;
    const liveHeapKiB = pair.running?.liveHeapKiB;
    if (!liveHeapKiB || !pair.worker || failures.has(`sessions|${pair.target.name}|${pair.client}`)) continue;
    try {
      await send(pair, key, { cmd: "sessions", root, n: SESSIONS });
      const held = await liveHeapKiB();
      await send(pair, key, { cmd: "release", root });
      await sleep(SETTLE_MS);
      const heap = (held - (await liveHeapKiB())) / SESSIONS;
      s.add(key, heap);
      console.error(`${key}: live heap ${heap.toFixed(1)} KiB/session`);
    } catch (e) {
      console.error(`${key}: live heap not measured: ${message(e)}`);
    }
  }
}

async function closeWorkers(): Promise<void> {
  for (const pair of pairs) {
    if (!pair.worker) continue;
    await send(pair, `cleanup|${pair.target.name}|${pair.client}`, { cmd: "cleanup", root }).catch(() => {});
    await pair.worker.send({ cmd: "close", root: "" }).catch(() => {});
  }
}

try {
  await startAll();
  await runReps();
  await measureLiveHeap();
  await closeWorkers();
} finally {
  await stopAll();
}
const load1 = loadavg();

// --- the table ---

const notes: string[] = [];
const shownRefusals = new Set<string>();
/** A footnote marker for the failure under `key`, if any. */
function failed(key: string, target: string, client: string): string | undefined {
  const why = failures.get(`start|${target}`) ?? failures.get(`start|${target}|${client}`) ?? failures.get(key);
  if (why === undefined) return undefined;
  if (why.startsWith("not served yet")) {
    // The refusal once, in the column's first cell.
    const first = !shownRefusals.has(target);
    shownRefusals.add(target);
    return first ? why : "not served yet";
  }
  const gap = KNOWN_GAPS[key];
  const text = gap ? `${gap} (observed: ${why})` : why;
  let k = notes.indexOf(text);
  if (k < 0) k = notes.push(text) - 1;
  return `✗ [${k + 1}]`;
}
const one = (x: number | undefined, digits = 1) => (x === undefined ? "—" : x.toFixed(digits));
const n = (x: number) => x.toLocaleString("en");
const ROWS: [label: string, workload: WorkloadKey, cell: (key: string, t: string, c: string) => string][] = [
  [`getData ${n(N)} (100 B), all at once, ops/s`, "get-all", (k) => fmt(s.median(`${k}|rate`))],
  [`getData ${n(N)} (100 B), 10 in flight, ops/s`, "get-10", (k) => fmt(s.median(`${k}|rate`))],
  [`create ${n(N)} (100 B), pipelined, ops/s`, "create", (k) => fmt(s.median(`${k}|rate`))],
  [`server CPU per 10,000 getData, all at once / 10 in flight, ms (+ etcd's)`, "get-all", (_k, t, c) =>
    [`get-all|${t}|${c}`, `get-10|${t}|${c}`].map((k) => {
      const etcdPart = s.median(`${k}|etcd-cpu`);
      return `${fmt(s.median(`${k}|cpu`))}${etcdPart === undefined ? "" : ` (+ ${fmt(etcdPart)})`}`;
    }).join(" / ")],
  [`${n(SESSIONS)} sessions at once: time to connect all, ms`, "sessions", (k) => fmt(s.median(`${k}|ms`))],
  [
    `server memory per idle session, KiB (RSS Δ / ${n(SESSIONS)}; + etcd's)`,
    "sessions",
    (_k, t, c) => {
      const etcdPart = s.median(`etcd-memory|${t}|${c}`);
      return `${one(s.median(`memory|${t}|${c}`))}${etcdPart === undefined ? "" : ` (+ ${one(etcdPart)})`}`;
    },
  ],
  [`live heap per idle session after a full GC, KiB (JVM: jcmd; Node: inspector)`, "sessions", (_k, t, c) =>
    [...started].some(([target, r]) => target.name === t && r.liveHeapKiB) ? one(s.median(`heap|${t}|${c}`)) : "n/a"],
  [`${n(WATCHERS)} watches fired by one setData: median / max, ms`, "fanout", (k) => `${one(s.median(`${k}|median`))} / ${one(s.median(`${k}|max`))}`],
];
const lines = [
  `kmeta serve benchmark, ${new Date().toISOString().slice(0, 16)}Z, Node ${process.versions.node}, ${cpus().length} CPUs (shared: load average ${load0.map((x) => x.toFixed(1)).join(" ")} at start, ${load1.map((x) => x.toFixed(1)).join(" ")} at end)`,
  `N=${n(N)}, ${n(SESSIONS)} sessions, ${n(WATCHERS)} watchers, median of ${REPS} interleaved rep(s)`,
  ...selected.map((t) => `- ${t.label}: ${started.get(t)?.about ?? "not started"}`),
  "",
  `| workload | client | ${selected.map((t) => t.label).join(" | ")} |`,
  `|---|---|${selected.map(() => "---|").join("")}`,
];
for (const [label, workload, cell] of ROWS) {
  if (!WORKLOADS.includes(workload)) continue;
  for (const client of ["ours", "nzc"] as const) {
    const cells = selected.map((t) => {
      if (!t.clients.includes(client) || ((workload === "sessions" || workload === "fanout") && t.scheme !== "zk")) return "n/a";
      const key = `${workload}|${t.name}|${client}`;
      return failed(key, t.name, client) ?? cell(key, t.name, client);
    });
    lines.push(`| ${label} | ${CLIENT_LABEL[client]} | ${cells.join(" | ")} |`);
  }
}

// The issue's targets: [ours over theirs, goal, higher is better].
const GOALS: [what: string, workload: WorkloadKey | "memory" | "heap", ours: string, theirs: string, goal: number][] = [
  ["getData all at once", "get-all", "serve-memory", "zk", 1.5],
  ["getData 10 in flight", "get-10", "serve-memory", "zk", 1.5],
  ["creates", "create", "serve-memory", "zk", 1.0],
  ["getData all at once", "get-all", "serve-etcd", "zetcd", 2],
  ["getData 10 in flight", "get-10", "serve-etcd", "zetcd", 2],
  ["creates", "create", "serve-etcd", "zetcd", 2],
  ["getData all at once", "get-all", "serve-etcd", "etcd-store", 0.7],
  ["getData 10 in flight", "get-10", "serve-etcd", "etcd-store", 0.7],
  ["creates", "create", "serve-etcd", "etcd-store", 0.7],
  ["memory per idle session (RSS)", "memory", "serve-memory", "zk", 1.0],
  ["memory per idle session (RSS)", "memory", "serve-etcd", "zk", 1.0],
  ["memory per idle session (live heap)", "heap", "serve-memory", "zk", 1.0],
  ["memory per idle session (live heap)", "heap", "serve-etcd", "zk", 1.0],
];
lines.push(
  "",
  "Memory per idle session: the server's RSS growth while the sessions are open. A JVM's RSS follows its heap sizing",
  "(eden pages touched or reused, GCs) more than what a session holds, so the live heap is measured too, in an extra",
  "round after the reps: a full GC with the sessions open and one after they closed (JVM: jcmd; kmeta serve: its",
  "inspector, HeapProfiler.collectGarbage + Runtime.getHeapUsage); neither counts native buffers. The sessions run",
  "first in each rep; the second client's see a server that has held the first's.",
);
const names = new Map(TARGETS.map((t) => [t.name, t.label]));
lines.push("", "Issue 9's targets (ratio of medians; memory: lower is better):", "", `| target | goal | ${CLIENT_LABEL.ours} | ${CLIENT_LABEL.nzc} |`, "|---|---|---|---|");
for (const [what, workload, ours, theirs, goal] of GOALS) {
  const lower = workload === "memory" || workload === "heap";
  const cells = (["ours", "nzc"] as const).map((client) => {
    if (!TARGETS.find((t) => t.name === theirs)!.clients.includes(client)) return "n/a";
    const value = (t: string) => (lower ? s.median(`${workload}|${t}|${client}`) : s.median(`${workload}|${t}|${client}|rate`));
    const [a, b] = [value(ours), value(theirs)];
    if (a === undefined || b === undefined) {
      if (![ours, theirs].every((t) => selected.some((x) => x.name === t))) return "not run";
      return [ours, theirs].some((t) => failures.get(`start|${t}`)?.startsWith("not served yet")) ? "not served yet" : "not measured";
    }
    return `${ratio(a, b)} ${(lower ? a <= b * goal : a >= b * goal) ? "met" : "**missed**"}`;
  });
  lines.push(`| ${what}: ${names.get(ours)} / ${names.get(theirs)} | ${lower ? "≤" : "≥"} ${goal}× | ${cells.join(" | ")} |`);
}
if (notes.length > 0) lines.push("", ...notes.map((text, k) => `[${k + 1}] ${text}`));
console.log(lines.join("\n"));
process.exit(0);
