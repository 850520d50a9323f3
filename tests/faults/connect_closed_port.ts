// Run as a child process by zk_faults.ts: connect() to a closed port must reject, and then nothing
// (a retry timer, a socket) may keep the runtime alive, so this script has to end by itself.
//   <runtime> connect_closed_port.ts <file URL of the runtime's mod.ts> <port>
import process from "node:process";

const [moduleUrl, port] = process.argv.slice(2);
const { connect } = (await import(moduleUrl!)) as typeof import("../../runtimes/node/mod.ts");
const started = Date.now();
try {
  const client = await connect(`zk://127.0.0.1:${port}`, { connectionTimeoutMs: 500 });
  await client.close();
  console.log(JSON.stringify({ connected: true }));
} catch (e) {
  console.log(JSON.stringify({ code: (e as { code?: unknown }).code, ms: Date.now() - started }));
}
