// Hostile and broken clients against `kmeta serve`: each is cut off alone, nothing crashes, no
// committed write is lost, and other clients are served throughout. TLS with client certificates.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import process from "node:process";
import { connect, CreateMode, OPEN_ACL_UNSAFE } from "../../runtimes/node/mod.ts";
import { encodeRequest } from "../../core/zk/records.ts";
import { OpCode } from "../../core/zk/opcodes.ts";
import { readFileSync } from "node:fs";
import { etcdStoreArgs, startTestServer } from "./serve.ts";
import { hello, lengthPrefix } from "./raw.ts";
import { assertSlowReaderCut } from "./slow_reader.ts";

/** Opens a raw socket, writes `bytes`, and resolves with what came back once the server closed it (or `ms` passed). */
function raw(hostPort: string, chunks: Uint8Array[], ms = 5000): Promise<{ closed: boolean; bytes: number }> {
  const [host, port] = hostPort.split(":");
  return new Promise((resolve) => {
    let bytes = 0;
    const socket = net.connect(Number(port), host!, () => chunks.forEach((c) => socket.write(c)));
    const timer = setTimeout(() => (socket.destroy(), resolve({ closed: false, bytes })), ms);
    socket.on("data", (d) => (bytes += d.length));
    socket.on("close", () => (clearTimeout(timer), resolve({ closed: true, bytes })));
    socket.on("error", () => {});
  });
}

for (const [name, store] of [["memory", () => []], ["etcd", () => etcdStoreArgs("hostile")]] as const) {
  describe(`kmeta serve (${name}) against hostile clients`, () => {
    let server: Awaited<ReturnType<typeof startTestServer>>;
    before(async () => {
      server = await startTestServer([
        "--max-connections-per-address",
        "20",
        "--max-frame-bytes",
        "65536",
        "--min-session-timeout",
        "2000",
        ...store(),
      ]);
    });
    after(() => server.stop());

    it("closes a connection that announces a frame over --max-frame-bytes", async () => {
      assert.equal((await raw(server.hostPort, [hello(), lengthPrefix(65537)])).closed, true);
    });

    it("closes a connection whose request body is truncated garbage, keeps serving others", async () => {
      const garbage = new Uint8Array([0, 0, 0, 6, 0, 0, 0, 1, 0, 0]);
      const r = await raw(server.hostPort, [hello(), garbage]);
      assert.equal(r.closed, true);
      const client = await connect(`zk://${server.hostPort}`);
      assert.equal((await client.handleRequest({ type: "exists", path: "/" })).resultCode, 0);
      await client.close();
    });

    it("closes a connection whose first frame is not a ConnectRequest", async () => {
      assert.equal((await raw(server.hostPort, [new Uint8Array([0, 0, 0, 3, 1, 2, 3])])).closed, true);
    });

    it("refuses connections over --max-connections-per-address, as maxClientCnxns", async () => {
      const sockets: net.Socket[] = [];
      const [host, port] = server.hostPort.split(":");
      try {
        for (let i = 0; i < 20; i++) {
          await new Promise<void>((resolve) => sockets.push(net.connect(Number(port), host!, resolve)));
        }
        await new Promise((r) => setTimeout(r, 100));
        assert.deepEqual(await raw(server.hostPort, [hello()], 3000), { closed: true, bytes: 0 });
      } finally {
        sockets.forEach((s) => s.destroy());
      }
    });

    it("a half-open client's session expires after its timeout; its ephemeral goes, others see it", async () => {
      const [host, port] = server.hostPort.split(":");
      const silent = net.connect(Number(port), host!);
      silent.on("error", () => {});
      await new Promise<void>((resolve) => silent.once("connect", resolve));
      silent.write(hello());
      silent.write(
        encodeRequest(1, { type: OpCode.Create, path: "/half-open", data: null, acl: OPEN_ACL_UNSAFE, flags: 1 }),
      );
      const observer = await connect(`zk://${server.hostPort}`, { sessionTimeoutMs: 10000 });
      try {
        const exists = async () => (await observer.handleRequest({ type: "exists", path: "/half-open" })).resultCode;
        const deadline = Date.now() + 3000;
        while ((await exists()) !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        assert.equal(await exists(), 0, "the silent client's ephemeral was never created");
        // The socket stays open and says nothing more: no pings, so the session must expire.
        const expiry = Date.now() + 20000;
        while ((await exists()) === 0 && Date.now() < expiry) await new Promise((r) => setTimeout(r, 100));
        assert.equal(await exists(), -101, "the ephemeral of a silent session outlived its timeout");
      } finally {
        await observer.close();
        silent.destroy();
      }
    });

    it("a client that never reads its replies loses its connection; others are served", async (t) => {
      await assertSlowReaderCut((args, log) => startTestServer(args, log), connect, (fn) => t.after(fn));
    });
  });
}

describe("kmeta serve --secure-listen", () => {
  it("serves TLS clients with a certificate beside the plain port", async (t) => {
    const dir = process.env.KMETA_ZK_TLS_DIR;
    if (!dir) throw new Error("KMETA_ZK_TLS_DIR is not set (scripts/servers/zk-tls.sh makes the certificates)");
    const server = await startTestServer([
      "--secure-listen",
      "127.0.0.1:0",
      "--cert",
      `${dir}/server.pem`,
      "--key",
      `${dir}/server.key`,
      "--ca",
      `${dir}/ca.pem`,
    ]);
    t.after(() => server.stop());
    const secure = server.listeners[1]!;
    const tls = {
      ca: readFileSync(`${dir}/ca.pem`, "utf8"),
      cert: readFileSync(`${dir}/client.pem`, "utf8"),
      key: readFileSync(`${dir}/client.key`, "utf8"),
    };
    const client = await connect(`zk://127.0.0.1:${secure.port}`, { zk: { tls } });
    const created = await client.handleRequest({
      type: "create",
      path: "/over-tls",
      data: null,
      acl: OPEN_ACL_UNSAFE,
      mode: CreateMode.Persistent,
    });
    assert.equal(created.resultCode, 0);
    await client.close();
    const plain = await connect(`zk://${server.hostPort}`);
    assert.equal((await plain.handleRequest({ type: "exists", path: "/over-tls" })).resultCode, 0);
    await plain.close();
  });
});
