// Run as a child process (tests/faults/child.ts) by tests that need connect() to fail: it must
// reject, and then nothing (a retry timer, a socket) may keep the runtime alive, so this script has
// to end by itself. Prints one JSON line: the error's code and how long connect() took, in this
// process's running time (tests/faults/stalls.ts: a busy machine's stalls are not the client's).
//   <runtime> connect_probe.ts <file URL of the runtime's mod.ts> <connection string> [connectionTimeoutMs]
import process from "node:process";
import { Stalls } from "./stalls.ts";

const [moduleUrl, url, timeoutMs = "500"] = process.argv.slice(2);
const { connect } = (await import(moduleUrl!)) as typeof import("../../runtimes/node/mod.ts");
const stalls = new Stalls();
const started = performance.now();
try {
  const client = await connect(url!, { connectionTimeoutMs: Number(timeoutMs) });
  await client.close();
  stalls.stop();
  console.log(JSON.stringify({ connected: true }));
} catch (e) {
  const ms = Math.round(stalls.running(started, performance.now()));
  stalls.stop();
  console.log(JSON.stringify({ code: (e as { code?: unknown }).code, ms }));
}
