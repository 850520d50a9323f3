// Bad input for the etcd store over gRPC (reliability.md §7.3), on Node, against the test etcd
// (KMETA_ETCD=host:port): endpoints that are not etcd at all (a server writing garbage, one that
// answers HTTP/1.1, ones that hang up mid-stream, one that never answers), a session lease revoked
// behind the client's back, and Multis too large for one etcd Txn. Node only: the transport is the
// same code on every runtime, and the fake members are plain node:net servers.
//
//   node --import tsx --test tests/etcd/bad_member_test.ts
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { codeName, CreateMode, ErrorCode, type KafkaMetastore } from "../../core/mod.ts";
import { connect } from "../../runtimes/node/mod.ts";
import { createGrpcEtcdApi } from "../../runtimes/common/etcd/grpc_api.ts";
import { assertCode, bytes, calls, create, waitFor } from "../conformance/helpers.ts";
import { startProxy } from "../conformance/tcp_proxy.ts";
import { runChild } from "../faults/child.ts";
import { Stalls } from "../faults/stalls.ts";
import { endpoint } from "./_etcd_api_helpers.ts";

const CONNECTION_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 1000;
const PROBE = fileURLToPath(new URL("../faults/connect_probe.ts", import.meta.url));
const NODE_MOD = new URL("../../runtimes/node/mod.ts", import.meta.url).href;
const H2_PREFACE_BYTES = 24; // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

/** How a fake member treats each connection. */
type Behaviour = (socket: net.Socket) => void;

/** A seeded byte stream (xorshift), so a failing run can be replayed. */
function garbage(n: number, seed: { s: number }): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    seed.s ^= seed.s << 13;
    seed.s ^= seed.s >>> 17;
    seed.s ^= seed.s << 5;
    out[i] = seed.s & 0xff;
  }
  return out;
}

const members: Record<string, Behaviour> = {
  // A hung or paused (SIGSTOP) process: the kernel still accepts connections.
  "accepts connections and never answers": (socket) => void socket.resume(),
  "writes random bytes": (socket) => {
    const seed = { s: 0x2545f491 };
    socket.write(garbage(4096, seed));
    socket.on("data", () => socket.write(garbage(512, seed)));
  },
  "answers HTTP/1.1 400 and closes": (socket) => {
    socket.once(
      "data",
      () => socket.end("HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: 9\r\n\r\nnot etcd\n"),
    );
  },
  "resets the connection after reading 10 bytes": (socket) => {
    let read = 0;
    socket.on("data", (chunk: Uint8Array) => {
      read += chunk.length;
      if (read >= 10) socket.resetAndDestroy();
    });
  },
  "completes the HTTP/2 handshake, then closes on the first request": (socket) => {
    // Our SETTINGS (empty) and an ACK of the client's: enough for the client to send its request.
    const settings = new Uint8Array([0, 0, 0, 4, 0, 0, 0, 0, 0]);
    const ack = new Uint8Array([0, 0, 0, 4, 1, 0, 0, 0, 0]);
    let buffered = new Uint8Array(0);
    let skipped = false;
    socket.write(settings);
    socket.on("data", (chunk: Uint8Array) => {
      buffered = new Uint8Array([...buffered, ...chunk]);
      if (!skipped) {
        if (buffered.length < H2_PREFACE_BYTES) return;
        buffered = buffered.subarray(H2_PREFACE_BYTES);
        skipped = true;
      }
      // Frames: 3-byte length, type, flags, 4-byte stream id, payload.
      while (buffered.length >= 9) {
        const length = (buffered[0]! << 16) | (buffered[1]! << 8) | buffered[2]!;
        const type = buffered[3]!;
        if (buffered.length < 9 + length) return;
        if (type === 1) return void socket.end(); // HEADERS: a request started; hang up mid-stream
        if (type === 4 && (buffered[4]! & 1) === 0) socket.write(ack);
        buffered = buffered.subarray(9 + length);
      }
    });
  },
};

/** A loopback server on a free port behaving as `behaviour` on every connection. */
async function fakeMember(behaviour: Behaviour): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    behaviour(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const unique = () => `/bad-${Math.random().toString(36).slice(2, 10)}`;

describe("etcd endpoints that are not etcd", () => {
  for (const [name, behaviour] of Object.entries(members)) {
    describe(`a member that ${name}`, () => {
      let member: Awaited<ReturnType<typeof fakeMember>>;
      before(async () => (member = await fakeMember(behaviour)));
      after(() => member.close());

      for (const transport of ["grpc", "gateway"] as const) {
        it(`listed first, before the real one: connect() moves on and the client works (${transport})`, {
          timeout: 60_000,
        }, async () => {
          // The bound counts this process's running time: a busy machine's stalls are not the client's.
          using stalls = new Stalls();
          const t0 = performance.now();
          const client = await connect(`etcd://127.0.0.1:${member.port},${endpoint()}`, {
            connectionTimeoutMs: 10_000,
            etcd: { requestTimeoutMs: REQUEST_TIMEOUT_MS, transport },
          });
          const ms = stalls.running(t0, performance.now());
          try {
            const root = unique();
            assertCode(await client.handleRequest(create(root, bytes("ok"))), ErrorCode.Ok);
            assert.equal(
              new TextDecoder().decode((await client.handleRequest({ type: "getData", path: root })).data!),
              "ok",
            );
            assertCode(await client.handleRequest({ type: "delete", path: root, version: -1 }), ErrorCode.Ok);
          } finally {
            await client.close();
          }
          console.log(`  ${transport}: connected in ${Math.round(ms)} ms past a member that ${name}`);
          // At worst one call waits out its deadline on the bad member, and the session retries 500 ms later.
          assert.ok(ms < REQUEST_TIMEOUT_MS + 1500, `connected after ${Math.round(ms)} ms`);
        });
      }

      // A child of tsx can take many seconds to start on a busy machine.
      it("listed alone: connect() fails with a typed error within the connection timeout; the process can exit", {
        timeout: 90_000,
      }, async () => {
        // In a child process, which must end by itself once connect() has rejected: a retry loop,
        // timer or socket left behind would keep it alive.
        const url = `etcd://127.0.0.1:${member.port}`;
        const child = await runChild([process.execPath, "--import", "tsx"], [
          PROBE,
          NODE_MOD,
          url,
          String(CONNECTION_TIMEOUT_MS),
        ], 60_000);
        assert.equal(child.exitCode, 0, `child exited with ${child.exitCode}: ${child.stderr}`);
        const report = JSON.parse(child.line) as { code?: number; ms?: number };
        assert.ok(
          report.code === ErrorCode.OperationTimeout || report.code === ErrorCode.ConnectionLoss,
          `child reported ${child.line}`,
        );
        // Bounded, not exact: a busy machine slows the child's HTTP/2 set-up too (2.0 s seen).
        assert.ok(report.ms! < CONNECTION_TIMEOUT_MS + 2000, `connect() rejected after ${report.ms} ms of running time`);
        assert.ok(
          child.exitAfterLineMs < 1500,
          `the child took ${child.exitAfterLineMs} ms to exit after connect() rejected`,
        );
        console.log(
          `  alone: ${
            codeName(report.code!)
          } after ${report.ms} ms; the child exited ${child.exitAfterLineMs} ms later`,
        );
      });
    });
  }
});

describe("etcd: a session lease revoked behind the client's back", () => {
  it(
    "reports expiry (before, after), gets a new session, its ephemeral is gone, keeps working",
    { timeout: 30_000 },
    async () => {
      const [host, port] = endpoint().split(":") as [string, string];
      const proxy = await startProxy(host, Number(port));
      const admin = createGrpcEtcdApi({ endpoints: [endpoint()] });
      const options = { sessionTimeoutMs: 6000, etcd: { requestTimeoutMs: 2000 } };
      const clients: KafkaMetastore[] = [];
      try {
        const a = await connect(`etcd://127.0.0.1:${proxy.port}`, options);
        clients.push(a);
        const b = await connect(`etcd://${endpoint()}`, options);
        clients.push(b);
        const root = unique();
        assertCode(await b.handleRequest(create(root)), ErrorCode.Ok);
        assertCode(await a.handleRequest(create(`${root}/eph`, null, CreateMode.Ephemeral)), ErrorCode.Ok);
        const log = calls();
        a.registerStateChangeHandler({
          name: "h",
          beforeInitializingSession: log.hit("before"),
          afterInitializingSession: log.hit("after"),
        });
        const old = a.sessionId;
        // Revoked while A cannot hear of it: A finds a lease id that no longer exists when it is back.
        proxy.cut("reset");
        await admin.leaseRevoke(old);
        assertCode(
          await b.handleRequest({ type: "exists", path: `${root}/eph` }),
          ErrorCode.NoNode,
          "the ephemeral after the revocation",
        );
        await proxy.restore();
        const restored = performance.now();
        await waitFor(() => log.log.length === 2, 5000, "re-initialisation");
        const ms = performance.now() - restored;
        assert.deepEqual(log.log, ["before", "after"]);
        await a.waitUntilConnected(5000);
        assert.notEqual(a.sessionId, old);
        assertCode(await a.handleRequest({ type: "exists", path: `${root}/eph` }), ErrorCode.NoNode);
        assertCode(await a.handleRequest(create(`${root}/eph`, null, CreateMode.Ephemeral)), ErrorCode.Ok);
        assert.equal(
          (await b.handleRequest({ type: "exists", path: `${root}/eph` })).stat?.ephemeralOwner,
          a.sessionId,
        );
        console.log(`  expiry reported ${Math.round(ms)} ms after the link came back`);
      } finally {
        for (const c of clients) await c.close();
        await proxy.close();
        await admin.close();
      }
    },
  );
});

describe("etcd: a Multi that cannot be one etcd Txn", () => {
  it(
    "is refused whole with BadArguments, nothing applied: 129 ops, or 2 × 900 kB of data",
    { timeout: 20_000 },
    async () => {
      const client = await connect(`etcd://${endpoint()}`, { sessionTimeoutMs: 6000 });
      try {
        const root = unique();
        assertCode(await client.handleRequest(create(root)), ErrorCode.Ok);
        // ZooKeeper takes both; etcd's --max-txn-ops (128) and --max-request-bytes (1.5 MiB) do not,
        // and splitting them would break their atomicity.
        const many = await client.handleRequest({
          type: "multi",
          ops: Array.from({ length: 129 }, (_, i) => create(`${root}/n${i}`)),
        });
        assertCode(many, ErrorCode.BadArguments, "a Multi of 129 creates");
        const big = new Uint8Array(900_000);
        const heavy = await client.handleRequest({
          type: "multi",
          ops: [create(`${root}/a`, big), create(`${root}/b`, big)],
        });
        assertCode(heavy, ErrorCode.BadArguments, "a Multi of 1.8 MB");
        const children = await client.handleRequest({ type: "getChildren", path: root, registerWatch: false });
        assert.deepEqual(children.children, [], "nothing of either Multi was applied");
        // The session goes on: one of each fits.
        assertCode(
          await client.handleRequest({ type: "multi", ops: [create(`${root}/a`, big), create(`${root}/n0`)] }),
          ErrorCode.Ok,
        );
      } finally {
        await client.close();
      }
    },
  );
});
