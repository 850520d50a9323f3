// A client that never reads its replies, against `kmeta serve --max-unread-bytes 4096`: it loses its
// connection (not its session) and another client is served meanwhile. Shared by the hostile-client
// test (memory and etcd) and every runtime's smoke test (each on its own listener).
import assert from "node:assert/strict";
import * as net from "node:net";
import type { KafkaMetastore } from "../../core/api/metastore.ts";
import { OPEN_ACL_UNSAFE } from "../../core/api/acl.ts";
import type { RunningServe } from "../../runtimes/common/serve.ts";
import { getDataFrame, hello } from "./raw.ts";

type Start = (args: string[], log: (line: string) => void) => Promise<RunningServe & { hostPort: string }>;

/** Runs the case on a server `start` makes from extra flags; `after` registers clean-up. */
export async function assertSlowReaderCut(start: Start, connect: (url: string) => Promise<KafkaMetastore>, after: (fn: () => unknown) => void): Promise<void> {
  const logged: string[] = [];
  const stingy = await start(["--max-unread-bytes", "4096"], (line) => logged.push(line));
  const [host, port] = stingy.hostPort.split(":");
  // node:net, which every runtime has, because it can stop reading (pause) while writing on.
  const socket = net.connect(Number(port), host!);
  after(() => (socket.destroy(), stingy.stop()));
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  socket.pause();
  socket.write(hello());
  const client = await connect(`zk://${stingy.hostPort}`);
  await client.handleRequest({ type: "create", path: "/big", data: new Uint8Array(60000), acl: OPEN_ACL_UNSAFE, mode: 0 });
  // 300 getData of 60 kB pipelined without reading a byte back: far more than socket buffers hold.
  const frame = getDataFrame("/big");
  for (let i = 0; i < 300; i++) socket.write(frame);
  assert.equal((await client.handleRequest({ type: "exists", path: "/" })).resultCode, 0);
  // Within the raw session's timeout (4 s), so its expiry cannot be what closes it.
  const deadline = Date.now() + 3000;
  const cut = () => logged.some((l) => /bytes unread/.test(l));
  while (!cut() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(cut(), "the reader that never reads was not cut off");
  assert.equal((await client.handleRequest({ type: "exists", path: "/big" })).resultCode, 0);
  assert.equal(stingy.server.summary().connections.length, 1);
  await client.close();
}
