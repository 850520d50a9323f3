// Tests of createGrpcEtcdApi() against a real etcd 3.4 (KMETA_ETCD=host:port), shared by the Node,
// Deno and Bun test entries. Every key lives under a fresh prefix, so runs can share one server.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import type { EtcdApi, WatchResponse, WatchStream } from "../../core/etcd/api.ts";
import { GrpcCode } from "../../core/etcd/api.ts";
import { EtcdError } from "../../core/errors.ts";
import { createGrpcEtcdApi, type GrpcEtcdApi, type GrpcEtcdApiOptions } from "../../runtimes/common/etcd/grpc_api.ts";
import { startTcpProxy } from "./_tcp_proxy.ts";

// Ports 23830-23839 belong to this suite's helpers (a dead port, a silent server, a proxy).
const DEAD_PORT = 23839;
const SILENT_PORT = 23838;
const PROXY_PORT = 23837;

const enc = new TextEncoder();
const dec = new TextDecoder();
const prefix = `/kmeta-test/grpc/${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}/`;
const k = (name: string): Uint8Array => enc.encode(prefix + name);
const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : dec.decode(b));

/** "127.0.0.1:23790" from the test script; failing (not skipping) when it is missing. */
function endpoint(): string {
  const value = process.env.KMETA_ETCD;
  if (!value) {
    throw new Error(
      "KMETA_ETCD is not set: start etcd 3.4 (bash scripts/servers/start-etcd.sh DIR) and export KMETA_ETCD=127.0.0.1:PORT",
    );
  }
  return value;
}

const clients: EtcdApi[] = [];
function client(options: Partial<GrpcEtcdApiOptions> = {}): GrpcEtcdApi {
  const c = createGrpcEtcdApi({ endpoints: [endpoint()], ...options });
  clients.push(c);
  return c;
}

function isEtcdError(code: number, message?: string | RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof EtcdError, `expected EtcdError, got ${String(e)}`);
    assert.equal(e.grpcCode, code, e.message);
    if (typeof message === "string") assert.ok(e.message.endsWith(message), e.message);
    else if (message) assert.match(e.message, message);
    return true;
  };
}

/** Reads watch responses until `done` says stop, failing after `ms`. */
async function readUntil(
  stream: WatchStream,
  done: (seen: WatchResponse[]) => boolean,
  ms = 5_000,
): Promise<WatchResponse[]> {
  const seen: WatchResponse[] = [];
  const it = stream.responses[Symbol.asyncIterator]();
  const deadline = performance.now() + ms;
  while (!done(seen)) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`watch: no response within ${ms} ms`)), deadline - performance.now());
    });
    try {
      const r = await Promise.race([it.next(), timeout]);
      if (r.done) throw new Error("watch stream ended");
      seen.push(r.value);
    } finally {
      clearTimeout(timer);
    }
  }
  return seen;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function grpcApiSuite(): void {
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  describe("createGrpcEtcdApi() KV", () => {
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
      const etcd = createGrpcEtcdApi({ endpoints: [`127.0.0.1:${DEAD_PORT}`] });
      clients.push(etcd);
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
  });

  describe("createGrpcEtcdApi() leases", () => {
    it("grants, keeps alive, and revoking deletes the attached key", async () => {
      const etcd = client();
      const lease = await etcd.leaseGrant(10n);
      assert.ok(lease.id > 0n);
      assert.equal(lease.ttl, 10n);
      await etcd.put({ key: k("lease/a"), value: enc.encode("v"), lease: lease.id });
      assert.equal((await etcd.range({ key: k("lease/a") })).kvs[0]?.lease, lease.id);
      // Concurrent keep-alives for two leases share one stream and are matched by id.
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

  describe("createGrpcEtcdApi() watch", () => {
    it("sees put and delete with prevKv, keeps client-chosen ids apart, and cancels", async () => {
      const etcd = client();
      const w = etcd.watch();
      w.create({ key: k("w/"), rangeEnd: k("w0"), prevKv: true, watchId: 11n });
      w.create({ key: k("w/b"), watchId: 12n });
      await readUntil(w, (seen) => seen.filter((r) => r.created).length === 2);
      await etcd.put({ key: k("w/a"), value: enc.encode("1") });
      await etcd.put({ key: k("w/a"), value: enc.encode("2") });
      const txn = await etcd.txn({
        compare: [],
        success: [{ put: { key: k("w/b"), value: enc.encode("3") } }, { deleteRange: { key: k("w/a") } }],
        failure: [],
      });
      // The two watches see the txn in either order: read until both have.
      const seen = await readUntil(
        w,
        (s) => [11n, 12n].every((id) => s.some((r) => r.watchId === id && r.header.revision === txn.header.revision)),
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
      const b = seen.filter((r) => r.watchId === 12n).flatMap((r) => r.events);
      assert.deepEqual(b.map((e) => [e.type, text(e.kv.value), e.prevKv]), [["put", "3", undefined]]);
      w.cancel(11n);
      const canceled = await readUntil(w, (s) => s.some((r) => r.canceled));
      assert.equal(canceled.find((r) => r.canceled)?.watchId, 11n);
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
      assert.deepEqual(seen.filter((r) => r.created).map((r) => r.watchId), [0n, 1n]);
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

  describe("createGrpcEtcdApi() errors", () => {
    // Codes and messages as etcd 3.4.23 sends them (checked by hand first, then pinned here).
    const table: Array<[string, number, string | RegExp, (etcd: GrpcEtcdApi) => Promise<unknown>]> = [
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
      // Over gRPC's receive limit: grpc-go refuses it before etcd sees it.
      [
        "a 2.1 MiB put",
        GrpcCode.ResourceExhausted,
        /grpc: received message larger than max \(\d+ vs\. 2097152\)$/,
        (e) => e.put({ key: k("err/big"), value: new Uint8Array(2.1 * 1024 * 1024) }),
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

  describe("createGrpcEtcdApi() connection failures", () => {
    it("fails fast with Unavailable on a dead port, for unary calls, keep-alives and watches", async () => {
      const etcd = createGrpcEtcdApi({ endpoints: [`127.0.0.1:${DEAD_PORT}`], requestTimeoutMs: 10_000 });
      clients.push(etcd);
      const start = performance.now();
      await assert.rejects(etcd.range({ key: k("x") }), isEtcdError(GrpcCode.Unavailable, /ECONNREFUSED/));
      await assert.rejects(etcd.txn({ compare: [], success: [], failure: [] }), isEtcdError(GrpcCode.Unavailable));
      await assert.rejects(etcd.leaseKeepAlive(1n), isEtcdError(GrpcCode.Unavailable));
      const w = etcd.watch();
      w.create({ key: k("x") });
      await assert.rejects(readUntil(w, () => false), isEtcdError(GrpcCode.Unavailable));
      assert.ok(performance.now() - start < 2_000, `took ${Math.round(performance.now() - start)} ms`);
    });

    it("bounds calls to a server that never answers with DeadlineExceeded", async () => {
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
      const etcd = createGrpcEtcdApi({ endpoints: [`127.0.0.1:${SILENT_PORT}`], requestTimeoutMs: 300 });
      try {
        const start = performance.now();
        await assert.rejects(etcd.range({ key: k("x") }), isEtcdError(GrpcCode.DeadlineExceeded));
        await assert.rejects(etcd.leaseKeepAlive(1n), isEtcdError(GrpcCode.DeadlineExceeded));
        const took = performance.now() - start;
        assert.ok(took >= 550 && took < 2_000, `took ${Math.round(took)} ms`);
      } finally {
        await etcd.close();
        for (const s of sockets) s.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it("fails over from a dead endpoint to the next, for reads and (never sent) writes", async () => {
      const etcd = client({ endpoints: [`127.0.0.1:${DEAD_PORT}`, endpoint()] });
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
    });

    it("reopens the keep-alive stream after the connection breaks, and the watch reports Unavailable", async () => {
      const [host = "", port = ""] = endpoint().split(":");
      const proxy = await startTcpProxy(PROXY_PORT, { host, port: Number(port) });
      const etcd = createGrpcEtcdApi({ endpoints: [`127.0.0.1:${PROXY_PORT}`] });
      try {
        const lease = await etcd.leaseGrant(10n);
        assert.equal((await etcd.leaseKeepAlive(lease.id)).ttl, 10n);
        const w = etcd.watch();
        w.create({ key: k("cut/a"), watchId: 3n });
        await readUntil(w, (s) => s.some((r) => r.created));
        proxy.cut();
        await assert.rejects(readUntil(w, () => false), isEtcdError(GrpcCode.Unavailable));
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

  describe("createGrpcEtcdApi() dead connections", () => {
    it("breaks a watch with Unavailable when PINGs go unanswered on a silent connection", async () => {
      const [host = "", port = ""] = endpoint().split(":");
      const proxy = await startTcpProxy(PROXY_PORT, { host, port: Number(port) });
      // Fast pings are fine here: once frozen, none of them reaches etcd.
      const etcd = createGrpcEtcdApi({
        endpoints: [`127.0.0.1:${PROXY_PORT}`],
        pingIntervalMs: 500,
        pingTimeoutMs: 500,
      });
      try {
        const w = etcd.watch();
        w.create({ key: k("frozen/a"), watchId: 1n });
        await readUntil(w, (s) => s.some((r) => r.created));
        proxy.freeze();
        const start = performance.now();
        await assert.rejects(readUntil(w, () => false, 4_000), isEtcdError(GrpcCode.Unavailable));
        assert.ok(performance.now() - start < 3_000, `noticed after ${Math.round(performance.now() - start)} ms`);
      } finally {
        await etcd.close();
        await proxy.close();
      }
    });
  });

  describe("createGrpcEtcdApi() close()", () => {
    it("rejects later calls with Cancelled", async () => {
      const etcd = createGrpcEtcdApi({ endpoints: [endpoint()] });
      await etcd.range({ key: k("x") });
      await etcd.close();
      await assert.rejects(etcd.range({ key: k("x") }), isEtcdError(GrpcCode.Cancelled));
      await assert.rejects(etcd.leaseKeepAlive(1n), isEtcdError(GrpcCode.Cancelled));
      assert.throws(() => etcd.watch(), isEtcdError(GrpcCode.Cancelled));
    });

    it("lets the process exit after streams were used", async () => {
      const script = new URL("./_exit_probe.ts", import.meta.url).pathname;
      const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
      const bun = process.versions.bun !== undefined;
      const args = deno ? ["run", "-A", "--no-check", script] : bun ? [script] : ["--import", "tsx", script];
      const child = spawn(process.execPath, args, { env: { ...process.env, KMETA_ETCD: endpoint() }, stdio: "pipe" });
      let out = "";
      child.stdout.on("data", (b: Uint8Array) => (out += dec.decode(b)));
      child.stderr.on("data", (b: Uint8Array) => (out += dec.decode(b)));
      const start = performance.now();
      let closedAt = 0;
      child.stdout.on("data", () => (closedAt ||= out.includes("closed") ? performance.now() : 0));
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
