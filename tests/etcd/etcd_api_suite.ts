// The behaviours both etcd transports share, tested against a real etcd 3.4 (KMETA_ETCD=host:port):
// run by grpc_api_suite.ts (gRPC via Connect) and gateway_api_suite.ts (JSON gateway over fetch),
// which add their transport-specific tests. Errors must read the same on both (same code, same
// etcd message). Every key lives under a fresh prefix, so runs can share one server.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import type { WatchResponse } from "../../core/etcd/api.ts";
import { GrpcCode } from "../../core/etcd/api.ts";
import { startTcpProxy } from "./_tcp_proxy.ts";
import {
  dec,
  enc,
  endpoint,
  isEtcdError,
  keyspace,
  readUntil,
  sleep,
  SLOW_TEST_TIMEOUT_MS,
  type TestEtcdApi,
  text,
} from "./_etcd_api_helpers.ts";

export interface EtcdApiSuiteOptions {
  /** The key prefix's name: /kmeta-test/<keyspace>/…. */
  keyspace: string;
  /** Ports for this suite's helpers; distinct per transport, as Node runs test files in parallel. */
  ports: { dead: number; silent: number; proxy: number };
  /** What a refused connection's error message must match (beyond the Unavailable code). */
  refusedMessage?: RegExp;
  /** Whether requestTimeoutMs also bounds the start of a watch (the gateway's one POST per watch). */
  watchHasDeadline: boolean;
  /** Whether the created answers come in create order (one gRPC stream; not one POST per watch). */
  createdInOrder: boolean;
  /** A pause after a cut connection breaks the watch, before the next keep-alive (0: none). */
  settleAfterCutMs: number;
  /** The child script for the exit test: uses the streams, calls close() and prints "closed". */
  exitProbe: URL;
}

export type CreateTestEtcdApi = (options: { endpoints: string[]; requestTimeoutMs?: number }) => TestEtcdApi;

/** Registers the shared tests under describe blocks named `${name} …` (e.g. "createGrpcEtcdApi()"). */
export function etcdApiSuite(name: string, createApi: CreateTestEtcdApi, options: EtcdApiSuiteOptions): void {
  const { dead: DEAD_PORT, silent: SILENT_PORT, proxy: PROXY_PORT } = options.ports;
  const { prefix, k } = keyspace(options.keyspace);

  const clients: TestEtcdApi[] = [];
  function client(endpoints: string[] = [endpoint()], requestTimeoutMs?: number): TestEtcdApi {
    const c = createApi({ endpoints, requestTimeoutMs });
    clients.push(c);
    return c;
  }
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  describe(`${name} KV`, () => {
    it("puts, then ranges one key, a prefix, with limit, keysOnly and countOnly", async () => {
      const etcd = client();
      const p1 = await etcd.put({ key: k("kv/a"), value: enc.encode("1") });
      const p2 = await etcd.put({ key: k("kv/b"), value: enc.encode("2"), prevKv: true });
      assert.equal(p2.header.revision, p1.header.revision + 1n);
      assert.equal(p2.prevKv, undefined);
      const one = await etcd.range({ key: k("kv/a") });
      assert.equal(one.count, 1n);
      assert.equal(text(one.kvs[0]?.value), "1");
      assert.equal(one.kvs[0]?.createRevision, p1.header.revision);
      assert.equal(one.kvs[0]?.version, 1n);
      assert.ok(one.header.clusterId > 0n && one.header.memberId > 0n && one.header.raftTerm > 0n);
      const all = await etcd.range({ key: k("kv/"), rangeEnd: k("kv0") });
      assert.deepEqual(all.kvs.map((kv) => text(kv.value)), ["1", "2"]);
      const limited = await etcd.range({ key: k("kv/"), rangeEnd: k("kv0"), limit: 1n });
      assert.equal(limited.kvs.length, 1);
      assert.equal(limited.more, true);
      assert.equal(limited.count, 2n);
      const keys = await etcd.range({ key: k("kv/"), rangeEnd: k("kv0"), keysOnly: true });
      assert.equal(keys.kvs[0]?.value.length, 0);
      const counted = await etcd.range({ key: k("kv/"), rangeEnd: k("kv0"), countOnly: true });
      assert.equal(counted.kvs.length, 0);
      assert.equal(counted.count, 2n);
      const old = await etcd.range({ key: k("kv/"), rangeEnd: k("kv0"), revision: p1.header.revision });
      assert.equal(old.count, 1n);
      const missing = await etcd.range({ key: k("kv/none") });
      assert.equal(missing.count, 0n);
      assert.deepEqual(missing.kvs, []);
    });

    it("txn takes the success branch when every compare holds", async () => {
      const etcd = client();
      const put = await etcd.put({ key: k("txn/a"), value: enc.encode("x") });
      const r = await etcd.txn({
        compare: [
          { key: k("txn/a"), target: "version", result: "equal", operand: 1n },
          { key: k("txn/a"), target: "mod", result: "equal", operand: put.header.revision },
          { key: k("txn/a"), target: "create", result: "less", operand: put.header.revision + 1n },
          { key: k("txn/a"), target: "value", result: "equal", operand: enc.encode("x") },
          { key: k("txn/a"), target: "lease", result: "equal", operand: 0n },
          { key: k("txn/none"), target: "version", result: "equal", operand: 0n }, // absent key: version 0
          { key: k("txn/none"), target: "create", result: "equal", operand: 0n }, // and create revision 0
          { key: k("txn/"), rangeEnd: k("txn0"), target: "version", result: "greater", operand: 0n },
        ],
        success: [
          { put: { key: k("txn/b"), value: enc.encode("y") } },
          { deleteRange: { key: k("txn/a"), prevKv: true } },
          { range: { key: k("txn/"), rangeEnd: k("txn0") } },
          { txn: { compare: [], success: [{ range: { key: k("txn/b") } }], failure: [] } },
        ],
        failure: [],
      });
      assert.equal(r.succeeded, true);
      assert.equal(r.header.revision, put.header.revision + 1n, "one txn is one revision");
      const [p, d, rg, nested] = r.responses;
      assert.ok(p && "put" in p);
      assert.ok(d && "deleteRange" in d);
      assert.equal(d.deleteRange.deleted, 1n);
      assert.equal(text(d.deleteRange.prevKvs[0]?.value), "x");
      assert.ok(rg && "range" in rg);
      assert.deepEqual(rg.range.kvs.map((kv) => text(kv.value)), ["y"]);
      assert.ok(nested && "txn" in nested);
      assert.equal(nested.txn.succeeded, true);
      const inner = nested.txn.responses[0];
      assert.ok(inner && "range" in inner);
      assert.equal(text(inner.range.kvs[0]?.value), "y");
    });

    it("txn takes the failure branch when a compare fails and writes nothing else", async () => {
      const etcd = client();
      await etcd.put({ key: k("fail/a"), value: enc.encode("x") });
      const r = await etcd.txn({
        compare: [{ key: k("fail/a"), target: "version", result: "equal", operand: 7n }],
        success: [{ put: { key: k("fail/b"), value: enc.encode("never") } }],
        failure: [{ range: { key: k("fail/a") } }],
      });
      assert.equal(r.succeeded, false);
      const only = r.responses[0];
      assert.ok(only && "range" in only);
      assert.equal(only.range.kvs[0]?.version, 1n);
      assert.equal((await etcd.range({ key: k("fail/b") })).count, 0n);
    });

    it("txn rejects an operand of the wrong type with InvalidArgument before any I/O", async () => {
      // A dead endpoint: reaching the network would give Unavailable instead.
      const etcd = client([`127.0.0.1:${DEAD_PORT}`]);
      await assert.rejects(
        etcd.txn({
          compare: [{ key: k("x"), target: "value", result: "equal", operand: 1n }],
          success: [],
          failure: [],
        }),
        isEtcdError(GrpcCode.InvalidArgument, /needs a Uint8Array operand/),
      );
      await assert.rejects(
        etcd.txn({
          compare: [{ key: k("x"), target: "mod", result: "equal", operand: enc.encode("1") }],
          success: [],
          failure: [],
        }),
        isEtcdError(GrpcCode.InvalidArgument, /needs a bigint operand/),
      );
    });

    it("status() reports the server's version", async () => {
      assert.match((await client().status()).version, /^3\./);
    });
  });

  describe(`${name} leases`, () => {
    it("grants, keeps alive, and revoking deletes the attached key", async () => {
      const etcd = client();
      const lease = await etcd.leaseGrant(10n);
      assert.ok(lease.id > 0n);
      assert.equal(lease.ttl, 10n);
      await etcd.put({ key: k("lease/a"), value: enc.encode("v"), lease: lease.id });
      assert.equal((await etcd.range({ key: k("lease/a") })).kvs[0]?.lease, lease.id);
      // Concurrent keep-alives for two leases (over gRPC: one stream, matched by id).
      const other = await etcd.leaseGrant(20n);
      const [a, b, a2] = await Promise.all([
        etcd.leaseKeepAlive(lease.id),
        etcd.leaseKeepAlive(other.id),
        etcd.leaseKeepAlive(lease.id),
      ]);
      assert.deepEqual([a.id, a.ttl, b.id, b.ttl, a2.id, a2.ttl], [lease.id, 10n, other.id, 20n, lease.id, 10n]);
      const ttl = await etcd.leaseTimeToLive(lease.id, true);
      assert.equal(ttl.grantedTtl, 10n);
      assert.deepEqual(ttl.keys.map(text), [prefix + "lease/a"]);
      await etcd.leaseRevoke(lease.id);
      await etcd.leaseRevoke(other.id);
      assert.equal((await etcd.range({ key: k("lease/a") })).count, 0n);
      const gone = await etcd.leaseKeepAlive(lease.id);
      assert.equal(gone.ttl, 0n, "keep-alive of a revoked lease answers TTL 0");
      assert.equal((await etcd.leaseTimeToLive(lease.id)).ttl, -1n);
      await assert.rejects(
        etcd.leaseRevoke(lease.id),
        isEtcdError(GrpcCode.NotFound, "etcdserver: requested lease not found"),
      );
    });

    // Takes ~6 s: Bun's default per-test timeout is 5 s.
    it(
      "keep-alives hold a 2 s lease past its TTL, and its key vanishes once they stop",
      { timeout: 20_000 },
      async () => {
        const etcd = client();
        const lease = await etcd.leaseGrant(2n); // etcd's minimum TTL with default election timeouts
        await etcd.put({ key: k("ttl/a"), value: enc.encode("v"), lease: lease.id });
        for (let i = 0; i < 6; i++) {
          await sleep(500);
          assert.ok((await etcd.leaseKeepAlive(lease.id)).ttl > 0n);
        }
        assert.equal((await etcd.range({ key: k("ttl/a") })).count, 1n, "alive after 3 s thanks to keep-alives");
        const start = performance.now();
        while ((await etcd.range({ key: k("ttl/a") })).count > 0n) {
          assert.ok(performance.now() - start < 6_000, "leased key still there 6 s after the last keep-alive");
          await sleep(200);
        }
      },
    );

    it("grants a client-chosen lease id, and a second grant of it fails with FailedPrecondition", async () => {
      const etcd = client();
      const id = BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000));
      const lease = await etcd.leaseGrant(30n, id);
      assert.equal(lease.id, id);
      await assert.rejects(
        etcd.leaseGrant(30n, id),
        isEtcdError(GrpcCode.FailedPrecondition, "etcdserver: lease already exists"),
      );
      await etcd.leaseRevoke(id);
    });
  });

  describe(`${name} watch`, () => {
    it("sees put and delete with prevKv, keeps chosen and automatic ids apart, and cancels one watch only", async () => {
      const etcd = client();
      const w = etcd.watch();
      w.create({ key: k("w/"), rangeEnd: k("w0"), prevKv: true, watchId: 11n });
      w.create({ key: k("w/b"), watchId: 12n });
      w.create({ key: k("w/b") }); // no id chosen: the first free one, 0
      const created = await readUntil(w, (seen) => seen.filter((r) => r.created).length === 3);
      assert.deepEqual(created.filter((r) => r.created).map((r) => r.watchId).sort(), [0n, 11n, 12n]);
      await etcd.put({ key: k("w/a"), value: enc.encode("1") });
      await etcd.put({ key: k("w/a"), value: enc.encode("2") });
      const txn = await etcd.txn({
        compare: [],
        success: [{ put: { key: k("w/b"), value: enc.encode("3") } }, { deleteRange: { key: k("w/a") } }],
        failure: [],
      });
      // The watches see the txn in any order: read until all have.
      const seen = await readUntil(
        w,
        (s) =>
          [11n, 12n, 0n].every((id) => s.some((r) => r.watchId === id && r.header.revision === txn.header.revision)),
      );
      const mine = seen.filter((r) => r.watchId === 11n).flatMap((r) => r.events);
      assert.deepEqual(
        mine.map((e) => [e.type, text(e.kv.key)?.slice(prefix.length), text(e.kv.value), text(e.prevKv?.value)]),
        [["put", "w/a", "1", undefined], ["put", "w/a", "2", "1"], ["put", "w/b", "3", undefined], [
          "delete",
          "w/a",
          "",
          "2",
        ]],
      );
      // A txn's events arrive in one response, at the txn's revision.
      const last = seen.find((r) => r.watchId === 11n && r.header.revision === txn.header.revision);
      assert.equal(last?.events.length, 2);
      const deleted = mine[3];
      assert.equal(deleted?.kv.modRevision, txn.header.revision);
      for (const id of [12n, 0n]) {
        const b = seen.filter((r) => r.watchId === id).flatMap((r) => r.events);
        assert.deepEqual(b.map((e) => [e.type, text(e.kv.value), e.prevKv]), [["put", "3", undefined]], `watch ${id}`);
      }
      w.cancel(11n);
      const canceled = await readUntil(w, (s) => s.some((r) => r.canceled));
      assert.equal(canceled.find((r) => r.canceled)?.watchId, 11n);
      // The other watches are still live.
      await etcd.put({ key: k("w/b"), value: enc.encode("4") });
      const later = await readUntil(
        w,
        (s) => [12n, 0n].every((id) => s.some((r) => r.watchId === id && r.events.length > 0)),
      );
      for (const id of [12n, 0n]) {
        assert.deepEqual(later.filter((r) => r.watchId === id).flatMap((r) => r.events).map((e) => text(e.kv.value)), [
          "4",
        ]);
      }
      assert.ok(later.every((r) => r.watchId !== 11n), "no answer for the canceled watch");
      w.close();
    });

    it("replays from startRevision, and reports compactRevision for a compacted one", async () => {
      const etcd = client();
      const p1 = await etcd.put({ key: k("c/a"), value: enc.encode("1") });
      const p2 = await etcd.put({ key: k("c/a"), value: enc.encode("2") });
      const replay = etcd.watch();
      replay.create({ key: k("c/a"), startRevision: p1.header.revision, watchId: 1n });
      const events = (await readUntil(replay, (s) => s.flatMap((r) => r.events).length >= 2)).flatMap((r) => r.events);
      assert.deepEqual(events.map((e) => text(e.kv.value)), ["1", "2"]);
      replay.close();
      // Compacts the shared server's history up to our second put: only what this suite wrote
      // just now (and anything older) becomes unreadable.
      await etcd.compact(p2.header.revision, true);
      const w = etcd.watch();
      w.create({ key: k("c/a"), startRevision: p1.header.revision, watchId: 2n });
      const seen = await readUntil(w, (s) => s.some((r) => r.canceled));
      const canceled = seen.find((r) => r.canceled);
      assert.equal(canceled?.compactRevision, p2.header.revision);
      assert.equal(canceled?.watchId, 2n);
      w.close();
      await assert.rejects(
        etcd.range({ key: k("c/a"), revision: p1.header.revision }),
        isEtcdError(GrpcCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted"),
      );
    });

    it("numbers watches 0, 1, … in create order when no id is chosen", async () => {
      const etcd = client();
      const w = etcd.watch();
      w.create({ key: k("n/a") });
      w.create({ key: k("n/b") });
      const seen = await readUntil(w, (s) => s.filter((r) => r.created).length === 2);
      const ids = seen.filter((r) => r.created).map((r) => r.watchId);
      assert.deepEqual(options.createdInOrder ? ids : ids.sort(), [0n, 1n]);
      // Ids follow create order whatever order the created answers came in.
      await etcd.put({ key: k("n/a"), value: enc.encode("a") });
      await etcd.put({ key: k("n/b"), value: enc.encode("b") });
      const events = await readUntil(w, (s) => s.filter((r) => r.events.length > 0).length === 2);
      assert.deepEqual(
        events.filter((r) => r.events.length > 0).map((r) => [r.watchId, text(r.events[0]?.kv.value)]).sort(),
        [[0n, "a"], [1n, "b"]],
      );
      w.close();
    });

    it("close() ends the responses iteration without an error", async () => {
      const etcd = client();
      const w = etcd.watch();
      w.create({ key: k("close/a"), watchId: 5n });
      await readUntil(w, (s) => s.some((r) => r.created));
      setTimeout(() => w.close(), 50);
      const rest: WatchResponse[] = [];
      for await (const r of w.responses) rest.push(r);
      assert.deepEqual(rest, []);
      assert.throws(() => w.create({ key: k("close/b") }), isEtcdError(GrpcCode.Cancelled));
    });
  });

  describe(`${name} errors`, () => {
    // Codes and messages as etcd 3.4.23 sends them (checked by hand first, then pinned here); the
    // gateway's {"error","message","code"} bodies carry the same code and message.
    const table: Array<[string, number, string | RegExp, (etcd: TestEtcdApi) => Promise<unknown>]> = [
      [
        "revoking an unknown lease",
        GrpcCode.NotFound,
        "etcdserver: requested lease not found",
        (e) => e.leaseRevoke(4242n),
      ],
      [
        "putting with an unknown lease",
        GrpcCode.NotFound,
        "etcdserver: requested lease not found",
        (e) => e.put({ key: k("err/l"), value: new Uint8Array(0), lease: 4242n }),
      ],
      [
        "reading a future revision",
        GrpcCode.OutOfRange,
        "etcdserver: mvcc: required revision is a future revision",
        (e) => e.range({ key: k("err/a"), revision: 1n << 50n }),
      ],
      [
        "a txn with 129 ops (--max-txn-ops 128)",
        GrpcCode.InvalidArgument,
        "etcdserver: too many operations in txn request",
        (e) =>
          e.txn({
            compare: [],
            success: Array.from(
              { length: 129 },
              (_, i) => ({ put: { key: k(`err/m${i}`), value: new Uint8Array(0) } }),
            ),
            failure: [],
          }),
      ],
      [
        "a txn writing one key twice",
        GrpcCode.InvalidArgument,
        "etcdserver: duplicate key given in txn request",
        (e) =>
          e.txn({
            compare: [],
            success: [{ put: { key: k("err/d"), value: new Uint8Array(0) } }, { deleteRange: { key: k("err/d") } }],
            failure: [],
          }),
      ],
      [
        "an empty key",
        GrpcCode.InvalidArgument,
        "etcdserver: key is not provided",
        (e) => e.put({ key: new Uint8Array(0), value: new Uint8Array(0) }),
      ],
      // Over --max-request-bytes (1.5 MiB) but under gRPC's receive limit (+512 KiB): etcd's own check.
      [
        "a 1.6 MiB put",
        GrpcCode.InvalidArgument,
        "etcdserver: request is too large",
        (e) => e.put({ key: k("err/big"), value: new Uint8Array(1.6 * 1024 * 1024) }),
      ],
      [
        "compacting a future revision",
        GrpcCode.OutOfRange,
        "etcdserver: mvcc: required revision is a future revision",
        (e) => e.compact(1n << 50n),
      ],
    ];
    for (const [what, code, message, call] of table) {
      it(`maps ${what} to gRPC code ${code}`, async () => {
        await assert.rejects(call(client()), isEtcdError(code, message));
      });
    }
  });

  describe(`${name} connection failures`, () => {
    it("fails fast with Unavailable on a dead port, for unary calls, keep-alives and watches", async () => {
      const etcd = client([`127.0.0.1:${DEAD_PORT}`], 10_000);
      const start = performance.now();
      await assert.rejects(etcd.range({ key: k("x") }), isEtcdError(GrpcCode.Unavailable, options.refusedMessage));
      await assert.rejects(etcd.txn({ compare: [], success: [], failure: [] }), isEtcdError(GrpcCode.Unavailable));
      await assert.rejects(etcd.leaseKeepAlive(1n), isEtcdError(GrpcCode.Unavailable));
      const w = etcd.watch();
      w.create({ key: k("x") });
      await assert.rejects(readUntil(w, () => false), isEtcdError(GrpcCode.Unavailable));
      assert.ok(performance.now() - start < 2_000, `took ${Math.round(performance.now() - start)} ms`);
    });

    it("bounds calls to a server that never answers with DeadlineExceeded", { timeout: SLOW_TEST_TIMEOUT_MS }, async () => {
      const net = await import("node:net");
      // Accepts and reads (so it notices when we hang up) but never sends a byte.
      const sockets = new Set<import("node:net").Socket>();
      const silent = net.createServer((s) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => {});
        s.resume();
      });
      await new Promise<void>((resolve) => silent.listen(SILENT_PORT, "127.0.0.1", resolve));
      const etcd = createApi({ endpoints: [`127.0.0.1:${SILENT_PORT}`], requestTimeoutMs: 300 });
      try {
        const start = performance.now();
        await assert.rejects(etcd.range({ key: k("x") }), isEtcdError(GrpcCode.DeadlineExceeded));
        await assert.rejects(etcd.leaseKeepAlive(1n), isEtcdError(GrpcCode.DeadlineExceeded));
        let bounded = 2;
        if (options.watchHasDeadline) {
          const w = etcd.watch();
          w.create({ key: k("x") });
          await assert.rejects(readUntil(w, () => false), isEtcdError(GrpcCode.DeadlineExceeded));
          bounded++;
        }
        // Each bounded call waits its 300 ms: 2 calls take 550-2 000 ms, 3 take 850-3 000 ms.
        const took = performance.now() - start;
        assert.ok(took >= bounded * 300 - 50 && took < bounded * 1_000, `took ${Math.round(took)} ms`);
      } finally {
        await etcd.close();
        for (const s of sockets) s.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it("fails over from a dead endpoint to the next, for reads, (never sent) writes and watches", { timeout: SLOW_TEST_TIMEOUT_MS }, async () => {
      const etcd = client([`127.0.0.1:${DEAD_PORT}`, endpoint()]);
      const put = await etcd.txn({
        compare: [],
        success: [{ put: { key: k("fo/a"), value: enc.encode("v") } }],
        failure: [],
      });
      assert.equal(put.succeeded, true);
      assert.equal((await etcd.range({ key: k("fo/a") })).count, 1n);
      const lease = await etcd.leaseGrant(5n);
      assert.equal((await etcd.leaseKeepAlive(lease.id)).ttl, 5n);
      await etcd.leaseRevoke(lease.id);
      // A fresh client whose first call is a watch.
      const fresh = client([`127.0.0.1:${DEAD_PORT}`, endpoint()]);
      const w = fresh.watch();
      w.create({ key: k("fo/a"), watchId: 4n });
      await readUntil(w, (s) => s.some((r) => r.created));
      w.close();
    });

    it("a cut connection breaks the watch with Unavailable; keep-alives and the next watch work", { timeout: SLOW_TEST_TIMEOUT_MS }, async () => {
      const [host = "", port = ""] = endpoint().split(":");
      const proxy = await startTcpProxy(PROXY_PORT, { host, port: Number(port) });
      const etcd = createApi({ endpoints: [`127.0.0.1:${PROXY_PORT}`] });
      try {
        const lease = await etcd.leaseGrant(10n);
        assert.equal((await etcd.leaseKeepAlive(lease.id)).ttl, 10n);
        const w = etcd.watch();
        w.create({ key: k("cut/a"), watchId: 3n });
        await readUntil(w, (s) => s.some((r) => r.created));
        proxy.cut();
        await assert.rejects(readUntil(w, () => false), isEtcdError(GrpcCode.Unavailable));
        if (options.settleAfterCutMs > 0) await sleep(options.settleAfterCutMs);
        // Over gRPC this reopens the keep-alive stream the cut broke.
        assert.equal((await etcd.leaseKeepAlive(lease.id)).ttl, 10n);
        const again = etcd.watch();
        again.create({ key: k("cut/a"), watchId: 3n });
        await readUntil(again, (s) => s.some((r) => r.created));
        await etcd.leaseRevoke(lease.id);
      } finally {
        await etcd.close();
        await proxy.close();
      }
    });
  });

  describe(`${name} close()`, () => {
    it("rejects later calls with Cancelled, and a call in flight too", async () => {
      const etcd = createApi({ endpoints: [endpoint()] });
      await etcd.range({ key: k("x") });
      const w = etcd.watch();
      w.create({ key: k("x") });
      const pending = etcd.leaseKeepAlive(1n);
      await etcd.close();
      await assert.rejects(pending, isEtcdError(GrpcCode.Cancelled));
      await assert.rejects(etcd.range({ key: k("x") }), isEtcdError(GrpcCode.Cancelled));
      await assert.rejects(etcd.leaseKeepAlive(1n), isEtcdError(GrpcCode.Cancelled));
      assert.throws(() => etcd.watch(), isEtcdError(GrpcCode.Cancelled));
    });

    it("lets the process exit right after close(), once streams were used and with a watch open", { timeout: SLOW_TEST_TIMEOUT_MS }, async () => {
      const script = options.exitProbe.pathname;
      const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
      const bun = process.versions.bun !== undefined;
      const args = deno ? ["run", "-A", "--no-check", script] : bun ? [script] : ["--import", "tsx", script];
      const child = spawn(process.execPath, args, { env: { ...process.env, KMETA_ETCD: endpoint() }, stdio: "pipe" });
      let out = "";
      let closedAt = 0;
      child.stdout.on("data", (b: Uint8Array) => {
        out += dec.decode(b);
        closedAt ||= out.includes("closed") ? performance.now() : 0;
      });
      child.stderr.on("data", (b: Uint8Array) => (out += dec.decode(b)));
      const start = performance.now();
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => (child.kill("SIGKILL"), resolve(null)), 15_000);
        child.on("exit", (c) => (clearTimeout(timer), resolve(c)));
      });
      assert.equal(code, 0, `exit code ${code} after ${Math.round(performance.now() - start)} ms: ${out}`);
      assert.match(out, /closed/);
      const lingered = performance.now() - closedAt;
      assert.ok(lingered < 1_000, `process lived ${Math.round(lingered)} ms after close()`);
    });
  });
}
