import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { GrpcCode } from "./api.ts";
import { EtcdError } from "../errors.ts";
import { decodeUtf8, encodeJavaUtf8 } from "../zk/utf8.ts";
import {
  createJsonObjectSplitter,
  decodeAuthenticate,
  decodeBase64,
  decodeKeepAlive,
  decodeLeaseGrant,
  decodeRange,
  decodeStatus,
  decodeTxn,
  decodeWatchResponse,
  encodeAuthenticate,
  encodeBase64,
  encodeLeaseGrant,
  encodeRange,
  encodeTxn,
  encodeWatchCreate,
  encodeWatchProbe,
  errorFromResponse,
} from "./gateway_json.ts";

const b = (s: string) => encodeJavaUtf8(s);
const text = (u: Uint8Array | undefined) => (u === undefined ? undefined : decodeUtf8(u));
const isEtcdError = (code: number, message?: RegExp) => (e: unknown) =>
  e instanceof EtcdError && e.grpcCode === code && (message === undefined || message.test(e.message));

// Responses below are copied from etcd 3.4.23's gateway (cluster ids shortened).
const HEADER = { cluster_id: "98800948", member_id: "105525308", revision: "3", raft_term: "4" };

describe("encodeBase64() / decodeBase64()", () => {
  it("match RFC 4648's test vectors", () => {
    const vectors = [["", ""], ["f", "Zg=="], ["fo", "Zm8="], ["foo", "Zm9v"], ["foob", "Zm9vYg=="], ["fooba", "Zm9vYmE="], [
      "foobar",
      "Zm9vYmFy",
    ]];
    for (const [plain, coded] of vectors) {
      assert.equal(encodeBase64(b(plain!)), coded);
      assert.equal(text(decodeBase64(coded!)), plain);
    }
  });

  it("round-trip every byte value and every length up to 20", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual(decodeBase64(encodeBase64(all)), all);
    for (let n = 0; n <= 20; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n) & 0xff);
      assert.deepEqual(decodeBase64(encodeBase64(bytes)), bytes);
    }
  });

  it("decodeBase64() accepts missing padding and rejects foreign characters with Internal", () => {
    assert.equal(text(decodeBase64("Zm8")), "fo");
    assert.throws(() => decodeBase64("Zm9v!A=="), isEtcdError(GrpcCode.Internal, /base64 character "!"/));
    assert.throws(() => decodeBase64("Zm9vY"), isEtcdError(GrpcCode.Internal));
  });
});

describe("gateway requests", () => {
  it("encodeRange() writes proto names, int64 as strings, bytes as base64, and leaves defaults out", () => {
    assert.deepEqual(encodeRange({ key: b("/a/b") }), { key: "L2EvYg==" });
    assert.deepEqual(
      encodeRange({ key: b("/a/"), rangeEnd: b("/a0"), limit: 5n, revision: 9n, keysOnly: true, countOnly: false }),
      { key: "L2Ev", range_end: "L2Ew", limit: "5", revision: "9", keys_only: true },
    );
  });

  it("encodeTxn() writes create-if-absent as etcd's own example, with a zero operand kept", () => {
    const json = encodeTxn({
      compare: [{ key: b("/a/c"), target: "create", result: "equal", operand: 0n }],
      success: [{ put: { key: b("/a/c"), value: b("v1") } }, { range: { key: b("/a/c") } }],
      failure: [{ deleteRange: { key: b("/a/c"), prevKv: true } }, { txn: { compare: [], success: [], failure: [] } }],
    });
    assert.deepEqual(json, {
      compare: [{ key: "L2EvYw==", target: "CREATE", result: "EQUAL", create_revision: "0" }],
      success: [{ request_put: { key: "L2EvYw==", value: "djE=" } }, { request_range: { key: "L2EvYw==" } }],
      failure: [{ request_delete_range: { key: "L2EvYw==", prev_kv: true } }, {
        request_txn: { compare: [], success: [], failure: [] },
      }],
    });
    assert.deepEqual(
      encodeTxn({ compare: [{ key: b("k"), target: "value", result: "notEqual", operand: b("x") }], success: [], failure: [] })
        .compare,
      [{ key: "aw==", target: "VALUE", result: "NOT_EQUAL", value: "eA==" }],
    );
  });

  it("encodeTxn() rejects an operand of the wrong type with InvalidArgument, as the gRPC transport", () => {
    assert.throws(
      () => encodeTxn({ compare: [{ key: b("k"), target: "value", result: "equal", operand: 1n }], success: [], failure: [] }),
      isEtcdError(GrpcCode.InvalidArgument, /needs a Uint8Array operand/),
    );
    assert.throws(
      () => encodeTxn({ compare: [{ key: b("k"), target: "mod", result: "equal", operand: b("1") }], success: [], failure: [] }),
      isEtcdError(GrpcCode.InvalidArgument, /needs a bigint operand/),
    );
  });

  it("encodeLeaseGrant() spells TTL and ID in upper case", () => {
    assert.deepEqual(encodeLeaseGrant(5n), { TTL: "5" });
    assert.deepEqual(encodeLeaseGrant(30n, 12345n), { TTL: "30", ID: "12345" });
  });

  it("encodeWatchCreate() wraps the fields in create_request", () => {
    assert.deepEqual(encodeWatchCreate({ key: b("/w/"), rangeEnd: b("/w0"), startRevision: 9n, prevKv: true, watchId: 7n }), {
      create_request: { key: "L3cv", range_end: "L3cw", start_revision: "9", prev_kv: true, watch_id: "7" },
    });
  });

  it("encodeWatchProbe() asks for one key of the watched range modified after a revision", () => {
    assert.deepEqual(encodeWatchProbe({ key: b("/w/"), rangeEnd: b("/w0"), startRevision: 3n, prevKv: true, watchId: 7n }, 41n), {
      key: "L3cv",
      range_end: "L3cw",
      keys_only: true,
      limit: "1",
      min_mod_revision: "42",
    });
    assert.deepEqual(encodeWatchProbe({ key: b("/k") }, 0n), { key: "L2s=", keys_only: true, limit: "1", min_mod_revision: "1" });
  });

  it("encodeAuthenticate() / decodeAuthenticate() carry the user and the token", () => {
    assert.deepEqual(encodeAuthenticate("kafka", "pw"), { name: "kafka", password: "pw" });
    // Copied from etcd 3.4.23's gateway over TLS.
    const r = decodeAuthenticate({ header: { ...HEADER, revision: "1" }, token: "QjuAQPgRgZqezfyc.13" });
    assert.equal(r.token, "QjuAQPgRgZqezfyc.13");
    assert.equal(r.header.revision, 1n);
  });
});

describe("gateway responses", () => {
  it("decodeRange() reads int64 strings beyond 2^53 and bytes", () => {
    const r = decodeRange({
      header: { ...HEADER, cluster_id: "9880094891340750152" },
      kvs: [{ key: "L2EvYg==", create_revision: "2", mod_revision: "3", version: "2", value: "aGVsbG8y", lease: "1198417174291525649" }],
      count: "1",
    });
    assert.equal(r.header.clusterId, 9880094891340750152n);
    assert.equal(r.header.revision, 3n);
    assert.equal(text(r.kvs[0]?.key), "/a/b");
    assert.equal(text(r.kvs[0]?.value), "hello2");
    assert.equal(r.kvs[0]?.lease, 1198417174291525649n);
    assert.equal(r.count, 1n);
    assert.equal(r.more, false);
  });

  it("decodeRange() defaults every omitted field: a missing key has no kvs and no count", () => {
    const r = decodeRange({ header: HEADER });
    assert.deepEqual([r.kvs, r.count, r.more], [[], 0n, false]);
    const keysOnly = decodeRange({ header: HEADER, kvs: [{ key: "L2EvYg==", create_revision: "2" }] });
    assert.deepEqual([keysOnly.kvs[0]?.value.length, keysOnly.kvs[0]?.version, keysOnly.kvs[0]?.lease], [0, 0n, 0n]);
    assert.equal(decodeRange({}).header.revision, 0n);
  });

  it("decodeTxn() reads a failed txn (no `succeeded` key) and nested responses", () => {
    const failed = decodeTxn({ header: HEADER, responses: [{ response_range: { header: { revision: "4" }, count: "1", kvs: [] } }] });
    assert.equal(failed.succeeded, false);
    const op = failed.responses[0];
    assert.ok(op && "range" in op);
    assert.equal(op.range.header.revision, 4n);
    const ok = decodeTxn({
      header: HEADER,
      succeeded: true,
      responses: [
        { response_put: { header: { revision: "4" } } },
        { response_delete_range: { header: {}, deleted: "1", prev_kvs: [{ key: "YQ==", value: "eA==" }] } },
        { response_txn: { header: {}, succeeded: true, responses: [] } },
      ],
    });
    assert.equal(ok.succeeded, true);
    const [p, d, t] = ok.responses;
    assert.ok(p && "put" in p && p.put.prevKv === undefined);
    assert.ok(d && "deleteRange" in d);
    assert.equal(d.deleteRange.deleted, 1n);
    assert.equal(text(d.deleteRange.prevKvs[0]?.value), "x");
    assert.ok(t && "txn" in t && t.txn.succeeded);
  });

  it("decodeTxn() rejects an op it does not know with Internal", () => {
    assert.throws(() => decodeTxn({ responses: [{ response_compact: {} }] }), isEtcdError(GrpcCode.Internal));
  });

  it("decodeLeaseGrant() and decodeKeepAlive() read upper-case ID/TTL; TTL omitted means the lease is gone", () => {
    const grant = decodeLeaseGrant({ header: HEADER, ID: "1198417174291525649", TTL: "5" });
    assert.deepEqual([grant.id, grant.ttl], [1198417174291525649n, 5n]);
    assert.throws(() => decodeLeaseGrant({ header: HEADER, error: "lessor: x" }), isEtcdError(GrpcCode.Unknown, /lessor: x/));
    const alive = decodeKeepAlive({ result: { header: HEADER, ID: "4242", TTL: "10" } });
    assert.deepEqual([alive.id, alive.ttl], [4242n, 10n]);
    assert.equal(decodeKeepAlive({ result: { header: HEADER, ID: "4242" } }).ttl, 0n);
  });

  it("decodeStatus() reads its camelCase fields", () => {
    const s = decodeStatus({ header: HEADER, version: "3.4.23", dbSize: "20480", leader: "7", raftIndex: "10", raftTerm: "2" });
    assert.deepEqual([s.version, s.dbSize, s.leader, s.raftIndex, s.raftTerm], ["3.4.23", 20480n, 7n, 10n, 2n]);
  });

  it("decodeWatchResponse() reads created, PUT events without `type`, DELETE events, and compaction", () => {
    const created = decodeWatchResponse({ result: { header: HEADER, created: true } });
    assert.deepEqual([created.created, created.watchId, created.events], [true, 0n, []]);
    const r = decodeWatchResponse({
      result: {
        header: { ...HEADER, revision: "10" },
        watch_id: "7",
        events: [
          { kv: { key: "L3cvMg==", create_revision: "10", mod_revision: "10", version: "1", value: "Yw==" } },
          {
            type: "DELETE",
            kv: { key: "L3cvMQ==", mod_revision: "10" },
            prev_kv: { key: "L3cvMQ==", create_revision: "8", mod_revision: "9", version: "2", value: "Yg==" },
          },
        ],
      },
    });
    assert.equal(r.watchId, 7n);
    assert.deepEqual(
      r.events.map((e) => [e.type, text(e.kv.key), text(e.kv.value), text(e.prevKv?.value)]),
      [["put", "/w/2", "c", undefined], ["delete", "/w/1", "", "b"]],
    );
    const compacted = decodeWatchResponse({ result: { header: {}, canceled: true, compact_revision: "9" } });
    assert.deepEqual([compacted.canceled, compacted.compactRevision], [true, 9n]);
  });

  it("decodeWatchResponse() turns a stream error object into its EtcdError", () => {
    assert.throws(
      () => decodeWatchResponse({ error: { grpc_code: 14, http_code: 503, message: "transport is closing" } }),
      isEtcdError(GrpcCode.Unavailable, /transport is closing$/),
    );
    assert.throws(() => decodeWatchResponse({}), isEtcdError(GrpcCode.Internal, /without "result"/));
  });

  it("reject an int64 that is not an integer with Internal", () => {
    assert.throws(() => decodeRange({ count: "1.5" }), isEtcdError(GrpcCode.Internal, /int64/));
    assert.throws(() => decodeRange({ count: true }), isEtcdError(GrpcCode.Internal, /int64/));
  });
});

describe("errorFromResponse()", () => {
  it("keeps etcd's gRPC code and message from the gateway's error body", () => {
    const body = '{"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5}';
    const e = errorFromResponse(404, body);
    assert.equal(e.grpcCode, GrpcCode.NotFound);
    assert.equal(e.message, "[etcd 5] etcdserver: requested lease not found");
    assert.equal(errorFromResponse(400, '{"error":"etcdserver: too many operations in txn request","code":3}').grpcCode, 3);
  });

  it("reads the HTTP status as a gRPC code when the body is not the gateway's", () => {
    assert.ok(isEtcdError(GrpcCode.Unavailable, /HTTP 502 from the etcd gateway: Bad Gateway$/)(errorFromResponse(502, "Bad Gateway")));
    assert.ok(isEtcdError(GrpcCode.Unimplemented)(errorFromResponse(404, "404 page not found\n")));
    // A plain-text 400 is not etcd (it answers bad requests in JSON): try the next member.
    assert.ok(isEtcdError(GrpcCode.Unavailable, /HTTP 400/)(errorFromResponse(400, "not etcd\n")));
    assert.ok(isEtcdError(GrpcCode.Unknown, /HTTP 500/)(errorFromResponse(500, "{}")));
  });

  it("reads etcd's plain-text refusal of a client certificate with a CommonName as Unauthenticated", () => {
    const body = "CommonName of client sending a request against gateway will be ignored and not used as expected\n";
    assert.ok(isEtcdError(GrpcCode.Unauthenticated, /without, or the gRPC transport\): CommonName of client/)(errorFromResponse(400, body)));
  });

  it("reads a refused token and a user-less request as etcd sends them", () => {
    const stale = '{"error":"etcdserver: invalid auth token","message":"etcdserver: invalid auth token","code":16}';
    assert.ok(isEtcdError(GrpcCode.Unauthenticated, /invalid auth token$/)(errorFromResponse(401, stale)));
    const wrong = '{"error":"etcdserver: authentication failed, invalid user ID or password","code":3}';
    assert.ok(isEtcdError(GrpcCode.InvalidArgument, /authentication failed/)(errorFromResponse(400, wrong)));
  });
});

describe("createJsonObjectSplitter()", () => {
  const stream = '{"result":{"created":true}}\n{"result":{"events":[{"kv":{"key":"e30="}}],"x":"}\\"{"}}\n';

  it("returns whole objects from one chunk and drops the newlines between them", () => {
    const s = createJsonObjectSplitter();
    const out = s.push(stream);
    assert.equal(out.length, 2);
    assert.deepEqual(JSON.parse(out[1]!).result.x, '}"{');
    assert.equal(s.pending, 0);
  });

  it("gives the same objects when fed one character at a time", () => {
    const s = createJsonObjectSplitter();
    const out: string[] = [];
    for (const c of stream) out.push(...s.push(c));
    assert.deepEqual(out, createJsonObjectSplitter().push(stream));
  });

  it("holds an incomplete object until its end arrives, at any split point", () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const s = createJsonObjectSplitter();
      const out = [...s.push(stream.slice(0, cut)), ...s.push(stream.slice(cut))];
      assert.equal(out.length, 2, `cut at ${cut}`);
    }
  });

  it("rejects text outside objects with Internal and an oversized object with ResourceExhausted", () => {
    assert.throws(() => createJsonObjectSplitter().push("{}x"), isEtcdError(GrpcCode.Internal, /text between/));
    assert.throws(() => createJsonObjectSplitter(10).push('{"a":"0123456789'), isEtcdError(GrpcCode.ResourceExhausted));
  });
});
