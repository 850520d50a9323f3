// Checks every runtime's Dial must pass: a node:net echo server on loopback (works on Node, Deno and
// Bun), a real ZooKeeper's `ruok`, and, when configured, a TLS handshake with ZooKeeper's secure port.
// Env: KMETA_ZK=host:port (required: these tests fail, never skip, without it);
//      KMETA_ZK_TLS=host:port and KMETA_ZK_TLS_DIR=DIR/tls from scripts/servers/zk-tls.sh (optional).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import net from "node:net";
import process from "node:process";
import { concatBytes } from "../../core/bytes.ts";
import { ErrorCode, isKeeperError } from "../../core/errors.ts";
import type { ByteChannel, Dial } from "../../core/transport.ts";

const text = new TextEncoder();

/** Reads `channel.incoming` until `bytes` bytes arrived (or to its end when omitted). */
export async function readBytes(channel: ByteChannel, bytes = Infinity): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of channel.incoming) {
    chunks.push(chunk);
    total += chunk.length;
    if (total >= bytes) break;
  }
  return concatBytes(chunks, total);
}

/** A ZooKeeper ConnectRequest frame for a new session: proves a session-level exchange. */
export function connectRequestFrame(timeoutMs = 6000): Uint8Array {
  const frame = new Uint8Array(4 + 45);
  const view = new DataView(frame.buffer);
  view.setInt32(0, 45); // length of what follows
  view.setInt32(4, 0); // protocolVersion
  view.setBigInt64(8, 0n); // lastZxidSeen
  view.setInt32(16, timeoutMs);
  view.setBigInt64(20, 0n); // sessionId: 0 asks for a new session
  view.setInt32(28, 16); // passwd: 16 zero bytes
  frame[48] = 0; // readOnly false
  return frame;
}

/** The session id of a ConnectResponse frame (length 37 + 4). */
export function sessionIdOf(frame: Uint8Array): bigint {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  assert.equal(view.getInt32(0), 37, "ConnectResponse length");
  return view.getBigInt64(12);
}

function hostPortOf(value: string): { host: string; port: number } {
  const i = value.lastIndexOf(":");
  return { host: value.slice(0, i), port: Number(value.slice(i + 1)) };
}

/** Registers the dial checks for one runtime's `dial`. */
export function dialChecks(name: string, dial: Dial): void {
  describe(`${name}`, () => {
    let server: net.Server;
    let port = 0;
    const received: number[] = []; // sizes of 'data' events seen by the echo server
    const sockets = new Set<net.Socket>();

    before(async () => {
      server = net.createServer((socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => {});
        socket.on("data", (chunk: Uint8Array) => {
          received.push(chunk.length);
          const line = new TextDecoder().decode(chunk);
          if (line === "bye") socket.end();
          else if (line === "reset") socket.resetAndDestroy();
          else socket.write(chunk);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as net.AddressInfo).port;
    });
    after(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it("dial() echoes, sending one tick's writes in one socket write", async () => {
      const channel = await dial("127.0.0.1", port);
      received.length = 0;
      const parts = Array.from({ length: 100 }, (_, i) => text.encode(`${i % 10}`));
      for (const p of parts) channel.write(p);
      const echoed = await readBytes(channel, 100);
      assert.equal(new TextDecoder().decode(echoed), parts.map((p) => new TextDecoder().decode(p)).join(""));
      assert.deepEqual(received, [100], "the server saw one 100-byte chunk");
      channel.close();
    });

    it("dial() carries a 1 MB burst of 10,000 writes intact and in order", async () => {
      const channel = await dial("127.0.0.1", port);
      const sent = new Uint8Array(10_000 * 100);
      for (let i = 0; i < 10_000; i++) {
        const msg = sent.subarray(i * 100, (i + 1) * 100);
        new DataView(msg.buffer, msg.byteOffset).setUint32(0, i);
        msg.fill(i % 251, 4);
        channel.write(msg);
      }
      assert.deepEqual(await readBytes(channel, sent.length), sent);
      channel.close();
    });

    it("close() still sends what was written in the same tick", async () => {
      const accepted = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
      const channel = await dial("127.0.0.1", port);
      const socket = await accepted;
      const got = new Promise<string>((resolve) => {
        let text = "";
        socket.on("data", (d: Uint8Array) => (text += new TextDecoder().decode(d)));
        socket.on("close", () => resolve(text));
      });
      channel.write(text.encode("last "));
      channel.write(text.encode("words"));
      channel.close();
      assert.equal(await got, "last words");
    });

    it("incoming ends when the peer closes", async () => {
      const channel = await dial("127.0.0.1", port);
      channel.write(text.encode("bye"));
      assert.equal((await readBytes(channel)).length, 0);
      channel.close();
    });

    it("incoming throws ConnectionLoss when the peer resets", async () => {
      const channel = await dial("127.0.0.1", port);
      channel.write(text.encode("reset"));
      await assert.rejects(readBytes(channel), (e) => isKeeperError(e, ErrorCode.ConnectionLoss));
      channel.close();
    });

    it("close() is idempotent and ends incoming quietly", async () => {
      const channel = await dial("127.0.0.1", port);
      const reading = readBytes(channel);
      channel.close();
      channel.close();
      channel.write(text.encode("ignored after close"));
      assert.equal((await reading).length, 0);
    });

    it("dial() rejects with ConnectionLoss naming host:port when nothing listens", async () => {
      const closed = net.createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const deadPort = (closed.address() as net.AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      await assert.rejects(dial("127.0.0.1", deadPort, { timeoutMs: 2000 }), (e) => {
        return isKeeperError(e, ErrorCode.ConnectionLoss) && e.message.includes(`127.0.0.1:${deadPort}`) && e.failure === "refused";
      });
    });

    it("dial() with TLS rejects after timeoutMs when the handshake never completes", async () => {
      // The echo server never answers a ClientHello with a ServerHello, so only the timeout ends it.
      const silent = net.createServer((s) => {
        s.on("error", () => {});
        sockets.add(s);
      });
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      const silentPort = (silent.address() as net.AddressInfo).port;
      const t0 = performance.now();
      await assert.rejects(dial("127.0.0.1", silentPort, { tls: {}, timeoutMs: 200 }), (e) => {
        return isKeeperError(e, ErrorCode.ConnectionLoss) && e.message.includes(`127.0.0.1:${silentPort}`) &&
          e.message.includes("timed out") && e.failure === "timeout" && e.host === `127.0.0.1:${silentPort}`;
      });
      assert.ok(performance.now() - t0 < 2000, "rejected near the timeout");
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it("a ZooKeeper answers `ruok` with `imok` over dial()", async () => {
      const zk = process.env.KMETA_ZK;
      assert.ok(zk, "KMETA_ZK (host:port of a test ZooKeeper) is not set");
      const { host, port: zkPort } = hostPortOf(zk);
      const channel = await dial(host, zkPort, { timeoutMs: 5000 });
      channel.write(text.encode("ruok"));
      assert.equal(new TextDecoder().decode(await readBytes(channel)), "imok");
      channel.close();
    });

    // Set by scripts/servers/lib.sh (zk-tls.sh); like every real-server test these fail, never skip, without them.
    const tls = process.env.KMETA_ZK_TLS;
    const tlsDir = process.env.KMETA_ZK_TLS_DIR;
    const needTls = () => assert.ok(tls && tlsDir, "KMETA_ZK_TLS and KMETA_ZK_TLS_DIR are not set (scripts/servers/zk-tls.sh)");
    // ZooKeeper's JVM can take many seconds over a TLS handshake on a busy machine (5 s ran out
    // beside a CPU hog): the bounds only keep a dead port from hanging the run.
    it("a ZooKeeper's secure port answers a ConnectRequest over TLS with a client certificate", { timeout: 60_000 }, async () => {
      needTls();
      const { host, port: tlsPort } = hostPortOf(tls!);
      const read = (file: string) => readFileSync(`${tlsDir}/${file}`, "utf8");
      const channel = await dial(host, tlsPort, {
        tls: { ca: read("ca.pem"), cert: read("client.pem"), key: read("client.key") },
        timeoutMs: 30_000,
      });
      channel.write(connectRequestFrame());
      const reply = await readBytes(channel, 41);
      assert.notEqual(sessionIdOf(reply), 0n);
      channel.close();
    });

    it("TLS dial() rejects a server whose certificate the CA did not sign", { timeout: 60_000 }, async () => {
      needTls();
      const { host, port: tlsPort } = hostPortOf(tls!);
      const read = (file: string) => readFileSync(`${tlsDir}/${file}`, "utf8");
      // The client certificate is not a CA: the server's chain cannot verify against it.
      await assert.rejects(
        dial(host, tlsPort, { tls: { ca: read("client.pem"), cert: read("client.pem"), key: read("client.key") }, timeoutMs: 5000 }),
        (e) => isKeeperError(e, ErrorCode.ConnectionLoss),
      );
    });
  });
}
