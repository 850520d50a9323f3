// etcd over TLS with client certificates and user/password auth, against a real etcd 3.4 this file
// starts itself (scripts/servers/start-etcd-tls.sh, ports 23880/23881) with auth enabled and simple
// tokens that expire after 2 idle seconds (--auth-token-ttl 2), so token refresh happens in the test.
//
//   node --import tsx --test tests/etcd/tls_auth_test.ts
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { connect } from "../../runtimes/node/mod.ts";
import {
  createEtcdStore,
  createMetastore,
  CreateMode,
  ErrorCode,
  type KafkaMetastore,
  KeeperError,
  OPEN_ACL_UNSAFE,
  parseConnectString,
} from "../../core/mod.ts";
import { createGrpcEtcdApi } from "../../runtimes/common/etcd/grpc_api.ts";
import { systemClock } from "../../runtimes/common/system_clock.ts";
import { KV } from "../../runtimes/common/etcd/gen/etcd/rpc_pb.ts";
import { readText, requireTools, runScript, stopAll, tempDir } from "./_servers.ts";

const PORT = 23880;
const PEER_PORT = 23881;
const ENDPOINT = `127.0.0.1:${PORT}`;
const TOKEN_TTL_S = 2;
const enc = new TextEncoder();
const dec = new TextDecoder();

let root = "";
let tls: { ca: string; cert: string; key: string; otherCa: string };

function isKeeper(code: number) {
  return (e: unknown) => e instanceof KeeperError && e.code === code;
}

function credentials(password = "kafka-pw") {
  return { tls: { ca: tls.ca, cert: tls.cert, key: tls.key }, username: "kafka", password };
}

async function open(): Promise<KafkaMetastore> {
  return await connect(`etcds://${ENDPOINT}`, { sessionTimeoutMs: 10_000, connectionTimeoutMs: 10_000, etcd: credentials() });
}

const unique = () => `/tls-${Math.random().toString(36).slice(2, 10)}`;

describe("etcd over TLS with auth", { timeout: 120_000 }, () => {
  before(async () => {
    requireTools("etcd", "etcdctl", "openssl");
    root = tempDir("etcd-tls");
    await runScript("start-etcd-tls.sh", [root, "--auth-token-ttl", String(TOKEN_TTL_S)], {
      ETCD_CLIENT_PORT: String(PORT),
      ETCD_PEER_PORT: String(PEER_PORT),
      ETCD_AUTH: "1",
    });
    const dir = `${root}/tls`;
    tls = {
      ca: readText(`${dir}/ca.pem`),
      cert: readText(`${dir}/client.pem`),
      key: readText(`${dir}/client.key`),
      otherCa: readText(`${dir}/other-ca.pem`),
    };
  });

  after(async () => {
    if (root) await stopAll([root], root);
  });

  it("etcds:// parses as the etcd store over TLS", () => {
    assert.deepEqual(parseConnectString("etcds://h1:2379,h2/kafka"), {
      scheme: "etcd",
      hosts: [{ host: "h1", port: 2379 }, { host: "h2", port: 2379 }],
      chroot: "/kafka",
      tls: true,
    });
    assert.equal(parseConnectString("etcd://h1").tls, undefined);
  });

  it("connects over TLS with a client certificate and a user; create, read and a watch work", async () => {
    const a = await open();
    const b = await open();
    try {
      const path = unique();
      const created = await a.handleRequest({ type: "create", path, data: enc.encode("v1"), acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent });
      assert.equal(created.resultCode, ErrorCode.Ok);
      const changed = new Promise<void>((resolve) => a.registerZNodeChangeHandler({ path, handleDataChange: resolve }));
      const read = await a.handleRequest({ type: "getData", path });
      assert.equal(dec.decode(read.data!), "v1");
      assert.equal((await b.handleRequest({ type: "setData", path, data: enc.encode("v2"), version: 0 })).resultCode, ErrorCode.Ok);
      await withTimeout(changed, 5000, "the data watch");
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

  it("a server certificate from an untrusted CA fails connect() quickly with AuthFailed", async () => {
    const started = performance.now();
    await assert.rejects(
      connect(`etcds://${ENDPOINT}`, { connectionTimeoutMs: 20_000, etcd: { ...credentials(), tls: { ca: tls.otherCa, cert: tls.cert, key: tls.key } } }),
      isKeeper(ErrorCode.AuthFailed),
    );
    assert.ok(performance.now() - started < 3000, `took ${Math.round(performance.now() - started)} ms`);
  });

  it("a missing client certificate (etcd --client-cert-auth) fails connect() quickly with AuthFailed", async () => {
    const started = performance.now();
    await assert.rejects(
      connect(`etcds://${ENDPOINT}`, { connectionTimeoutMs: 20_000, etcd: { ...credentials(), tls: { ca: tls.ca } } }),
      isKeeper(ErrorCode.AuthFailed),
    );
    assert.ok(performance.now() - started < 3000, `took ${Math.round(performance.now() - started)} ms`);
  });

  it("a wrong password calls onAuthFailure once and fails connect() with AuthFailed, without retrying", async () => {
    const api = createGrpcEtcdApi({ endpoints: [`https://${ENDPOINT}`], ...credentials("wrong-pw") });
    const client = createMetastore({ store: createEtcdStore({ api, clock: systemClock }), clock: systemClock, ownsStore: true }, { sessionTimeoutMs: 10_000 });
    let failures = 0;
    client.registerStateChangeHandler({ name: "t", onAuthFailure: () => failures++ });
    try {
      const started = performance.now();
      await assert.rejects(client.waitUntilConnected(20_000), isKeeper(ErrorCode.AuthFailed));
      assert.ok(performance.now() - started < 3000, `took ${Math.round(performance.now() - started)} ms`);
      assert.equal(client.connectionState, "AUTH_FAILED");
      // No silent retry loop: still one failure and still failed a while later.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(failures, 1);
      assert.equal(client.connectionState, "AUTH_FAILED");
      const reply = await client.handleRequest({ type: "exists", path: "/" });
      assert.equal(reply.resultCode, ErrorCode.AuthFailed);
    } finally {
      await client.close();
    }
    await assert.rejects(
      connect(`etcds://${ENDPOINT}`, { connectionTimeoutMs: 20_000, etcd: credentials("wrong-pw") }),
      isKeeper(ErrorCode.AuthFailed),
    );
  });

  it("a token etcd let expire is refreshed: requests and watches keep working after the TTL", async () => {
    // The premise: a token unused for longer than --auth-token-ttl is refused (checked with a raw client).
    const raw = createGrpcEtcdApi({ endpoints: [`https://${ENDPOINT}`], tls: credentials().tls });
    const { token } = await raw.authenticate("kafka", "kafka-pw");
    await raw.close();
    const session = new Http2SessionManager(`https://${ENDPOINT}`, {}, { ca: tls.ca, cert: tls.cert, key: tls.key });
    const kv = createClient(KV, createGrpcTransport({ baseUrl: `https://${ENDPOINT}`, sessionManager: session }));
    await kv.range({ key: enc.encode("kmeta/") }, { headers: { token } });
    await new Promise((r) => setTimeout(r, TOKEN_TTL_S * 1000 + 1500));
    await assert.rejects(kv.range({ key: enc.encode("kmeta/") }, { headers: { token } }), /invalid auth token/);
    session.abort();

    const a = await open();
    const b = await open();
    try {
      const path = unique();
      assert.equal((await a.handleRequest({ type: "create", path, data: enc.encode("v1"), acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent })).resultCode, ErrorCode.Ok);
      let fired = 0;
      a.registerZNodeChangeHandler({ path, handleDataChange: () => fired++ });
      assert.equal((await a.handleRequest({ type: "getData", path })).resultCode, ErrorCode.Ok);
      // Idle past the TTL: only lease keep-alives flow, and etcd 3.4 does not check (or renew) tokens on them.
      await new Promise((r) => setTimeout(r, TOKEN_TTL_S * 1000 + 1500));
      assert.equal(a.connectionState, "CONNECTED");
      assert.equal((await b.handleRequest({ type: "setData", path, data: enc.encode("v2"), version: 0 })).resultCode, ErrorCode.Ok);
      assert.equal(dec.decode((await a.handleRequest({ type: "getData", path })).data!), "v2");
      await waitUntil(() => fired === 1, 5000, "the data watch to fire");
      await new Promise((r) => setTimeout(r, 300));
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

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitUntil(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
