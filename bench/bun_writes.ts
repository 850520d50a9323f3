// Which socket API the Bun shim should use: 10,000 100-byte writes against an echo server in a
// separate Node process, all in one tick and with 10 in flight, for Bun.connect (our dial) and
// node:net, each coalesced per tick and, for contrast, one socket write per message.
//   node_modules/.bin/bun bench/bun_writes.ts [N=10000] [REPS=3]
import { spawn } from "node:child_process";
import net from "node:net";
import process from "node:process";
import type { ByteChannel } from "../core/transport.ts";
import { dial as bunDial } from "../runtimes/bun/tcp.ts";

const N = Number(process.argv[2] ?? 10_000);
const REPS = Number(process.argv[3] ?? 3);
const MSG = 100;

/** node:net, writes of one tick joined into one socket.write (what a node:net shim would do). */
function netChannel(port: number, coalesce: boolean): Promise<ByteChannel> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port, noDelay: true }, () => {
      let queue: Uint8Array[] = [];
      const chunks: Uint8Array[] = [];
      let wake: (() => void) | undefined;
      s.on("data", (d: Uint8Array) => {
        chunks.push(d);
        wake?.();
      });
      resolve({
        incoming: (async function* () {
          while (true) {
            const c = chunks.shift();
            if (c) yield c;
            else await new Promise<void>((r) => (wake = r));
          }
        })(),
        write(bytes) {
          if (!coalesce) return void s.write(bytes);
          if (queue.length === 0) {
            queueMicrotask(() => {
              s.write(Buffer.concat(queue));
              queue = [];
            });
          }
          queue.push(bytes);
        },
        close: () => s.destroy(),
      });
    });
    s.on("error", reject);
  });
}

/** Bun.connect with one socket.write per message (no coalescing), for contrast. */
function bunRawChannel(port: number): Promise<ByteChannel> {
  const chunks: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  return Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: { data: (_s, d) => (chunks.push(d), wake?.()) },
  }).then((s) => ({
    incoming: (async function* () {
      while (true) {
        const c = chunks.shift();
        if (c) yield c;
        else await new Promise<void>((r) => (wake = r));
      }
    })(),
    // Bun.write may take part of a buffer; this contrast case ignores it (small writes, echo keeps up).
    write: (bytes: Uint8Array) => void s.write(bytes),
    close: () => s.terminate(),
  }));
}

/**
 * A request/response client shaped like a ZooKeeper client: `call()` writes one message and resolves
 * when its echo is back; one reader loop resolves calls in order, so the continuations of one chunk's
 * replies run in the same tick and their next writes can be joined.
 */
function client(channel: ByteChannel): (msg: Uint8Array) => Promise<void> {
  const pending: (() => void)[] = [];
  let head = 0;
  let partial = 0;
  void (async () => {
    for await (const chunk of channel.incoming) {
      partial += chunk.length;
      for (; partial >= MSG; partial -= MSG) pending[head++]!();
    }
  })().catch(() => {});
  return (msg) =>
    new Promise<void>((resolve) => {
      pending.push(resolve);
      channel.write(msg);
    });
}

async function pool(n: number, limit: number, fn: () => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next++ < n) await fn();
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

async function allAtOnce(channel: ByteChannel): Promise<void> {
  const call = client(channel);
  const msg = new Uint8Array(MSG).fill(120);
  await Promise.all(Array.from({ length: N }, () => call(msg)));
}

async function tenInFlight(channel: ByteChannel): Promise<void> {
  const call = client(channel);
  const msg = new Uint8Array(MSG).fill(120);
  await pool(N, 10, () => call(msg));
}

// The echo server runs in Node so it does not share Bun's event loop or CPU accounting.
const server = spawn(process.env.NODE ?? "node", ["-e", `
  const s = require("node:net").createServer((c) => { c.setNoDelay(true); c.pipe(c); c.on("error", () => {}); });
  s.listen(0, "127.0.0.1", () => console.log(s.address().port));
`], { stdio: ["ignore", "pipe", "inherit"] });
const port: number = await new Promise((resolve) => server.stdout!.once("data", (d) => resolve(Number(String(d)))));

const variants: [string, () => Promise<ByteChannel>][] = [
  ["Bun.connect, coalesced (runtimes/bun/tcp.ts)", () => bunDial("127.0.0.1", port)],
  ["node:net, coalesced", () => netChannel(port, true)],
  ["Bun.connect, one write per message", () => bunRawChannel(port)],
  ["node:net, one write per message", () => netChannel(port, false)],
];
const rows: string[] = [];
for (const [name, open] of variants) {
  for (const [shape, run] of [["all at once", allAtOnce], ["10 in flight", tenInFlight]] as const) {
    const rates: number[] = [];
    const cpus: number[] = [];
    for (let r = 0; r < REPS; r++) {
      const channel = await open();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await run(channel);
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      channel.close();
      rates.push(N / (ms / 1000));
      cpus.push((cpu.user + cpu.system) / 1000);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    rows.push(`| ${name} | ${shape} | ${Math.round(median(rates)).toLocaleString("en")} msg/s | ${median(cpus).toFixed(0)} ms |`);
  }
}
server.kill();
console.log(`runtime: ${process.versions.bun ? `bun ${process.versions.bun}` : `node ${process.versions.node}`}, N=${N}, ${MSG}-byte messages, median of ${REPS}\n`);
console.log("| socket | shape | rate | client CPU per run |\n|---|---|---|---|");
console.log(rows.join("\n"));
process.exit(0);
