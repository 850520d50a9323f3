// EtcdApi over etcd's v3 JSON gateway (/v3/... on the client port, HTTP/1.1) with nothing but
// `fetch`, for hosts without node:http2: browsers and edge runtimes. The JSON mapping is pure and
// lives in core/etcd/gateway_json.ts; gateway_http.ts moves the bytes (endpoints, deadlines, the
// auth token), gateway_watch.ts runs the watches. Nothing here imports from node:.
//
// The gateway cannot stream a request body interactively (etcd 3.4 answers only once the request
// body has ended), so a keep-alive is one POST to /v3/lease/keepalive and a watch one long POST to
// /v3/watch (see gateway_watch.ts).
import type * as api from "../../../core/etcd/api.ts";
import { GrpcCode } from "../../../core/etcd/api.ts";
import { EtcdError } from "../../../core/errors.ts";
import { isReadOnlyTxn } from "../../../core/etcd/txn_kind.ts";
import type { EtcdFetch } from "../../../core/connect.ts";
import {
  decodeDeleteRange,
  decodeKeepAlive,
  decodeLeaseGrant,
  decodeLeaseTimeToLive,
  decodePut,
  decodeRange,
  decodeStatus,
  decodeTxn,
  encodeDeleteRange,
  encodeLeaseGrant,
  encodePut,
  encodeRange,
  encodeTxn,
} from "../../../core/etcd/gateway_json.ts";
import { GatewayHttp } from "./gateway_http.ts";
import { openGatewayWatch } from "./gateway_watch.ts";

export interface GatewayEtcdApiOptions {
  /** "http://127.0.0.1:2379", "https://etcd-1:2379" or "127.0.0.1:2379" (http). */
  endpoints: readonly string[];
  /**
   * The fetch to use (default: the global one). TLS beyond the system's trust (a private CA, a
   * client certificate) is the fetch's business: Deno's with a `Deno.createHttpClient`, Bun's
   * with its `tls` option, undici's with an Agent (what `connect()` does for etcd.tls).
   */
  fetch?: EtcdFetch;
  /** Called once by close(), after every request was aborted: frees what `fetch` holds. */
  release?: () => void;
  /**
   * etcd user and password (etcd's `auth enable`): the client authenticates on first use, sends
   * the token in the `Authorization` header of every call (watches and keep-alives too) and
   * authenticates again once when etcd says the token expired. A wrong password rejects calls
   * with EtcdError InvalidArgument "authentication failed".
   */
  username?: string;
  password?: string;
  /**
   * Bound on every unary call and keep-alive, failover included, and on the wait for a watch's
   * response to start. Default 10 000.
   */
  requestTimeoutMs?: number;
  /**
   * How long a watch may be quiet before a probe asks etcd whether its range changed unseen (a
   * keys-only Range of one key above the watch's revision, one per interval while quiet): a watch's connection has no pings, so this
   * is how one that died silently is found and resumed. Default 5 000; 0 turns probing off.
   */
  watchProbeIntervalMs?: number;
  /** How long a change the probe saw may take to reach the watch before it is resumed. Default 2 000. */
  watchProbeGraceMs?: number;
}

/** The gateway's API: the same calls as the gRPC transport's. */
export type GatewayEtcdApi = api.EtcdToolsApi;

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_WATCH_PROBE_INTERVAL_MS = 5_000;
const DEFAULT_WATCH_PROBE_GRACE_MS = 2_000;

/**
 * An EtcdApi on etcd's JSON gateway, over `fetch` only (HTTP/1.1; runs in browsers, given etcd's
 * `Access-Control-Allow-Origin: *`). Errors are the gRPC transport's: EtcdError with etcd's gRPC
 * code and message; a failed TLS handshake is Unauthenticated. Reads (range, keep-alive,
 * time-to-live, status) move on to the next endpoint after Unavailable within one deadline; writes
 * only when the connection was refused, since otherwise their outcome is unknown. A broken watch
 * throws Unavailable from `responses`; the next `watch()` opens on the next endpoint.
 *
 * @example
 * ```ts ignore
 * const etcd = createGatewayEtcdApi({ endpoints: ["http://127.0.0.1:2379"] });
 * const r = await etcd.range({ key: new TextEncoder().encode("/brokers/ids/1") });
 * await etcd.close();
 * ```
 */
export function createGatewayEtcdApi(options: GatewayEtcdApiOptions): GatewayEtcdApi {
  const http = new GatewayHttp({ ...options, requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS });
  const probeMs = options.watchProbeIntervalMs ?? DEFAULT_WATCH_PROBE_INTERVAL_MS;
  const liveness = probeMs > 0 ? { quietMs: probeMs, graceMs: options.watchProbeGraceMs ?? DEFAULT_WATCH_PROBE_GRACE_MS } : undefined;
  const watches = new Set<api.WatchStream>();
  const json = GatewayHttp.json;
  const text = (r: { text(): Promise<string> }) => r.text();

  return {
    range: (request) => http.unary(true, "/v3/kv/range", encodeRange(request), json(decodeRange)),
    txn: (request) => {
      let body;
      try {
        body = encodeTxn(request); // invalid compares reject here, before any I/O
      } catch (e) {
        return Promise.reject(e);
      }
      return http.unary(isReadOnlyTxn(request), "/v3/kv/txn", body, json(decodeTxn));
    },
    put: (request) => http.unary(false, "/v3/kv/put", encodePut(request), json(decodePut)),
    deleteRange: (request) => http.unary(false, "/v3/kv/deleterange", encodeDeleteRange(request), json(decodeDeleteRange)),
    compact: async (revision, physical = false) => {
      await http.unary(false, "/v3/kv/compaction", { revision: revision.toString(), physical }, text);
    },
    leaseGrant: (ttlSeconds, id) => http.unary(false, "/v3/lease/grant", encodeLeaseGrant(ttlSeconds, id), json(decodeLeaseGrant)),
    leaseRevoke: async (id) => {
      // Not retried after an unknown outcome: a second revoke would report a misleading NotFound.
      await http.unary(false, "/v3/lease/revoke", { ID: id.toString() }, text);
    },
    // A bidi stream in gRPC; over the gateway one POST whose response holds one answer.
    leaseKeepAlive: (id) =>
      http.unary(true, "/v3/lease/keepalive", { ID: id.toString() }, async (r) => {
        let answer: api.LeaseKeepAliveResponse | undefined;
        await http.readObjects(r, (json) => {
          answer = decodeKeepAlive(json);
          return false;
        });
        if (!answer) throw new EtcdError(GrpcCode.Unavailable, `Lease keep-alive for "${id}" ended without an answer`);
        return answer;
      }),
    leaseTimeToLive: (id, keys = false) =>
      http.unary(true, "/v3/lease/timetolive", { ID: id.toString(), keys }, json(decodeLeaseTimeToLive)),
    status: () => http.unary(true, "/v3/maintenance/status", {}, json(decodeStatus)),
    authenticate: (name, password) => http.authenticate(name, password),
    watch: () => {
      if (http.closed) throw http.closedError();
      const stream = openGatewayWatch(http, liveness, (s) => watches.delete(s));
      watches.add(stream);
      return stream;
    },
    close: () => {
      if (!http.closed) {
        for (const w of [...watches]) w.close();
        http.close();
      }
      return Promise.resolve();
    },
  };
}
