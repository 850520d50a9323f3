// Shared by the benchmark orchestrators (Node) and bench/worker.ts (Node, Deno, Bun).
import { spawn } from "node:child_process";
import process from "node:process";
import { createInterface } from "node:readline";

export const DATA: Uint8Array = new Uint8Array(100).fill(120); // 100 bytes of "x", as in the peer baselines

/** A worker command; `root` is the run's subtree (a key prefix for etcd3). */
export type Command =
  | { cmd: "hello" | "cleanup" | "close" | "release"; root: string }
  | { cmd: "prepare" | "get-all" | "get-10" | "get-batch" | "sessions" | "watch-fanout"; root: string; n: number }
  | { cmd: "create"; root: string; n: number; tag: string; keep?: boolean }
  | { cmd: "fenced" | "set"; root: string; n: number }
  | { cmd: "delete" | "mix"; root: string; n: number; tag: string }
  | { cmd: "many-sessions"; root: string; n: number; tag: string; shared?: boolean }
  | { cmd: "seed-failover"; root: string; topics: number; partitions: number }
  | { cmd: "failover" | "etcd-range"; root: string }
  | { cmd: "etcd-writes"; root: string; n: number; tag: string; perTxn?: number };

export interface Reply {
  ms?: number;
  opsPerSec?: number;
  cpuMsPer10k?: number;
  reads?: number;
  /** watch-fanout: each notification's delay after the write was sent. */
  medianMs?: number;
  maxMs?: number;
  runtime?: string;
  error?: string;
}

/** Runs `fn(i)` for every i in [0, n) with at most `limit` calls in flight. */
export async function pool(n: number, limit: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
export const fmt = (x: number | undefined): string => (x === undefined ? "—" : Math.round(x).toLocaleString("en"));
export const ratio = (ours: number | undefined, theirs: number | undefined): string =>
  ours === undefined || theirs === undefined ? "—" : `${(ours / theirs).toFixed(2)}×`;

/** A client under test in its own process (bench/worker.ts), one command at a time. */
export interface Worker {
  readonly label: string;
  runtime: string;
  send(command: Command): Promise<Reply>;
}

/** Starts `argv` (a runtime running bench/worker.ts CLIENT TARGET) and waits for its ready line. */
export async function startWorker(label: string, argv: string[], env: Record<string, string> = {}): Promise<Worker> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, ...env } });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  const early: string[] = [];
  lines.on("line", (line) => {
    const w = waiting.shift();
    if (w) w(line);
    else early.push(line);
  });
  let exited: string | undefined;
  child.on("exit", (code) => {
    exited = `${label} exited (${code})`;
    for (const w of waiting.splice(0)) w(JSON.stringify({ error: exited }));
  });
  const next = () =>
    new Promise<Reply>((resolve) => {
      const take = (line: string) => resolve(JSON.parse(line) as Reply);
      const l = early.shift();
      if (l !== undefined) take(l);
      else if (exited) take(JSON.stringify({ error: exited }));
      else waiting.push(take);
    });
  const hello = await next();
  if (hello.error) throw new Error(hello.error);
  return {
    label,
    runtime: hello.runtime ?? "?",
    async send(command) {
      child.stdin!.write(`${JSON.stringify(command)}\n`);
      const reply = await next();
      if (reply.error) throw new Error(`${label}: ${command.cmd}: ${reply.error}`);
      return reply;
    },
  };
}

/** The command line running bench/worker.ts on a runtime. */
export function workerArgv(runtime: "node" | "deno" | "bun", client: string, target: string): string[] {
  const script = new URL("./worker.ts", import.meta.url).pathname;
  const bin = new URL("../node_modules/.bin/", import.meta.url).pathname;
  if (runtime === "deno") return [`${bin}deno`, "run", "-A", "--no-check", script, client, target];
  if (runtime === "bun") return [`${bin}bun`, script, client, target];
  return [process.execPath, "--import", "tsx", script, client, target];
}

/** Keeps the samples of interleaved reps: key -> values. */
export class Samples {
  readonly #m = new Map<string, number[]>();
  add(key: string, value: number | undefined): void {
    if (value !== undefined) this.#m.set(key, [...(this.#m.get(key) ?? []), value]);
  }
  median(key: string): number | undefined {
    const xs = this.#m.get(key);
    return xs ? median(xs) : undefined;
  }
  range(key: string): string {
    const xs = this.#m.get(key);
    return xs ? `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}` : "—";
  }
}
