// EtcdApi over etcd's gRPC API (HTTP/2: h2c for http://, TLS for https://) with Connect's Node
// transport, whose node:http2 client also runs on Deno and Bun.
import type * as api from "../../../core/etcd/api.ts";
import { GrpcCode } from "../../../core/etcd/api.ts";
import { EtcdError } from "../../../core/errors.ts";
import { isReadOnlyTxn } from "../../../core/etcd/txn_kind.ts";
import {
  fromDeleteRange,
  fromHeader,
  fromPut,
  fromRange,
  fromTxn,
  toDeleteRange,
  toPut,
  toRange,
  toTxn,
} from "./convert.ts";
import { type Endpoint, EndpointPool, type EtcdTlsOptions } from "./endpoints.ts";
import { handshakeFailed, neverSent, toEtcdError } from "./errors.ts";
import { isStaleToken, TokenAuth } from "./auth.ts";
import { KeepAliveChannel } from "./keepalive.ts";
import { openWatchStream } from "./watch.ts";

export type { EtcdTlsOptions } from "./endpoints.ts";

export interface GrpcEtcdApiOptions {
  /** "http://127.0.0.1:2379", "https://etcd-1:2379" or "127.0.0.1:2379" (http, or https with `tls`). */
  endpoints: readonly string[];
  tls?: EtcdTlsOptions;
  /**
   * etcd user and password (etcd's `auth enable`): the client authenticates on first use and sends
   * the token with every call, re-authenticating once when etcd says the token expired. A wrong
   * password rejects calls with EtcdError InvalidArgument "authentication failed".
   */
  username?: string;
  password?: string;
  /** Bound on every unary call and keep-alive round trip, failover included. Default 10 000. */
  requestTimeoutMs?: number;
  /**
   * HTTP/2 PING interval while streams are open, so a watch on a silently dead connection fails
   * (Unavailable) instead of waiting forever. Default 30 000. Keep it at or above etcd's
   * --grpc-keepalive-min-time (5 s by default): etcd answers more frequent pings with GOAWAY
   * ENHANCE_YOUR_CALM (seen on 3.4 with 1 s: the watch broke after ~4 s).
   */
  pingIntervalMs?: number;
  /** How long a PING may go unanswered before the connection counts as dead. Default 10 000. */
  pingTimeoutMs?: number;
  /**
   * The highest TLS version offered; the runtime's default when absent. The Deno entry's
   * createGrpcEtcdApi sets "TLSv1.2" (see runtimes/deno/etcd_grpc.ts).
   */
  maxTlsVersion?: "TLSv1.2" | "TLSv1.3";
}

/** What makes a gRPC etcd client: createGrpcEtcdApi, or a runtime's own with its quirks set. */
export type GrpcEtcdApiFactory = (options: GrpcEtcdApiOptions) => GrpcEtcdApi;

/** The gRPC transport's API: the store's calls plus the tools'. */
export type GrpcEtcdApi = api.EtcdToolsApi;

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * An EtcdApi on etcd's gRPC port. Writes go to the first endpoint that works; on Unavailable or
 * DeadlineExceeded the client moves to the next one. Reads (range, a Txn that only reads, lease
 * time-to-live, status) take the endpoints in turn and are retried on the next within the same
 * deadline; txn, put, delete, compact, grant and revoke are retried only when the connection could
 * not even be opened, because otherwise their outcome is unknown: they reject with EtcdError
 * Unavailable and the caller decides. A broken watch stream
 * throws Unavailable from `responses`; the next `watch()` opens on the next endpoint.
 *
 * @example
 * ```ts ignore
 * const etcd = createGrpcEtcdApi({ endpoints: ["http://127.0.0.1:2379"] });
 * const r = await etcd.range({ key: new TextEncoder().encode("/brokers/ids/1") });
 * await etcd.close();
 * ```
 */
export function createGrpcEtcdApi(options: GrpcEtcdApiOptions): GrpcEtcdApi {
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const pool = new EndpointPool(options);
  const watches = new Set<api.WatchStream>();
  let closed = false;

  /** Authenticate on the current endpoint, failing over like a read (it only issues a token). */
  const authenticate = (name: string, password: string) =>
    unary(true, (e, t) => e.auth.authenticate({ name, password }, { timeoutMs: t }), false);
  const auth = new TokenAuth(
    options.username !== undefined ? { username: options.username, password: options.password ?? "" } : undefined,
    (name, password) => authenticate(name, password).then((r) => r.token),
  );
  const keepAlives = new KeepAliveChannel(pool, timeoutMs, auth);

  /**
   * Runs `call` on the current endpoint with the auth token, failing over on Unavailable as
   * `idempotent` allows, and once with a new token when etcd refused the token as expired (the
   * refused call was not executed, so even a write is safe to send again).
   */
  async function unary<T>(
    idempotent: boolean,
    call: (e: Endpoint, timeoutMs: number, headers: Record<string, string> | undefined) => Promise<T>,
    withToken = true,
  ): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    let reauthenticated = false;
    for (let attempt = 1;;) {
      if (closed) throw new EtcdError(GrpcCode.Cancelled, "etcd client is closed");
      const token = withToken ? await auth.token() : "";
      const endpoint = idempotent ? pool.forRead() : pool.current();
      try {
        // Connect turns the timeout into grpc-timeout for etcd and a local timer: DeadlineExceeded.
        const result = await call(endpoint, Math.max(1, Math.round(deadline - performance.now())), TokenAuth.headers(token));
        pool.answered(endpoint);
        return result;
      } catch (e) {
        if (closed) throw new EtcdError(GrpcCode.Cancelled, "etcd client is closed", { cause: e });
        const err = toEtcdError(e);
        if (auth.enabled && !reauthenticated && isStaleToken(err)) {
          reauthenticated = true;
          auth.refused(token);
          continue;
        }
        // A member that took the connection but did not answer in time (hung, paused, not etcd):
        // the deadline is spent, but later calls and the streams try the next member instead.
        if (err.grpcCode === GrpcCode.DeadlineExceeded) pool.unresponsive(endpoint);
        // A TLS handshake that failed (an untrusted server certificate...) sent nothing either.
        const unsent = neverSent(err) || handshakeFailed(err);
        if (err.grpcCode !== GrpcCode.Unavailable && !handshakeFailed(err)) throw err;
        pool.failed(endpoint);
        if (++attempt > pool.size || !(idempotent || unsent)) throw err;
      }
    }
  }

  return {
    range: (request) => unary(true, (e, t, headers) => e.kv.range(toRange(request), { timeoutMs: t, headers })).then(fromRange),
    txn: async (request) => {
      const init = toTxn(request); // invalid compares reject here, before any I/O
      return fromTxn(await unary(isReadOnlyTxn(request), (e, t, headers) => e.kv.txn(init, { timeoutMs: t, headers })));
    },
    put: (request) => unary(false, (e, t, headers) => e.kv.put(toPut(request), { timeoutMs: t, headers })).then(fromPut),
    deleteRange: (request) =>
      unary(false, (e, t, headers) => e.kv.deleteRange(toDeleteRange(request), { timeoutMs: t, headers })).then(fromDeleteRange),
    compact: async (revision, physical = false) => {
      await unary(false, (e, t, headers) => e.kv.compact({ revision, physical }, { timeoutMs: t, headers }));
    },
    leaseGrant: (ttlSeconds, id) =>
      unary(false, (e, t, headers) => e.lease.leaseGrant({ TTL: ttlSeconds, ID: id }, { timeoutMs: t, headers })).then((r) => {
        // etcd 3.4 reports some grant failures in `error` rather than as a status.
        if (r.error) throw new EtcdError(GrpcCode.Unknown, r.error);
        return { header: fromHeader(r.header), id: r.ID, ttl: r.TTL };
      }),
    leaseRevoke: async (id) => {
      // Not retried after an unknown outcome: a second revoke would report a misleading NotFound.
      await unary(false, (e, t, headers) => e.lease.leaseRevoke({ ID: id }, { timeoutMs: t, headers }));
    },
    leaseKeepAlive: (id) => keepAlives.keepAlive(id),
    leaseTimeToLive: (id, keys = false) =>
      unary(true, (e, t, headers) => e.lease.leaseTimeToLive({ ID: id, keys }, { timeoutMs: t, headers })).then((r) => ({
        header: fromHeader(r.header),
        id: r.ID,
        ttl: r.TTL,
        grantedTtl: r.grantedTTL,
        keys: r.keys,
      })),
    status: () =>
      unary(true, (e, t, headers) => e.maintenance.status({}, { timeoutMs: t, headers })).then((r) => ({
        header: fromHeader(r.header),
        version: r.version,
        dbSize: r.dbSize,
        leader: r.leader,
        raftIndex: r.raftIndex,
        raftTerm: r.raftTerm,
      })),
    authenticate: (name, password) =>
      authenticate(name, password).then((r) => ({ header: fromHeader(r.header), token: r.token })),
    watch: () => {
      if (closed) throw new EtcdError(GrpcCode.Cancelled, "etcd client is closed");
      const stream = openWatchStream(pool, (s) => watches.delete(s), auth);
      watches.add(stream);
      return stream;
    },
    close: () => {
      if (!closed) {
        closed = true;
        keepAlives.close();
        for (const w of [...watches]) w.close();
        pool.close();
      }
      return Promise.resolve();
    },
  };
}
