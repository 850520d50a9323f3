// Run as a child process (tests/faults/child.ts) by tests that need connect() to fail: it must
// reject, and then nothing (a retry timer, a socket) may keep the runtime alive, so this script has
// to end by itself. Prints one JSON line: the error's code and how long connect() took.
//   <runtime> connect_probe.ts <file URL of the runtime's mod.ts> <connection string> [connectionTimeoutMs]
import process from "node:process";

const [moduleUrl, url, timeoutMs = "500"] = process.argv.slice(2);
const { connect } = (await import(moduleUrl!)) as typeof import("../../runtimes/node/mod.ts");
const started = Date.now();
try {
  const client = await connect(url!, { connectionTimeoutMs: Number(timeoutMs) });
  await client.close();
  console.log(JSON.stringify({ connected: true }));
} catch (e) {
  console.log(JSON.stringify({ code: (e as { code?: unknown }).code, ms: Date.now() - started }));
}
