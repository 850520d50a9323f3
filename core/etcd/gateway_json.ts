// Between the plain objects of api.ts and the JSON of etcd 3.4's gRPC-gateway (/v3/... over HTTP/1.1).
// The gateway's rules (probed on 3.4.23): response fields are proto names (snake_case, but `ID`, `TTL`,
// `grantedTTL`, and `dbSize`/`raftIndex` in Status), int64 are decimal strings, bytes are standard
// base64, every default value is omitted (a failed txn has no `succeeded`, a PUT event no `type`,
// the first watch no `watch_id`), enums are names. Requests accept proto names, int64 as strings.
// Pure: no fetch, no TextEncoder/atob (QuickJS has neither); the driver is runtimes/common/etcd/gateway_api.ts.
import type { LeaseTimeToLiveResponse, StatusResponse } from "./api.ts";
import type * as api from "./api.ts";
import { GrpcCode } from "./api.ts";
import { EtcdError } from "../errors.ts";
import { BASE64_ALPHABET as ALPHABET, encodeBase64 } from "../base64.ts";

export { encodeBase64 };

/** A JSON object as JSON.parse returns it. */
export type Json = { readonly [key: string]: unknown };

// ---------------------------------------------------------------------------------------------
// base64 (RFC 4648 §4, with padding), which is how the gateway carries every bytes field.

const DECODE: Int16Array = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  // Go's encoding/base64 never emits these, but accepting URL-safe input costs nothing.
  table["-".charCodeAt(0)] = 62;
  table["_".charCodeAt(0)] = 63;
  return table;
})();

/**
 * Decodes base64 (padding optional).
 * @throws {EtcdError} Internal for a character outside the alphabet or an impossible length.
 */
export function decodeBase64(text: string): Uint8Array {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  if (end % 4 === 1) throw malformed(`base64 of length ${text.length}`);
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let bits = 0;
  let count = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? DECODE[c]! : -1;
    if (v < 0) throw malformed(`base64 character "${text[i]}"`);
    bits = ((bits << 6) | v) & 0xffff; // only the low 14 bits are ever read
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[o++] = (bits >> count) & 0xff;
    }
  }
  return out;
}

function malformed(what: string): EtcdError {
  return new EtcdError(GrpcCode.Internal, `Malformed JSON from the etcd gateway: ${what}`);
}

// ---------------------------------------------------------------------------------------------
// Reading fields: absent means the proto default.

const EMPTY = new Uint8Array(0);

function obj(v: unknown): Json {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

function int64(v: unknown): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === "string" || (typeof v === "number" && Number.isInteger(v))) {
    try {
      return BigInt(v);
    } catch {
      // falls through
    }
  }
  throw malformed(`int64 ${JSON.stringify(v)}`);
}

function bytes(v: unknown): Uint8Array {
  if (v === undefined || v === null || v === "") return EMPTY;
  if (typeof v !== "string") throw malformed(`bytes ${JSON.stringify(v)}`);
  return decodeBase64(v);
}

function array(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function string(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** Request objects: int64 as strings (JSON.stringify cannot write bigint), bytes as base64, defaults left out. */
type Out = Record<string, unknown>;

function put(out: Out, name: string, v: bigint | Uint8Array | boolean | undefined): Out {
  if (v === undefined || v === false) return out;
  out[name] = typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? encodeBase64(v) : v;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Messages.

export function decodeHeader(v: unknown): api.ResponseHeader {
  const h = obj(v);
  return {
    clusterId: int64(h.cluster_id),
    memberId: int64(h.member_id),
    revision: int64(h.revision),
    raftTerm: int64(h.raft_term),
  };
}

export function decodeKeyValue(v: unknown): api.KeyValue {
  const kv = obj(v);
  return {
    key: bytes(kv.key),
    createRevision: int64(kv.create_revision),
    modRevision: int64(kv.mod_revision),
    version: int64(kv.version),
    value: bytes(kv.value),
    lease: int64(kv.lease),
  };
}

export function encodeRange(r: api.RangeRequest): Out {
  const out = put({}, "key", r.key);
  put(out, "range_end", r.rangeEnd);
  put(out, "limit", r.limit);
  put(out, "revision", r.revision);
  put(out, "keys_only", r.keysOnly);
  put(out, "count_only", r.countOnly);
  return put(out, "serializable", r.serializable);
}

export function decodeRange(v: unknown): api.RangeResponse {
  const r = obj(v);
  return { header: decodeHeader(r.header), kvs: array(r.kvs).map(decodeKeyValue), more: r.more === true, count: int64(r.count) };
}

export function encodePut(r: api.PutRequest): Out {
  const out = put({}, "key", r.key);
  put(out, "value", r.value);
  put(out, "lease", r.lease);
  return put(out, "prev_kv", r.prevKv);
}

export function decodePut(v: unknown): api.PutResponse {
  const r = obj(v);
  const out: api.PutResponse = { header: decodeHeader(r.header) };
  if (r.prev_kv !== undefined) out.prevKv = decodeKeyValue(r.prev_kv);
  return out;
}

export function encodeDeleteRange(r: api.DeleteRangeRequest): Out {
  const out = put({}, "key", r.key);
  put(out, "range_end", r.rangeEnd);
  return put(out, "prev_kv", r.prevKv);
}

export function decodeDeleteRange(v: unknown): api.DeleteRangeResponse {
  const r = obj(v);
  return { header: decodeHeader(r.header), deleted: int64(r.deleted), prevKvs: array(r.prev_kvs).map(decodeKeyValue) };
}

// Each compare target names the oneof member that carries its operand (as convert.ts for gRPC).
const TARGETS = {
  version: ["VERSION", "version"],
  create: ["CREATE", "create_revision"],
  mod: ["MOD", "mod_revision"],
  value: ["VALUE", "value"],
  lease: ["LEASE", "lease"],
} as const;

const RESULTS = { equal: "EQUAL", greater: "GREATER", less: "LESS", notEqual: "NOT_EQUAL" } as const;

/** @throws {EtcdError} InvalidArgument when the operand's type does not fit the target, before any I/O. */
export function encodeCompare(c: api.Compare): Out {
  const target = TARGETS[c.target];
  const result = RESULTS[c.result];
  if (target === undefined || result === undefined) {
    throw new EtcdError(GrpcCode.InvalidArgument, `Unknown compare "${c.target}"/"${c.result}"`);
  }
  const [name, member] = target;
  const isBytes = c.operand instanceof Uint8Array;
  if (isBytes !== (member === "value")) {
    throw new EtcdError(
      GrpcCode.InvalidArgument,
      `Compare target "${c.target}" needs a ${member === "value" ? "Uint8Array" : "bigint"} operand`,
    );
  }
  const out = put({}, "key", c.key);
  put(out, "range_end", c.rangeEnd);
  out.target = name;
  out.result = result;
  // Written even when zero ("create_revision":"0" is the create-if-absent guard): the oneof must be set.
  out[member] = isBytes ? encodeBase64(c.operand as Uint8Array) : (c.operand as bigint).toString();
  return out;
}

export function encodeRequestOp(op: api.RequestOp): Out {
  if ("range" in op) return { request_range: encodeRange(op.range) };
  if ("put" in op) return { request_put: encodePut(op.put) };
  if ("deleteRange" in op) return { request_delete_range: encodeDeleteRange(op.deleteRange) };
  if ("txn" in op) return { request_txn: encodeTxn(op.txn) };
  throw new EtcdError(GrpcCode.InvalidArgument, "Txn op needs one of range, put, deleteRange or txn");
}

export function encodeTxn(t: api.TxnRequest): Out {
  return {
    compare: t.compare.map(encodeCompare),
    success: t.success.map(encodeRequestOp),
    failure: t.failure.map(encodeRequestOp),
  };
}

export function decodeResponseOp(v: unknown): api.ResponseOp {
  const op = obj(v);
  if (op.response_range !== undefined) return { range: decodeRange(op.response_range) };
  if (op.response_put !== undefined) return { put: decodePut(op.response_put) };
  if (op.response_delete_range !== undefined) return { deleteRange: decodeDeleteRange(op.response_delete_range) };
  if (op.response_txn !== undefined) return { txn: decodeTxn(op.response_txn) };
  throw new EtcdError(GrpcCode.Internal, "Txn response holds an op this client does not know");
}

export function decodeTxn(v: unknown): api.TxnResponse {
  const r = obj(v);
  return { header: decodeHeader(r.header), succeeded: r.succeeded === true, responses: array(r.responses).map(decodeResponseOp) };
}

export function encodeLeaseGrant(ttlSeconds: bigint, id?: bigint): Out {
  // Upper case: the gateway ignores unknown fields, so {"ttl":5} would silently grant the minimum TTL.
  return put({ TTL: ttlSeconds.toString() }, "ID", id);
}

/** @throws {EtcdError} Unknown when etcd 3.4 reports the failure in the response's `error` field. */
export function decodeLeaseGrant(v: unknown): api.LeaseGrantResponse {
  const r = obj(v);
  if (typeof r.error === "string" && r.error !== "") throw new EtcdError(GrpcCode.Unknown, r.error);
  return { header: decodeHeader(r.header), id: int64(r.ID), ttl: int64(r.TTL) };
}

/** One object of the keep-alive response stream: `{"result":{…}}`; TTL absent (0) when the lease is gone. */
export function decodeKeepAlive(v: unknown): api.LeaseKeepAliveResponse {
  const r = streamResult(v);
  return { header: decodeHeader(r.header), id: int64(r.ID), ttl: int64(r.TTL) };
}

export function decodeLeaseTimeToLive(v: unknown): LeaseTimeToLiveResponse {
  const r = obj(v);
  return {
    header: decodeHeader(r.header),
    id: int64(r.ID),
    ttl: int64(r.TTL),
    grantedTtl: int64(r.grantedTTL),
    keys: array(r.keys).map(bytes),
  };
}

/** Status is the exception to snake_case (its proto sets json_name); both spellings are read. */
export function decodeStatus(v: unknown): StatusResponse {
  const r = obj(v);
  return {
    header: decodeHeader(r.header),
    version: string(r.version),
    dbSize: int64(r.dbSize ?? r.db_size),
    leader: int64(r.leader),
    raftIndex: int64(r.raftIndex ?? r.raft_index),
    raftTerm: int64(r.raftTerm ?? r.raft_term),
  };
}

export function encodeWatchCreate(r: api.WatchCreateRequest): Out {
  const out = put({}, "key", r.key);
  put(out, "range_end", r.rangeEnd);
  put(out, "start_revision", r.startRevision);
  put(out, "progress_notify", r.progressNotify);
  put(out, "prev_kv", r.prevKv);
  put(out, "watch_id", r.watchId);
  return { create_request: out };
}

/**
 * The liveness probe of a watch over [key, rangeEnd): one key of the range modified after
 * `afterRevision`, if any (decodeRange's `kvs` not empty: the range changed since the last event the
 * watch delivered). Not count_only: etcd counts before it filters by min_mod_revision. etcd applies
 * the limit after the filter, reading the range's keys to do so (about 10 ms for 10 000 keys on 3.4).
 */
export function encodeWatchProbe(r: api.WatchCreateRequest, afterRevision: bigint): Out {
  const out = put({}, "key", r.key);
  put(out, "range_end", r.rangeEnd);
  out.keys_only = true;
  out.limit = "1";
  out.min_mod_revision = (afterRevision + 1n).toString();
  return out;
}

export function encodeAuthenticate(name: string, password: string): Out {
  return { name, password };
}

export function decodeAuthenticate(v: unknown): api.AuthenticateResponse {
  const r = obj(v);
  return { header: decodeHeader(r.header), token: string(r.token) };
}

/** One object of the watch response stream: `{"result":{…}}`, or `{"error":{…}}` when the stream broke. */
export function decodeWatchResponse(v: unknown): api.WatchResponse {
  const r = streamResult(v);
  return {
    header: decodeHeader(r.header),
    watchId: int64(r.watch_id),
    created: r.created === true,
    canceled: r.canceled === true,
    compactRevision: int64(r.compact_revision),
    cancelReason: string(r.cancel_reason),
    events: array(r.events).map((raw): api.WatchEvent => {
      const e = obj(raw);
      const event: api.WatchEvent = {
        type: e.type === "DELETE" || e.type === 1 ? "delete" : "put",
        kv: decodeKeyValue(e.kv),
      };
      if (e.prev_kv !== undefined) event.prevKv = decodeKeyValue(e.prev_kv);
      return event;
    }),
  };
}

function streamResult(v: unknown): Json {
  const o = obj(v);
  if (o.error !== undefined) throw errorOf(obj(o.error), 200);
  if (o.result === undefined) throw malformed(`stream message without "result"`);
  return obj(o.result);
}

// ---------------------------------------------------------------------------------------------
// Errors.

// The usual HTTP -> gRPC reading (grpc's doc/http-grpc-status-mapping.md) for answers without a
// gateway error body, such as a proxy's 502.
function codeOfStatus(status: number): number {
  switch (status) {
    case 400:
      return GrpcCode.Internal;
    case 401:
      return GrpcCode.Unauthenticated;
    case 403:
      return GrpcCode.PermissionDenied;
    case 404:
      return GrpcCode.Unimplemented;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcCode.Unavailable;
    default:
      return GrpcCode.Unknown;
  }
}

function errorOf(e: Json, status: number): EtcdError {
  // Unary errors: {"error":msg,"message":msg,"code":n}. Stream errors (grpc-gateway v1):
  // {"grpc_code":n,"http_code":n,"message":msg,"http_status":…}.
  const code = typeof e.code === "number" ? e.code : typeof e.grpc_code === "number" ? e.grpc_code : codeOfStatus(status);
  const message = string(e.message) || string(e.error) || `HTTP ${status} from the etcd gateway`;
  return new EtcdError(code, message);
}

/**
 * The EtcdError for a non-2xx answer: etcd's gRPC code and message when the body is the gateway's
 * `{"error","message","code"}`, otherwise the HTTP status read as a gRPC code.
 */
export function errorFromResponse(status: number, body: string): EtcdError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    const text = body.trim().slice(0, 200);
    // etcd 3.4 under --client-cert-auth refuses, in plain text, any gateway request whose client
    // certificate has a CommonName: a set-up error no retry fixes, so it reads as refused credentials.
    if (status === 400 && text.startsWith("CommonName of client")) {
      return new EtcdError(
        GrpcCode.Unauthenticated,
        `The etcd gateway refuses client certificates with a CommonName (use one without, or the gRPC transport): ${text}`,
      );
    }
    // etcd's gateway answers a bad request in JSON: a plain 400 is something else listening there
    // (not etcd), so it counts as an unreachable member and the client tries the next one.
    const code = status === 400 ? GrpcCode.Unavailable : codeOfStatus(status);
    return new EtcdError(code, `HTTP ${status} from the etcd gateway${text ? `: ${text}` : ""}`);
  }
  return errorOf(obj(parsed), status);
}

/**
 * JSON.parse for a gateway body.
 * @throws {EtcdError} Internal when it is not JSON.
 */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw malformed(`not JSON: ${text.slice(0, 100)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Stream framing.

/** Splits a stream of concatenated JSON objects into one text per object. */
export interface JsonObjectSplitter {
  /** Feeds decoded text; returns every object completed by it, as JSON text. */
  push(text: string): string[];
  /** Characters held for an object not yet complete. */
  readonly pending: number;
}

/**
 * The gateway streams one `{"result":…}` object per message, each followed by "\n"; this splitter
 * does not rely on the newline: it tracks brace depth outside strings, so objects may be split
 * anywhere across chunks or share one. Text outside objects (whitespace) is dropped. O(n) in the
 * text fed; holds at most `maxObjectChars` for one object.
 * @throws {EtcdError} ResourceExhausted when one object exceeds `maxObjectChars`, Internal on text
 * outside an object that is not whitespace.
 */
export function createJsonObjectSplitter(maxObjectChars: number = 64 * 1024 * 1024): JsonObjectSplitter {
  let held = "";
  let depth = 0;
  let inString = false;
  let escaped = false;
  return {
    get pending() {
      return held.length;
    },
    push(text) {
      const out: string[] = [];
      let start = depth > 0 ? 0 : -1;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (depth === 0) {
          if (c === 123 /* { */) {
            depth = 1;
            start = i;
          } else if (c !== 32 && c !== 10 && c !== 13 && c !== 9) {
            throw malformed(`text between stream messages: ${JSON.stringify(text.slice(i, i + 40))}`);
          }
          continue;
        }
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 92 /* \ */) escaped = true;
          else if (c === 34 /* " */) inString = false;
        } else if (c === 34) inString = true;
        else if (c === 123) depth++;
        else if (c === 125 /* } */ && --depth === 0) {
          out.push(held + text.slice(start, i + 1));
          held = "";
          start = -1;
        }
      }
      if (depth > 0) {
        held += text.slice(start);
        if (held.length > maxObjectChars) {
          throw new EtcdError(GrpcCode.ResourceExhausted, `Stream message from the etcd gateway exceeds ${maxObjectChars} characters`);
        }
      }
      return out;
    },
  };
}

