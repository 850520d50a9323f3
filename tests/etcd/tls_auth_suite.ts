/**
 * etcd over TLS with client certificates and user/password auth, against a real etcd 3.4 that the
 * suite starts itself (scripts/servers/start-etcd-tls.sh) with auth enabled and simple tokens that
 * expire after 2 idle seconds (--auth-token-ttl 2), so token refresh happens inside the test.
 * Written once; each runtime's `etcd_tls_test.ts` passes its own `connect` and ports, which must be
 * that runtime's alone. One server per runtime file serves both transports: gRPC everywhere, the
 * JSON gateway where the runtime's fetch can present our CA and client certificate (Deno, Bun);
 * elsewhere (Node) the suite checks that connect() refuses the gateway over TLS with BadArguments.
 * @module
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import {
  type ConnectOptions,
  createMetastore,
  CreateMode,
  ErrorCode,
  type KafkaMetastore,
  KeeperError,
  OPEN_ACL_UNSAFE,
  parseConnectString,
} from "../../core/mod.ts";
import { createGrpcEtcdApi, type GrpcEtcdApiFactory } from "../../runtimes/common/etcd/grpc_api.ts";
import { etcdStores } from "../../runtimes/common/etcd_stores.ts";
import type { TlsFetch } from "../../runtimes/common/etcd_store_factory.ts";
import { systemClock } from "../../runtimes/common/system_clock.ts";
import { KV } from "../../runtimes/common/etcd/gen/etcd/rpc_pb.ts";
import { readText, requireTools, runScript, stopAll, tempDir } from "./_servers.ts";

/** What a runtime hands the suite. */
export interface EtcdTlsRuntime {
  name: string;
  connect: (url: string, options?: ConnectOptions) => Promise<KafkaMetastore>;
  /** The server's client and peer ports; this runtime's alone. */
  ports: { client: number; peer: number };
  /**
   * How this runtime's fetch takes TLS options (Deno, Bun), as its `connect` was built with: then
   * the gateway transport runs every case; without it (Node) connect() must refuse gateway + TLS.
   */
  tlsFetch?: TlsFetch;
  /** The gRPC client its `connect` was built with, when it is the runtime's own (Deno's). */
  grpc?: GrpcEtcdApiFactory;
}

type Transport = "grpc" | "gateway";

interface TlsMaterial {
  ca: string;
  cert: string;
  key: string;
  /** An unrelated CA: trusting only it must refuse the server. */
  otherCa: string;
}

const TOKEN_TTL_S = 2;
/** Past the token TTL, plus etcd's one-second expiry sweep and some slack. */
const PAST_TTL_MS = TOKEN_TTL_S * 1000 + 1500;
/** "Quickly": a refused handshake or password is final, not retried until the connection timeout. */
const QUICK_MS = 3000;
/** Per case (Bun's default is 5 s); the first case also starts the server. */
const CASE_TIMEOUT_MS = 30_000;
const enc = new TextEncoder();
const dec = new TextDecoder();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const unique = () => `/tls-${Math.random().toString(36).slice(2, 10)}`;
const isKeeper = (code: number, message?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof KeeperError, `expected KeeperError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  if (message) assert.match(e.message, message);
  return true;
};

/** This runtime's server: started on first use (inside a case, under its timeout), stopped by pid. */
interface TlsServer {
  readonly endpoint: string;
  /** Starts the server once; resolves with the client's TLS material. */
  ready(): Promise<TlsMaterial>;
  stop(): Promise<void>;
}

function tlsServer(rt: EtcdTlsRuntime): TlsServer {
  let root = "";
  let started: Promise<TlsMaterial> | undefined;
  const start = async (): Promise<TlsMaterial> => {
    requireTools("etcd", "etcdctl", "openssl");
    root = tempDir(`etcd-tls-${rt.name}`);
    await runScript("start-etcd-tls.sh", [root, "--auth-token-ttl", String(TOKEN_TTL_S)], {
      ETCD_CLIENT_PORT: String(rt.ports.client),
      ETCD_PEER_PORT: String(rt.ports.peer),
      ETCD_AUTH: "1",
    });
    const dir = `${root}/tls`;
    return {
      ca: readText(`${dir}/ca.pem`),
      cert: readText(`${dir}/client.pem`),
      key: readText(`${dir}/client.key`),
      otherCa: readText(`${dir}/other-ca.pem`),
    };
  };
  return {
    endpoint: `127.0.0.1:${rt.ports.client}`,
    ready: () => (started ??= start()),
    stop: async () => {
      if (root) await stopAll([root], root);
      root = "";
    },
  };
}

/** Registers the suite for one runtime; its server is started by the first case and stopped after the last. */
export function etcdTlsAuthSuite(rt: EtcdTlsRuntime): void {
  const server = tlsServer(rt);
  describe(`${rt.name}: etcd over TLS with auth (port ${rt.ports.client})`, () => {
    after(() => server.stop(), { timeout: 20_000 });

    it("etcds:// parses as the etcd store over TLS", () => {
      assert.deepEqual(parseConnectString("etcds://h1:2379,h2/kafka"), {
        scheme: "etcd",
        hosts: [{ host: "h1", port: 2379 }, { host: "h2", port: 2379 }],
        chroot: "/kafka",
        tls: true,
      });
      assert.equal(parseConnectString("etcd://h1").tls, undefined);
    });

    transportCases(rt, server, "grpc");
    if (rt.tlsFetch) {
      transportCases(rt, server, "gateway");
    } else {
      it("gateway: TLS is refused with BadArguments before any I/O (this runtime's fetch has no TLS options)", { timeout: CASE_TIMEOUT_MS }, async () => {
        const tls = await server.ready();
        const started = performance.now();
        await assert.rejects(
          rt.connect(`etcds://${server.endpoint}`, {
            connectionTimeoutMs: 20_000,
            etcd: { transport: "gateway", tls: { ca: tls.ca, cert: tls.cert, key: tls.key }, username: "kafka", password: "kafka-pw" },
          }),
          isKeeper(ErrorCode.BadArguments, /TLS/),
        );
        assert.ok(performance.now() - started < 500, `took ${Math.round(performance.now() - started)} ms`);
      });
    }
  });
}

/** The cases every transport must pass against the TLS + auth server. */
function transportCases(rt: EtcdTlsRuntime, server: TlsServer, transport: Transport): void {
  const url = `etcds://${server.endpoint}`;
  const options = (tls: TlsMaterial, password = "kafka-pw", tlsOptions: { ca: string; cert?: string; key?: string } = tls): ConnectOptions => ({
    sessionTimeoutMs: 10_000,
    connectionTimeoutMs: 20_000,
    etcd: { transport, tls: { ca: tlsOptions.ca, cert: tlsOptions.cert, key: tlsOptions.key }, username: "kafka", password },
  });
  const open = async () => rt.connect(url, options(await server.ready()));

  describe(`${transport} transport`, () => {
    it("connects with a client certificate and a user; create, read, a watch and an ephemeral work", { timeout: CASE_TIMEOUT_MS }, async () => {
      const a = await open();
      const b = await open();
      try {
        const path = unique();
        const created = await a.handleRequest({ type: "create", path, data: enc.encode("v1"), acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent });
        assert.equal(created.resultCode, ErrorCode.Ok);
        let fired = 0;
        a.registerZNodeChangeHandler({ path, handleDataChange: () => fired++ });
        assert.equal(dec.decode((await a.handleRequest({ type: "getData", path })).data!), "v1");
        assert.equal((await b.handleRequest({ type: "setData", path, data: enc.encode("v2"), version: 0 })).resultCode, ErrorCode.Ok);
        await waitUntil(() => fired === 1, 5000, "the data watch");
        assert.equal(dec.decode((await a.handleRequest({ type: "getData", path })).data!), "v2");
        // An ephemeral carries the session (the lease works through auth too).
        const eph = await a.handleRequest({ type: "create", path: `${path}-e`, data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Ephemeral });
        assert.equal(eph.resultCode, ErrorCode.Ok);
        assert.equal((await b.handleRequest({ type: "exists", path: `${path}-e` })).stat?.ephemeralOwner, a.sessionId);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it("a server certificate from an untrusted CA fails connect() quickly with AuthFailed", { timeout: CASE_TIMEOUT_MS }, async () => {
      const tls = await server.ready();
      const started = performance.now();
      await assert.rejects(rt.connect(url, options(tls, "kafka-pw", { ...tls, ca: tls.otherCa })), isKeeper(ErrorCode.AuthFailed));
      assert.ok(performance.now() - started < QUICK_MS, `took ${Math.round(performance.now() - started)} ms`);
    });

    it("a missing client certificate (etcd --client-cert-auth) fails connect() quickly with AuthFailed", { timeout: CASE_TIMEOUT_MS }, async () => {
      const tls = await server.ready();
      const started = performance.now();
      await assert.rejects(rt.connect(url, options(tls, "kafka-pw", { ca: tls.ca })), isKeeper(ErrorCode.AuthFailed));
      assert.ok(performance.now() - started < QUICK_MS, `took ${Math.round(performance.now() - started)} ms`);
    });

    it("a wrong password calls onAuthFailure once and fails connect() with AuthFailed, without retrying", { timeout: CASE_TIMEOUT_MS }, async () => {
      const tls = await server.ready();
      // The store connect() would open, under a client whose handler is registered before it connects.
      const store = etcdStores(systemClock, rt.tlsFetch, rt.grpc)(parseConnectString(url), options(tls, "wrong-pw"));
      const client = createMetastore({ store, clock: systemClock, ownsStore: true }, { sessionTimeoutMs: 10_000 });
      let failures = 0;
      client.registerStateChangeHandler({ name: "t", onAuthFailure: () => failures++ });
      try {
        const started = performance.now();
        await assert.rejects(client.waitUntilConnected(20_000), isKeeper(ErrorCode.AuthFailed));
        assert.ok(performance.now() - started < QUICK_MS, `took ${Math.round(performance.now() - started)} ms`);
        assert.equal(client.connectionState, "AUTH_FAILED");
        // No silent retry loop: still one failure and still failed a while later.
        await sleep(1500);
        assert.equal(failures, 1);
        assert.equal(client.connectionState, "AUTH_FAILED");
        assert.equal((await client.handleRequest({ type: "exists", path: "/" })).resultCode, ErrorCode.AuthFailed);
      } finally {
        await client.close();
      }
      await assert.rejects(rt.connect(url, options(tls, "wrong-pw")), isKeeper(ErrorCode.AuthFailed));
    });

    it("a token etcd let expire is refreshed: requests and watches keep working after the TTL", { timeout: CASE_TIMEOUT_MS }, async () => {
      const tls = await server.ready();
      const a = await open();
      const b = await open();
      try {
        const path = unique();
        assert.equal((await a.handleRequest({ type: "create", path, data: enc.encode("v1"), acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent })).resultCode, ErrorCode.Ok);
        let fired = 0;
        a.registerZNodeChangeHandler({ path, handleDataChange: () => fired++ });
        assert.equal((await a.handleRequest({ type: "getData", path })).resultCode, ErrorCode.Ok);
        // Idle past the TTL: only lease keep-alives flow, and etcd 3.4 does not check (or renew)
        // tokens on them. Meanwhile (gRPC case only: a property of the server, checked once) the
        // premise: a raw client's token unused for as long is refused.
        await Promise.all([sleep(PAST_TTL_MS), transport === "grpc" ? tokenExpires(server.endpoint, tls) : undefined]);
        assert.equal(a.connectionState, "CONNECTED");
        assert.equal((await b.handleRequest({ type: "setData", path, data: enc.encode("v2"), version: 0 })).resultCode, ErrorCode.Ok);
        assert.equal(dec.decode((await a.handleRequest({ type: "getData", path })).data!), "v2");
        await waitUntil(() => fired === 1, 5000, "the data watch to fire");
        await sleep(300);
        assert.equal(fired, 1, "the watch fired once");
        // The getData above re-armed it (a handler is registered): our own write fires it once more.
        assert.equal((await a.handleRequest({ type: "setData", path, data: enc.encode("v3"), version: 1 })).resultCode, ErrorCode.Ok);
        await waitUntil(() => fired === 2, 5000, "the re-armed watch to fire");
        assert.equal(a.connectionState, "CONNECTED");
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}

/**
 * Checks, with a raw gRPC client that never refreshes, that etcd refuses a token left unused for
 * longer than --auth-token-ttl; takes PAST_TTL_MS.
 */
async function tokenExpires(endpoint: string, tls: TlsMaterial): Promise<void> {
  const baseUrl = `https://${endpoint}`;
  const raw = createGrpcEtcdApi({ endpoints: [baseUrl], tls });
  const { token } = await raw.authenticate("kafka", "kafka-pw");
  await raw.close();
  const session = new Http2SessionManager(baseUrl, {}, { ca: tls.ca, cert: tls.cert, key: tls.key });
  try {
    const kv = createClient(KV, createGrpcTransport({ baseUrl, sessionManager: session }));
    await kv.range({ key: enc.encode("kmeta/") }, { headers: { token } });
    await sleep(PAST_TTL_MS);
    await assert.rejects(kv.range({ key: enc.encode("kmeta/") }, { headers: { token } }), /invalid auth token/);
  } finally {
    session.abort();
  }
}

async function waitUntil(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
