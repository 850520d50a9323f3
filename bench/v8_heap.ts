// Prints the live V8 heap, in KiB after a full GC, of a Node process started with --inspect=HOST:PORT:
// bench/server.ts's counterpart of `jcmd GC.run` + `GC.heap_info` for the JVM.
//
//   node --experimental-websocket --import tsx bench/v8_heap.ts HOST:PORT
import process from "node:process";

interface Socket {
  onopen: () => void;
  onerror: (e: unknown) => void;
  onmessage: (m: { data: string }) => void;
  send(text: string): void;
  close(): void;
}
const WebSocketClass = (globalThis as unknown as { WebSocket?: new (url: string) => Socket }).WebSocket;
if (!WebSocketClass) throw new Error("no WebSocket: run under node --experimental-websocket (Node 20) or Node 22+");

const [where] = process.argv.slice(2);
const targets = (await (await fetch(`http://${where}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
const ws = new WebSocketClass(targets[0]!.webSocketDebuggerUrl);
const pending = new Map<number, (result: Record<string, number>) => void>();
ws.onmessage = (m) => {
  const message = JSON.parse(m.data) as { id?: number; result?: Record<string, number> };
  if (message.id !== undefined) pending.get(message.id)?.(message.result ?? {});
};
await new Promise<void>((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
let nextId = 0;
const call = (method: string) =>
  new Promise<Record<string, number>>((resolve) => {
    const id = ++nextId;
    pending.set(id, resolve);
    ws.send(JSON.stringify({ id, method, params: {} }));
  });
await call("HeapProfiler.collectGarbage");
const { usedSize } = await call("Runtime.getHeapUsage");
console.log(Math.round(usedSize! / 1024));
ws.close();
process.exit(0);
