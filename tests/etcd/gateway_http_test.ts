// The gateway transport's reading of fetch, without a server: a scripted fetch answers as etcd 3.4
// did (bodies copied from its gateway) or rejects as Node's, Deno's and Bun's fetch did against a
// TLS etcd with --client-cert-auth (error shapes recorded on this machine).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { EtcdFetch, EtcdFetchInit } from "../../core/mod.ts";
import { GrpcCode } from "../../core/etcd/api.ts";
import { EtcdError } from "../../core/errors.ts";
import { createGatewayEtcdApi } from "../../runtimes/common/etcd/gateway_api.ts";

const HEADER = { cluster_id: "1", member_id: "2", revision: "7", raft_term: "2" };
const enc = new TextEncoder();

interface Sent {
  url: string;
  init: EtcdFetchInit;
}

/** A fetch that records each request and answers with the next of `answers` (a Response or an error to throw). */
function scripted(answers: (Response | Error | ((sent: Sent) => Response))[]): { fetch: EtcdFetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch: EtcdFetch = (url, init) => {
    const s = { url, init };
    sent.push(s);
    const next = answers.shift();
    if (next === undefined) return Promise.reject(new Error(`unexpected request to ${url}`));
    if (next instanceof Error) return Promise.reject(next);
    return Promise.resolve(typeof next === "function" ? next(s) : next);
  };
  return { fetch, sent };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
const path = (s: Sent) => new URL(s.url).pathname;

/** A fetch rejection shaped as `runtime`'s fetch reported the failure. */
function rejection(message: string, cause?: { code?: string; message: string }): Error {
  const e = new TypeError(message);
  if (cause) (e as { cause?: unknown }).cause = Object.assign(new Error(cause.message), cause.code ? { code: cause.code } : {});
  return e;
}

const TLS_FAILURES: [string, Error][] = [
  ["Node: untrusted server certificate", rejection("fetch failed", { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE", message: "unable to verify the first certificate" })],
  ["Bun: untrusted server certificate", Object.assign(rejection("unable to verify the first certificate"), { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" })],
  ["Bun: refused client certificate", Object.assign(rejection("EPROTO: The TLS handshake failed. Does the server speak TLS on this port?"), { code: "EPROTO" })],
  ["Bun: wrong server name", Object.assign(rejection('ERR_TLS_CERT_ALTNAME_INVALID fetching "https://127.0.0.1:23980/"'), { code: "ERR_TLS_CERT_ALTNAME_INVALID" })],
  [
    "Deno: untrusted server certificate",
    rejection("fetch failed", {
      message: "error sending request for url (https://127.0.0.1:23980/v3/kv/range): client error (Connect): invalid peer certificate: UnknownIssuer",
    }),
  ],
  ["Deno: refused client certificate", rejection("fetch failed", { message: "received fatal alert: BadCertificate" })],
];

describe("createGatewayEtcdApi() reading fetch", () => {
  for (const [what, error] of TLS_FAILURES) {
    it(`reads a failed TLS handshake as Unauthenticated and tries the next endpoint (${what})`, async () => {
      const { fetch, sent } = scripted([error, error]);
      const etcd = createGatewayEtcdApi({ endpoints: ["https://a:2379", "https://b:2379"], fetch });
      await assert.rejects(etcd.range({ key: enc.encode("k") }), (e: unknown) =>
        e instanceof EtcdError && e.grpcCode === GrpcCode.Unauthenticated && /TLS handshake with "https:\/\/b:2379" failed: /.test(e.message));
      assert.deepEqual(sent.map((s) => new URL(s.url).host), ["a:2379", "b:2379"]);
      await etcd.close();
    });
  }

  it("sends a write to the next endpoint only when the connection was refused", async () => {
    const refused = rejection("fetch failed", { code: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:1" });
    const { fetch, sent } = scripted([refused, json({ header: HEADER })]);
    const etcd = createGatewayEtcdApi({ endpoints: ["a:1", "b:2"], fetch });
    await etcd.put({ key: enc.encode("k"), value: enc.encode("v") });
    assert.deepEqual(sent.map((s) => s.url), ["http://a:1/v3/kv/put", "http://b:2/v3/kv/put"]);
    const reset = scripted([rejection("fetch failed", { code: "ECONNRESET", message: "other side closed" })]);
    const again = createGatewayEtcdApi({ endpoints: ["a:1", "b:2"], fetch: reset.fetch });
    await assert.rejects(again.put({ key: enc.encode("k"), value: enc.encode("v") }), (e: unknown) =>
      e instanceof EtcdError && e.grpcCode === GrpcCode.Unavailable);
    assert.equal(reset.sent.length, 1, "its outcome is unknown: not sent again");
    await etcd.close();
    await again.close();
  });
});

describe("createGatewayEtcdApi() auth", () => {
  const token = (t: string) => json({ header: HEADER, token: t });
  const stale = () => json({ error: "etcdserver: invalid auth token", message: "etcdserver: invalid auth token", code: 16 }, 401);

  it("authenticates once, sends the token as Authorization on calls and keep-alives, and not on /v3/auth/authenticate", async () => {
    const { fetch, sent } = scripted([
      token("t1"),
      json({ header: HEADER, count: "0" }),
      new Response(`{"result":{"header":{"revision":"7"},"ID":"5","TTL":"9"}}\n`),
    ]);
    const etcd = createGatewayEtcdApi({ endpoints: ["a:1"], fetch, username: "kafka", password: "pw" });
    await etcd.range({ key: enc.encode("k") });
    assert.equal((await etcd.leaseKeepAlive(5n)).ttl, 9n);
    assert.deepEqual(sent.map(path), ["/v3/auth/authenticate", "/v3/kv/range", "/v3/lease/keepalive"]);
    assert.deepEqual(JSON.parse(sent[0]!.init.body), { name: "kafka", password: "pw" });
    assert.deepEqual(sent.map((s) => s.init.headers.authorization), [undefined, "t1", "t1"]);
    await etcd.close();
  });

  it("authenticates again once when etcd refused the token, and sends the refused write again", async () => {
    const { fetch, sent } = scripted([token("t1"), stale(), token("t2"), json({ header: HEADER })]);
    const etcd = createGatewayEtcdApi({ endpoints: ["a:1"], fetch, username: "kafka", password: "pw" });
    await etcd.put({ key: enc.encode("k"), value: enc.encode("v") });
    assert.deepEqual(sent.map((s) => `${path(s)} ${s.init.headers.authorization ?? "-"}`), [
      "/v3/auth/authenticate -",
      "/v3/kv/put t1",
      "/v3/auth/authenticate -",
      "/v3/kv/put t2",
    ]);
    await etcd.close();
  });

  it("does not loop when the new token is refused too, and reports a wrong password as etcd's InvalidArgument", async () => {
    const twice = scripted([token("t1"), stale(), token("t2"), stale()]);
    const etcd = createGatewayEtcdApi({ endpoints: ["a:1"], fetch: twice.fetch, username: "kafka", password: "pw" });
    await assert.rejects(etcd.range({ key: enc.encode("k") }), (e: unknown) => e instanceof EtcdError && e.grpcCode === GrpcCode.Unauthenticated);
    assert.equal(twice.sent.length, 4);
    await etcd.close();
    const wrong = json({ error: "etcdserver: authentication failed, invalid user ID or password", code: 3 }, 400);
    const bad = scripted([wrong]);
    const refused = createGatewayEtcdApi({ endpoints: ["a:1"], fetch: bad.fetch, username: "kafka", password: "bad" });
    await assert.rejects(refused.range({ key: enc.encode("k") }), (e: unknown) =>
      e instanceof EtcdError && e.grpcCode === GrpcCode.InvalidArgument && /authentication failed/.test(e.message));
    assert.equal(bad.sent.length, 1);
    await refused.close();
  });

  it("makes a watch again with a new token when etcd cancelled its creation for a stale one", async () => {
    const cancelled = '{"result":{"header":{"revision":"7"},"watch_id":"-1","created":true,"canceled":true,' +
      '"cancel_reason":"rpc error: code = Unauthenticated desc = etcdserver: invalid auth token"}}\n';
    const { fetch, sent } = scripted([
      token("t1"),
      new Response(cancelled),
      token("t2"),
      new Response('{"result":{"header":{"revision":"7"},"created":true}}\n{"result":{"header":{"revision":"8"},"events":[{"kv":{"key":"aw==","mod_revision":"8"}}]}}\n'),
    ]);
    const etcd = createGatewayEtcdApi({ endpoints: ["a:1"], fetch, username: "kafka", password: "pw", watchProbeIntervalMs: 0 });
    const w = etcd.watch();
    w.create({ key: enc.encode("k"), watchId: 3n });
    const seen = [];
    for await (const r of w.responses) {
      seen.push(r);
      if (seen.length === 2) break;
    }
    assert.deepEqual(seen.map((r) => [r.watchId, r.created, r.canceled, r.events.length]), [[3n, true, false, 0], [3n, false, false, 1]]);
    assert.deepEqual(sent.map((s) => `${path(s)} ${s.init.headers.authorization ?? "-"}`), [
      "/v3/auth/authenticate -",
      "/v3/watch t1",
      "/v3/auth/authenticate -",
      "/v3/watch t2",
    ]);
    await etcd.close();
  });
});
