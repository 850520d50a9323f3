// Tests of createGatewayEtcdApi() against a real etcd 3.4 (KMETA_ETCD=host:port), shared by the Node,
// Deno and Bun test entries. Errors must read as the gRPC transport's (same code, same etcd message).
// Every key lives under a fresh prefix, so runs can share one server.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import type { WatchResponse, WatchStream } from "../../core/etcd/api.ts";
import { GrpcCode } from "../../core/etcd/api.ts";
import { EtcdError } from "../../core/errors.ts";
import {
  createGatewayEtcdApi,
  type GatewayEtcdApi,
  type GatewayEtcdApiOptions,
} from "../../runtimes/common/etcd/gateway_api.ts";
import { startTcpProxy } from "./_tcp_proxy.ts";

// Ports 23877-23879 belong to this suite's helpers (a proxy, a silent server, a dead port).
const DEAD_PORT = 23879;
const SILENT_PORT = 23878;
const PROXY_PORT = 23877;

const enc = new TextEncoder();
const dec = new TextDecoder();
const prefix = `/kmeta-test/gateway/${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}/`;
const k = (name: string): Uint8Array => enc.encode(prefix + name);
const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : dec.decode(b));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function endpoint(): string {
  const value = process.env.KMETA_ETCD;
  if (!value) {
    throw new Error(
      "KMETA_ETCD is not set: start etcd 3.4 (bash scripts/servers/start-etcd.sh DIR) and export KMETA_ETCD=127.0.0.1:PORT",
    );
  }
  return value;
}

const clients: GatewayEtcdApi[] = [];
function client(options: Partial<GatewayEtcdApiOptions> = {}): GatewayEtcdApi {
  const c = createGatewayEtcdApi({ endpoints: [endpoint()], ...options });
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

export function gatewayApiSuite(): void {
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  describe("createGatewayEtcdApi() KV and leases", () => {
    it("puts, ranges (prefix, limit, keysOnly, countOnly, old revision) and runs both txn branches", async () => {
      const etcd = client();
      const p1 = await etcd.put({ key: k("kv/a"), value: enc.encode("1") });
      await etcd.put({ key: k("kv/b"), value: enc.encode("2") });
      const one = await etcd.range({ key: k("kv/a") });
      assert.deepEqual([one.count, text(one.kvs[0]?.value), one.kvs[0]?.createRevision], [1n, "1", p1.header.revision]);
      assert.ok(one.header.clusterId > 0n && one.header.memberId > 0n && one.header.raftTerm > 0n);
      const limited = await etcd.range({ key: k("kv/"), rangeEnd: k("kv0"), limit: 1n });
      assert.deepEqual([limited.kvs.length, limited.more, limited.count], [1, true, 2n]);
      assert.equal((await etcd.range({ key: k("kv/"), rangeEnd: k("kv0"), keysOnly: true })).kvs[0]?.value.length, 0);
      assert.equal((await etcd.range({ key: k("kv/"), rangeEnd: k("kv0"), countOnly: true })).count, 2n);
      assert.equal((await etcd.range({ key: k("kv/"), rangeEnd: k("kv0"), revision: p1.header.revision })).count, 1n);
      const missing = await etcd.range({ key: k("kv/none") });
      assert.deepEqual([missing.count, missing.kvs], [0n, []]);
      const ok = await etcd.txn({
        compare: [
          { key: k("kv/a"), target: "version", result: "equal", operand: 1n },
          { key: k("kv/a"), target: "value", result: "equal", operand: enc.encode("1") },
          { key: k("kv/none"), target: "create", result: "equal", operand: 0n },
        ],
        success: [
          { put: { key: k("kv/c"), value: enc.encode("3") } },
          { deleteRange: { key: k("kv/a"), prevKv: true } },
          { txn: { compare: [], success: [{ range: { key: k("kv/c") } }], failure: [] } },
        ],
        failure: [],
      });
      assert.equal(ok.succeeded, true);
      const [, d, nested] = ok.responses;
      assert.ok(d && "deleteRange" in d && d.deleteRange.deleted === 1n);
      assert.equal(text(d.deleteRange.prevKvs[0]?.value), "1");
      assert.ok(nested && "txn" in nested);
      const inner = nested.txn.responses[0];
      assert.ok(inner && "range" in inner && text(inner.range.kvs[0]?.value) === "3");
      const failed = await etcd.txn({
        compare: [{ key: k("kv/b"), target: "version", result: "equal", operand: 7n }],
        success: [{ put: { key: k("kv/never"), value: enc.encode("x") } }],
        failure: [{ range: { key: k("kv/b") } }],
      });
      assert.equal(failed.succeeded, false);
      assert.ok(failed.responses[0] && "range" in failed.responses[0]);
    });

    it("grants, keeps alive (TTL 0 once revoked), reports time-to-live, grants a chosen id once", async () => {
      const etcd = client();
      const lease = await etcd.leaseGrant(10n);
      assert.equal(lease.ttl, 10n);
      await etcd.put({ key: k("lease/a"), value: enc.encode("v"), lease: lease.id });
      const [a, b] = await Promise.all([etcd.leaseKeepAlive(lease.id), etcd.leaseKeepAlive(lease.id)]);
      assert.deepEqual([a.id, a.ttl, b.ttl], [lease.id, 10n, 10n]);
      const ttl = await etcd.leaseTimeToLive(lease.id, true);
      assert.equal(ttl.grantedTtl, 10n);
      assert.deepEqual(ttl.keys.map(text), [prefix + "lease/a"]);
      await etcd.leaseRevoke(lease.id);
      assert.equal((await etcd.range({ key: k("lease/a") })).count, 0n);
      assert.equal((await etcd.leaseKeepAlive(lease.id)).ttl, 0n);
      assert.equal((await etcd.leaseTimeToLive(lease.id)).ttl, -1n);
      const id = BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000));
      assert.equal((await etcd.leaseGrant(30n, id)).id, id);
      await assert.rejects(etcd.leaseGrant(30n, id), isEtcdError(GrpcCode.FailedPrecondition, "etcdserver: lease already exists"));
      await etcd.leaseRevoke(id);
      assert.match((await etcd.status()).version, /^3\./);
    });
  });

  describe("createGatewayEtcdApi() errors", () => {
    // The gateway's {"error","message","code"} bodies as etcd 3.4.23 sends them: the same code and
    // message the gRPC transport reports (tests/etcd/grpc_api_suite.ts pins those).
    const table: Array<[string, number, string | RegExp, (etcd: GatewayEtcdApi) => Promise<unknown>]> = [
      ["revoking an unknown lease", GrpcCode.NotFound, "etcdserver: requested lease not found", (e) => e.leaseRevoke(4242n)],
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
            success: Array.from({ length: 129 }, (_, i) => ({ put: { key: k(`err/m${i}`), value: new Uint8Array(0) } })),
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
      ["an empty key", GrpcCode.InvalidArgument, "etcdserver: key is not provided", (e) => e.put({ key: new Uint8Array(0), value: new Uint8Array(0) })],
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

    it("rejects an operand of the wrong type with InvalidArgument before any I/O", async () => {
      const etcd = client({ endpoints: [`127.0.0.1:${DEAD_PORT}`] });
      await assert.rejects(
        etcd.txn({ compare: [{ key: k("x"), target: "value", result: "equal", operand: 1n }], success: [], failure: [] }),
        isEtcdError(GrpcCode.InvalidArgument, /needs a Uint8Array operand/),
      );
    });
  });

  describe("createGatewayEtcdApi() watch", () => {
    it("runs two watches on one stream, with prevKv and chosen ids, and cancel answers canceled", async () => {
      const etcd = client();
      const w = etcd.watch();
      w.create({ key: k("w/"), rangeEnd: k("w0"), prevKv: true, watchId: 11n });
      w.create({ key: k("w/b") });
      const created = await readUntil(w, (seen) => seen.filter((r) => r.created).length === 2);
      assert.deepEqual(created.map((r) => r.watchId).sort(), [0n, 11n]);
      await etcd.put({ key: k("w/a"), value: enc.encode("1") });
      await etcd.put({ key: k("w/a"), value: enc.encode("2") });
      const txn = await etcd.txn({
        compare: [],
        success: [{ put: { key: k("w/b"), value: enc.encode("3") } }, { deleteRange: { key: k("w/a") } }],
        failure: [],
      });
      const seen = await readUntil(
        w,
        (s) => [11n, 0n].every((id) => s.some((r) => r.watchId === id && r.header.revision === txn.header.revision)),
      );
      const mine = seen.filter((r) => r.watchId === 11n).flatMap((r) => r.events);
      assert.deepEqual(
        mine.map((e) => [e.type, text(e.kv.key)?.slice(prefix.length), text(e.kv.value), text(e.prevKv?.value)]),
        [["put", "w/a", "1", undefined], ["put", "w/a", "2", "1"], ["put", "w/b", "3", undefined], ["delete", "w/a", "", "2"]],
      );
      assert.equal(seen.find((r) => r.watchId === 11n && r.header.revision === txn.header.revision)?.events.length, 2);
      assert.deepEqual(seen.filter((r) => r.watchId === 0n).flatMap((r) => r.events).map((e) => text(e.kv.value)), ["3"]);
      w.cancel(11n);
      const canceled = await readUntil(w, (s) => s.some((r) => r.canceled));
      assert.equal(canceled.find((r) => r.canceled)?.watchId, 11n);
      // The other watch is still live.
      await etcd.put({ key: k("w/b"), value: enc.encode("4") });
      const later = await readUntil(w, (s) => s.some((r) => r.events.length > 0));
      assert.deepEqual(later.flatMap((r) => r.events).map((e) => text(e.kv.value)), ["4"]);
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
      await etcd.compact(p2.header.revision, true);
      const w = etcd.watch();
      w.create({ key: k("c/a"), startRevision: p1.header.revision, watchId: 2n });
      const canceled = (await readUntil(w, (s) => s.some((r) => r.canceled))).find((r) => r.canceled);
      assert.deepEqual([canceled?.compactRevision, canceled?.watchId], [p2.header.revision, 2n]);
      w.close();
      await assert.rejects(
        etcd.range({ key: k("c/a"), revision: p1.header.revision }),
        isEtcdError(GrpcCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted"),
      );
    });

    it("close() ends the responses iteration without an error", async () => {
      const w = client().watch();
      w.create({ key: k("close/a"), watchId: 5n });
      await readUntil(w, (s) => s.some((r) => r.created));
      setTimeout(() => w.close(), 50);
      const rest: WatchResponse[] = [];
      for await (const r of w.responses) rest.push(r);
      assert.deepEqual(rest, []);
      assert.throws(() => w.create({ key: k("close/b") }), isEtcdError(GrpcCode.Cancelled));
    });
  });

  describe("createGatewayEtcdApi() connection failures", () => {
    it("fails fast with Unavailable on a dead port, for unary calls, keep-alives and watches", async () => {
      const etcd = client({ endpoints: [`127.0.0.1:${DEAD_PORT}`] });
      const start = performance.now();
      await assert.rejects(etcd.range({ key: k("x") }), isEtcdError(GrpcCode.Unavailable));
      await assert.rejects(etcd.txn({ compare: [], success: [], failure: [] }), isEtcdError(GrpcCode.Unavailable));
      await assert.rejects(etcd.leaseKeepAlive(1n), isEtcdError(GrpcCode.Unavailable));
      const w = etcd.watch();
      w.create({ key: k("x") });
      await assert.rejects(readUntil(w, () => false), isEtcdError(GrpcCode.Unavailable));
      assert.ok(performance.now() - start < 2_000, `took ${Math.round(performance.now() - start)} ms`);
    });

    it("fails over from a dead endpoint to the next, for reads and (never sent) writes", async () => {
      const etcd = client({ endpoints: [`127.0.0.1:${DEAD_PORT}`, endpoint()] });
      const put = await etcd.txn({ compare: [], success: [{ put: { key: k("fo/a"), value: enc.encode("v") } }], failure: [] });
      assert.equal(put.succeeded, true);
      const fresh = client({ endpoints: [`127.0.0.1:${DEAD_PORT}`, endpoint()] });
      const w = fresh.watch();
      w.create({ key: k("fo/a"), watchId: 4n });
      await readUntil(w, (s) => s.some((r) => r.created));
      w.close();
    });

    it("bounds calls to a server that never answers with DeadlineExceeded", async () => {
      const net = await import("node:net");
      const sockets = new Set<import("node:net").Socket>();
      const silent = net.createServer((s) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => {});
        s.resume();
      });
      await new Promise<void>((resolve) => silent.listen(SILENT_PORT, "127.0.0.1", resolve));
      const etcd = createGatewayEtcdApi({ endpoints: [`127.0.0.1:${SILENT_PORT}`], requestTimeoutMs: 300 });
      try {
        const start = performance.now();
        await assert.rejects(etcd.range({ key: k("x") }), isEtcdError(GrpcCode.DeadlineExceeded));
        await assert.rejects(etcd.leaseKeepAlive(1n), isEtcdError(GrpcCode.DeadlineExceeded));
        const w = etcd.watch();
        w.create({ key: k("x") });
        await assert.rejects(readUntil(w, () => false), isEtcdError(GrpcCode.DeadlineExceeded));
        const took = performance.now() - start;
        assert.ok(took >= 850 && took < 3_000, `took ${Math.round(took)} ms`);
      } finally {
        await etcd.close();
        for (const s of sockets) s.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it("a cut connection breaks the watch with Unavailable; the next calls and watch work", async () => {
      const [host = "", port = ""] = endpoint().split(":");
      const proxy = await startTcpProxy(PROXY_PORT, { host, port: Number(port) });
      const etcd = createGatewayEtcdApi({ endpoints: [`127.0.0.1:${PROXY_PORT}`] });
      try {
        const lease = await etcd.leaseGrant(10n);
        const w = etcd.watch();
        w.create({ key: k("cut/a"), watchId: 3n });
        await readUntil(w, (s) => s.some((r) => r.created));
        proxy.cut();
        await assert.rejects(readUntil(w, () => false), isEtcdError(GrpcCode.Unavailable));
        await sleep(50);
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

  describe("createGatewayEtcdApi() close()", () => {
    it("rejects later calls with Cancelled, and a call in flight too", async () => {
      const etcd = createGatewayEtcdApi({ endpoints: [endpoint()] });
      await etcd.range({ key: k("x") });
      const w = etcd.watch();
      w.create({ key: k("x") });
      const pending = etcd.leaseKeepAlive(1n);
      await etcd.close();
      await assert.rejects(pending, isEtcdError(GrpcCode.Cancelled));
      await assert.rejects(etcd.range({ key: k("x") }), isEtcdError(GrpcCode.Cancelled));
      assert.throws(() => etcd.watch(), isEtcdError(GrpcCode.Cancelled));
    });

    it("lets the process exit right after close() with a watch open", async () => {
      const script = new URL("./_gateway_exit_probe.ts", import.meta.url).pathname;
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
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => (child.kill("SIGKILL"), resolve(null)), 15_000);
        child.on("exit", (c) => (clearTimeout(timer), resolve(c)));
      });
      assert.equal(code, 0, `exit code ${code}: ${out}`);
      assert.match(out, /closed/);
      const lingered = performance.now() - closedAt;
      assert.ok(lingered < 1_000, `process lived ${Math.round(lingered)} ms after close()`);
    });
  });
}
