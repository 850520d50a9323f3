// getData throughput of `kmeta serve` on memory:// under Node, Deno and Bun, each on its native
// listener and on node:net, against our zk client on Node (one process for every server):
//
//   tsx bench/listen.ts [--n 10000] [--reps 3] [--port 24530] [--only Deno]   (--only: servers whose label has it)
//
// Servers run one at a time (bench/listen_server.ts), reps interleaved across servers; cells are
// medians of ops/s and of the server process's CPU time per 10k requests (/proc/PID/stat, which a
// busy machine disturbs less than wall time). Prints a table and the machine's load.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { connect, OPEN_ACL_UNSAFE } from "../runtimes/node/mod.ts";
import { DATA, fmt, median, pool } from "./common.ts";

const { values: args } = parseArgs({ options: { n: { type: "string", default: "10000" }, reps: { type: "string", default: "3" }, port: { type: "string", default: "24530" }, only: { type: "string", default: "" } } });
const N = Number(args.n), REPS = Number(args.reps), PORT = Number(args.port);
const bin = new URL("../node_modules/.bin/", import.meta.url).pathname;
const script = new URL("./listen_server.ts", import.meta.url).pathname;
const ALL_SERVERS: { label: string; argv: string[] }[] = [
  { label: "Node, node:net", argv: [process.execPath, "--import", "tsx", script, "node", "native"] },
  { label: "Deno, Deno.listen", argv: [`${bin}deno`, "run", "-A", script, "deno", "native"] },
  { label: "Deno, node:net", argv: [`${bin}deno`, "run", "-A", script, "deno", "node"] },
  { label: "Bun, Bun.listen", argv: [`${bin}bun`, script, "bun", "native"] },
  { label: "Bun, node:net", argv: [`${bin}bun`, script, "bun", "node"] },
];
const SERVERS = ALL_SERVERS.filter((s) => s.label.includes(args.only));

interface Server {
  /** CPU time the server process has used so far, ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

async function startServer(argv: string[]): Promise<Server> {
  const child = spawn(argv[0]!, [...argv.slice(1), String(PORT)], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", () => resolve());
    child.once("exit", (code) => reject(new Error(`${argv.join(" ")} exited with ${code}`)));
  });
  return {
    cpuMs() {
      // Fields 14 and 15 (utime, stime) in clock ticks of 10 ms, after the command's closing parenthesis.
      const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** N getData of 100 bytes with `inFlight` requests at most in flight (N = all at once): ops/s and server CPU ms per 10k. */
async function getData(server: Server, inFlight: number): Promise<{ rate: number; cpu: number }> {
  const client = await connect(`zk://127.0.0.1:${PORT}`);
  try {
    await client.handleRequest({ type: "create", path: "/bench", data: DATA, acl: OPEN_ACL_UNSAFE, mode: 0 });
    await pool(200, 10, () => client.handleRequest({ type: "getData", path: "/bench" })); // warm-up
    const start = performance.now(), cpu = server.cpuMs();
    await pool(N, inFlight, async () => {
      const r = await client.handleRequest({ type: "getData", path: "/bench" });
      if (r.resultCode !== 0) throw new Error(`getData -> ${r.resultCode}`);
    });
    return { rate: N / ((performance.now() - start) / 1000), cpu: ((server.cpuMs() - cpu) * 10000) / N };
  } finally {
    await client.close();
  }
}

const load = loadavg().map((x) => x.toFixed(2)).join(" ");
type Samples = { rate: number[]; cpu: number[] };
const results = new Map<string, { all: Samples; ten: Samples }>(
  SERVERS.map((s) => [s.label, { all: { rate: [], cpu: [] }, ten: { rate: [], cpu: [] } }]),
);
const add = (samples: Samples, r: { rate: number; cpu: number }) => (samples.rate.push(r.rate), samples.cpu.push(r.cpu));
for (let rep = 0; rep < REPS; rep++) {
  for (const { label, argv } of SERVERS) {
    const server = await startServer(argv);
    try {
      const r = results.get(label)!;
      add(r.all, await getData(server, N));
      add(r.ten, await getData(server, 10));
    } finally {
      await server.stop();
    }
  }
}
console.log(`getData ${fmt(N)} x 100 B, our zk client on Node ${process.versions.node}; median of ${REPS}; ${cpus().length} CPUs, load before ${load}, after ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
console.log("| server | all at once, ops/s | server CPU ms / 10k | 10 in flight, ops/s | server CPU ms / 10k |");
console.log("| --- | --- | --- | --- | --- |");
for (const [label, { all, ten }] of results) {
  console.log(`| ${label} | ${fmt(median(all.rate))} | ${fmt(median(all.cpu))} | ${fmt(median(ten.rate))} | ${fmt(median(ten.cpu))} |`);
}
