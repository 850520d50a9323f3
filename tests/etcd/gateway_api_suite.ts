// Tests of createGatewayEtcdApi() against a real etcd 3.4 (KMETA_ETCD=host:port), shared by the Node,
// Deno and Bun test entries: the behaviours both transports share (etcd_api_suite.ts; errors must
// read as the gRPC transport's), run with what differs when each watch is its own long POST, then
// what only the gateway has: a watch whose connection dies silently is found by its probe and resumed,
// and connect()'s gateway options.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { WatchResponse } from "../../core/etcd/api.ts";
import {
  createEtcdStore,
  createMetastore,
  CreateMode,
  ErrorCode,
  type EtcdFetch,
  type KafkaMetastore,
  KeeperError,
  OPEN_ACL_UNSAFE,
} from "../../core/mod.ts";
import { createGatewayEtcdApi } from "../../runtimes/common/etcd/gateway_api.ts";
import { connectWithStores } from "../../runtimes/common/connect_with_stores.ts";
import { etcdStoreFactory } from "../../runtimes/common/etcd_store_factory.ts";
import { systemClock } from "../../runtimes/common/system_clock.ts";
import { enc, endpoint, keyspace, readUntil, SLOW_TEST_TIMEOUT_MS, text } from "./_etcd_api_helpers.ts";
import { startTcpProxy } from "./_tcp_proxy.ts";
import { Stalls } from "../faults/stalls.ts";
import { etcdApiSuite } from "./etcd_api_suite.ts";

// Ports 23905-23907 belong to this suite's helpers (a proxy, a silent server, a dead port).
const PROXY_PORT = 23905;
// Short probe times so a test sees a resume within a few seconds (defaults: 5 000 and 2 000).
const PROBE = { watchProbeIntervalMs: 300, watchProbeGraceMs: 300 };
const isWatchPost = (requestLine: string) => requestLine.startsWith("POST /v3/watch ");

export function gatewayApiSuite(): void {
  etcdApiSuite("createGatewayEtcdApi()", createGatewayEtcdApi, {
    keyspace: "gateway",
    ports: { proxy: PROXY_PORT, silent: 23906, dead: 23907 },
    // A watch's POST must start answering within requestTimeoutMs, like a unary call.
    // Each watch is its own POST: their created answers race.
    createdInOrder: false,
    watchHasDeadline: true,
    // The cut's broken sockets may still sit in fetch's pool for a moment.
    settleAfterCutMs: 50,
    exitProbe: new URL("./_gateway_exit_probe.ts", import.meta.url),
  });

  const { prefix, k } = keyspace("gateway-live");
  const proxied = async () => {
    const [host = "", port = ""] = endpoint().split(":");
    return await startTcpProxy(PROXY_PORT, { host, port: Number(port) });
  };

  describe("createGatewayEtcdApi() dead watch connections", () => {
    it("resumes a watch whose connection silently stops forwarding, from its last revision, while other calls work", { timeout: SLOW_TEST_TIMEOUT_MS }, async () => {
      const proxy = await proxied();
      const etcd = createGatewayEtcdApi({ endpoints: [`127.0.0.1:${PROXY_PORT}`], ...PROBE });
      try {
        const w = etcd.watch();
        w.create({ key: k("dead/"), rangeEnd: k("dead0"), watchId: 4n });
        const seen: WatchResponse[] = [];
        const events = () => seen.flatMap((r) => r.events.map((e) => text(e.kv.value)));
        seen.push(...await readUntil(w, (s) => s.some((r) => r.created)));
        await etcd.put({ key: k("dead/a"), value: enc.encode("1") });
        seen.push(...await readUntil(w, (s) => s.some((r) => r.events.length > 0)));

        proxy.freeze(isWatchPost);
        // Quiet past a few probe rounds: nothing changed, so nothing is resumed yet.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        using stalls = new Stalls();
        const start = performance.now();
        const put = await etcd.put({ key: k("dead/b"), value: enc.encode("2") });
        seen.push(...await readUntil(w, (s) => s.some((r) => r.events.length > 0), 5_000));
        // This process's running time: the probe timers wait while a busy machine stalls it.
        const ms = stalls.running(start, performance.now());
        // One probe interval, the probe, one grace period, and the resumed POST's replay.
        assert.ok(ms < 2_500, `delivered after ${Math.round(ms)} ms`);
        assert.deepEqual(events(), ["1", "2"], "each event once, in order");
        assert.equal(seen.filter((r) => r.created).length, 1, "the resumed POST's created answer is not passed on");
        assert.ok(seen.every((r) => r.watchId === 4n));
        assert.equal(seen.at(-1)?.events[0]?.kv.modRevision, put.header.revision);
        // And the resumed watch is live: the next change arrives without a probe's delay.
        await etcd.put({ key: k("dead/c"), value: enc.encode("3") });
        seen.push(...await readUntil(w, (s) => s.some((r) => r.events.length > 0), 1_000));
        assert.deepEqual(events(), ["1", "2", "3"]);
        console.log(`  resumed watch delivered ${Math.round(ms)} ms after the put (probe every 300 ms, grace 300 ms)`);
      } finally {
        await etcd.close();
        await proxy.close();
      }
    });

    it("an armed ZooKeeper watch still fires when the store's watch connection dies silently", { timeout: SLOW_TEST_TIMEOUT_MS }, async () => {
      const proxy = await proxied();
      const storePrefix = `${prefix.slice(1)}store/`;
      const open = (endpoints: string[]): Promise<KafkaMetastore> => {
        const api = createGatewayEtcdApi({ endpoints, ...PROBE });
        const store = createEtcdStore({ api, clock: systemClock, prefix: storePrefix });
        const client = createMetastore({ store, clock: systemClock, ownsStore: true }, { sessionTimeoutMs: 8000 });
        return client.waitUntilConnected(10_000).then(() => client);
      };
      const a = await open([`127.0.0.1:${PROXY_PORT}`]);
      const b = await open([endpoint()]);
      try {
        await a.handleRequest({ type: "create", path: "/n", data: enc.encode("v1"), acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent });
        let fired = 0;
        a.registerZNodeChangeHandler({ path: "/n", handleDataChange: () => void fired++ });
        assert.equal((await a.handleRequest({ type: "getData", path: "/n" })).resultCode, ErrorCode.Ok);
        proxy.freeze(isWatchPost);
        using stalls = new Stalls();
        const start = performance.now();
        assert.equal((await b.handleRequest({ type: "setData", path: "/n", data: enc.encode("v2"), version: 0 })).resultCode, ErrorCode.Ok);
        while (fired === 0 && performance.now() - start < 5_000) await new Promise((resolve) => setTimeout(resolve, 20));
        const ms = stalls.running(start, performance.now());
        assert.equal(fired, 1, `A's watch fired ${fired} times within ${Math.round(ms)} ms`);
        assert.ok(ms < 2_500, `fired after ${Math.round(ms)} ms`);
        assert.equal(a.connectionState, "CONNECTED");
        assert.equal(text((await a.handleRequest({ type: "getData", path: "/n" })).data ?? undefined), "v2");
        console.log(`  A's data watch fired ${Math.round(ms)} ms after B's setData`);
      } finally {
        await a.close();
        await b.close();
        await proxy.close();
        const admin = createGatewayEtcdApi({ endpoints: [endpoint()] });
        await admin.deleteRange({ key: enc.encode(storePrefix), rangeEnd: enc.encode(storePrefix.slice(0, -1) + "0") });
        await admin.close();
      }
    });
  });

  describe("connect() over the gateway", () => {
    // The browser entry's set-up: no gRPC transport, and no fetch that takes TLS options.
    const connect = connectWithStores({
      etcd: etcdStoreFactory(systemClock, { defaultTransport: "gateway", noTlsFetch: "pass etcd.fetch" }),
    });
    const isBadArguments = (message: RegExp) => (e: unknown) => e instanceof KeeperError && e.code === ErrorCode.BadArguments && message.test(e.message);

    it("sends every call through etcd.fetch when given one", async () => {
      const paths: string[] = [];
      const counting: EtcdFetch = (url, init) => {
        paths.push(new URL(url).pathname);
        return fetch(url, init);
      };
      const client = await connect(`etcd://${endpoint()}`, { etcd: { fetch: counting } });
      try {
        assert.equal((await client.handleRequest({ type: "exists", path: "/" })).resultCode, ErrorCode.Ok);
      } finally {
        await client.close();
      }
      assert.ok(paths.includes("/v3/lease/grant") && paths.includes("/v3/kv/txn") && paths.includes("/v3/watch"), paths.join());
    });

    it("spreads reads over the members in turn; writes and the watch stay on the first", async () => {
      // Two names for the one etcd: the fetch records which member a call was meant for.
      const [, port] = endpoint().split(":");
      const seen: string[] = [];
      const twoMembers: EtcdFetch = (url, init) => {
        const u = new URL(url);
        seen.push(`${u.hostname} ${u.pathname}`);
        return fetch(`http://127.0.0.1:${port}${u.pathname}`, init);
      };
      const client = await connect(`etcd://member-a.invalid:${port},member-b.invalid:${port}`, { etcd: { fetch: twoMembers } });
      try {
        // One after another: reads in flight together share one Txn.
        for (let i = 0; i < 4; i++) assert.equal((await client.handleRequest({ type: "exists", path: "/" })).resultCode, ErrorCode.Ok);
        const path = `/spread-${Math.random().toString(36).slice(2, 8)}`;
        assert.equal((await client.handleRequest({ type: "create", path, data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Ephemeral })).resultCode, ErrorCode.Ok);
      } finally {
        await client.close();
      }
      const on = (host: string, path: string) => seen.filter((s) => s === `${host} ${path}`).length;
      assert.ok(on("member-a.invalid", "/v3/kv/txn") > 0 && on("member-b.invalid", "/v3/kv/txn") > 0, `read Txns on both: ${seen.join()}`);
      for (const write of ["/v3/lease/grant", "/v3/watch", "/v3/lease/revoke"]) {
        assert.equal(on("member-b.invalid", write), 0, `${write} stays on the first member: ${seen.join()}`);
      }
    });

    it("takes credentials for a server without auth, as the gRPC transport does (etcd: auth not enabled)", async () => {
      const client = await connect(`etcd://${endpoint()}`, { etcd: { username: "kafka", password: "pw" } });
      try {
        assert.equal((await client.handleRequest({ type: "exists", path: "/" })).resultCode, ErrorCode.Ok);
      } finally {
        await client.close();
      }
    });

    it("refuses what this runtime cannot do with BadArguments, before any I/O", async () => {
      const dead = "etcds://127.0.0.1:23907";
      await assert.rejects(connect(dead, { etcd: { tls: { ca: "PEM" } } }), isBadArguments(/need a fetch that takes them: pass etcd.fetch/));
      await assert.rejects(connect(dead, { etcd: { transport: "grpc" } }), isBadArguments(/needs node:http2/));
      await assert.rejects(connect(dead, { etcd: { fetch, tls: { cert: "PEM", key: "PEM" } } }), isBadArguments(/either etcd.fetch or etcd.tls/));
      const grpcToo = connectWithStores({
        etcd: etcdStoreFactory(systemClock, { defaultTransport: "grpc", grpc: () => assert.fail("not reached"), noTlsFetch: "" }),
      });
      await assert.rejects(grpcToo(dead, { etcd: { fetch } }), isBadArguments(/etcd.fetch is for the gateway transport/));
    });
  });
}
