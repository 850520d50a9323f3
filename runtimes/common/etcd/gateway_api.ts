// EtcdApi over etcd's v3 JSON gateway (/v3/... on the client port, HTTP/1.1) with nothing but
// `fetch`, for hosts without node:http2: browsers and edge runtimes. The JSON mapping is pure and
// lives in core/etcd/gateway_json.ts; this file only moves bytes. It imports nothing from node:.
//
// The gateway cannot stream a request body interactively (etcd 3.4 answers only once the request
// body has ended), so: a keep-alive is one POST to /v3/lease/keepalive; a watch is one long POST to
// /v3/watch per created watch, whose response streams `{"result":…}` objects until the POST is
// aborted; cancelling a watch aborts its POST. Each open watch holds one HTTP/1.1 connection.
import type * as api from "../../../core/etcd/api.ts";
import { GrpcCode } from "../../../core/etcd/api.ts";
import { EtcdError } from "../../../core/errors.ts";
import {
  createJsonObjectSplitter,
  decodeDeleteRange,
  decodeKeepAlive,
  decodeLeaseGrant,
  decodeLeaseTimeToLive,
  decodePut,
  decodeRange,
  decodeStatus,
  decodeTxn,
  decodeWatchResponse,
  encodeDeleteRange,
  encodeLeaseGrant,
  encodePut,
  encodeRange,
  encodeTxn,
  encodeWatchCreate,
  errorFromResponse,
  type LeaseTimeToLiveResponse,
  parseJson,
  type StatusResponse,
} from "../../../core/etcd/gateway_json.ts";
import { PushQueue } from "./_queue.ts";

export type { LeaseTimeToLiveResponse, StatusResponse } from "../../../core/etcd/gateway_json.ts";

export interface GatewayEtcdApiOptions {
  /** "http://127.0.0.1:2379", "https://etcd-1:2379" or "127.0.0.1:2379" (http). */
  endpoints: readonly string[];
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /**
   * Bound on every unary call and keep-alive, failover included, and on the wait for a watch's
   * response to start. Default 10 000.
   */
  requestTimeoutMs?: number;
}

/** EtcdApi plus the calls tools and tests want, as the gRPC transport has them. */
export interface GatewayEtcdApi extends api.EtcdApi {
  put(request: api.PutRequest): Promise<api.PutResponse>;
  deleteRange(request: api.DeleteRangeRequest): Promise<api.DeleteRangeResponse>;
  /** Compacts history up to `revision`; `physical` waits until the space is reclaimed. */
  compact(revision: bigint, physical?: boolean): Promise<void>;
  leaseTimeToLive(id: bigint, keys?: boolean): Promise<LeaseTimeToLiveResponse>;
  status(): Promise<StatusResponse>;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** "127.0.0.1:2379" gets http://; URLs keep their scheme (http or https) and lose any path. */
function endpointOrigin(endpoint: string): string {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `http://${endpoint}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (e) {
    throw new EtcdError(GrpcCode.InvalidArgument, `Invalid etcd endpoint "${endpoint}"`, { cause: e });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new EtcdError(GrpcCode.InvalidArgument, `Unsupported etcd endpoint "${endpoint}": use http:// or https://`);
  }
  return parsed.origin;
}

// How each runtime's fetch reports a refused connection: Node (undici) as a cause with code
// ECONNREFUSED, Bun as code "ConnectionRefused", Deno in the message ("Connection refused (os error
// 111)"). Browsers say only "Failed to fetch": there every failure counts as possibly sent.
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ConnectionRefused"]);
const NOT_SENT_TEXT = /ECONNREFUSED|Connection refused|ConnectionRefused|failed to lookup address|Name or service not known/i;

/** True when `e` (a fetch rejection) says no connection was made, so the request was never sent. */
function neverSent(e: unknown): boolean {
  for (let c: unknown = e, depth = 0; c && depth < 5; depth++) {
    const err = c as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof err.code === "string" && NOT_SENT_CODES.has(err.code)) return true;
    if (typeof err.message === "string" && NOT_SENT_TEXT.test(err.message)) return true;
    c = err.cause;
  }
  return false;
}

/** Why a request of ours ended early; checked before reading whatever fetch rejected with. */
type Stop = "timeout" | "closed" | "cancelled";

interface Call {
  readonly abort: AbortController;
  stop?: Stop;
}

/** The endpoints and which one calls go to: the first that works, moving on after Unavailable. */
class Endpoints {
  readonly #urls: string[];
  #current = 0;
  constructor(endpoints: readonly string[]) {
    if (endpoints.length === 0) throw new EtcdError(GrpcCode.InvalidArgument, "No etcd endpoints given");
    this.#urls = endpoints.map(endpointOrigin);
  }
  get size(): number {
    return this.#urls.length;
  }
  current(): string {
    return this.#urls[this.#current]!;
  }
  failed(url: string): void {
    if (this.#urls[this.#current] === url) this.#current = (this.#current + 1) % this.#urls.length;
  }
}

/**
 * An EtcdApi on etcd's JSON gateway, over `fetch` only (HTTP/1.1; runs in browsers, given etcd's
 * `Access-Control-Allow-Origin: *`). Errors are the gRPC transport's: EtcdError with etcd's gRPC
 * code and message. Reads (range, keep-alive, time-to-live, status) move on to the next endpoint
 * after Unavailable within one deadline; writes only when the connection was refused, since
 * otherwise their outcome is unknown. A broken watch throws Unavailable from `responses`; the next
 * `watch()` opens on the next endpoint.
 *
 * @example
 * ```ts ignore
 * const etcd = createGatewayEtcdApi({ endpoints: ["http://127.0.0.1:2379"] });
 * const r = await etcd.range({ key: new TextEncoder().encode("/brokers/ids/1") });
 * await etcd.close();
 * ```
 */
export function createGatewayEtcdApi(options: GatewayEtcdApiOptions): GatewayEtcdApi {
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const endpoints = new Endpoints(options.endpoints);
  // Called through a closure: a browser's fetch throws "Illegal invocation" when detached from window.
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const calls = new Set<Call>();
  const watches = new Set<api.WatchStream>();
  let closed = false;

  const closedError = (cause?: unknown) => new EtcdError(GrpcCode.Cancelled, "etcd client is closed", { cause });

  /** Starts a POST; its AbortController is aborted by close() and by `stop()`. */
  function begin(): Call {
    const call: Call = { abort: new AbortController() };
    calls.add(call);
    return call;
  }
  function stop(call: Call, why: Stop): void {
    call.stop ??= why;
    call.abort.abort();
  }
  function end(call: Call): void {
    calls.delete(call);
  }

  /** The EtcdError for what a POST threw, given why we stopped it (if we did). */
  function failure(e: unknown, call: Call, url: string, path: string, ms: number): EtcdError {
    if (call.stop === "closed" || closed) return closedError(e);
    if (call.stop === "timeout") {
      return new EtcdError(GrpcCode.DeadlineExceeded, `Call to "${url}${path}" not answered within ${Math.round(ms)} ms`, { cause: e });
    }
    if (e instanceof EtcdError) return e;
    const message = e instanceof Error ? e.message : String(e);
    return new EtcdError(GrpcCode.Unavailable, `Call to "${url}${path}" failed: ${message}`, { cause: e });
  }

  // The body is sent without a Content-Type, so fetch labels it text/plain: a "simple" CORS request
  // that needs no preflight OPTIONS round trip. The gateway does not look at the Content-Type.
  function post(url: string, path: string, body: unknown, signal: AbortSignal): Promise<Response> {
    return doFetch(url + path, { method: "POST", body: JSON.stringify(body), signal });
  }

  /** Reads stream objects from `response` and hands each to `each` until it returns false or the body ends. */
  async function readObjects(response: Response, each: (json: unknown) => boolean): Promise<boolean> {
    const reader = response.body?.getReader();
    if (!reader) return false;
    const splitter = createJsonObjectSplitter();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return false;
        for (const text of splitter.push(decoder.decode(value, { stream: true }))) {
          if (!each(parseJson(text))) return true;
        }
      }
    } finally {
      // Ends the response early where we stopped reading (keep-alive: after its one answer).
      reader.cancel().catch(() => {});
    }
  }

  /**
   * One POST with the deadline, failing over on Unavailable as `idempotent` allows. `read` turns
   * a 2xx response into the result; a non-2xx one becomes etcd's EtcdError.
   */
  async function unary<T>(idempotent: boolean, path: string, body: unknown, read: (r: Response) => Promise<T>): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    for (let attempt = 1;; attempt++) {
      if (closed) throw closedError();
      const url = endpoints.current();
      const call = begin();
      const ms = Math.max(1, deadline - performance.now());
      const timer = setTimeout(() => stop(call, "timeout"), ms);
      try {
        const response = await post(url, path, body, call.abort.signal);
        if (!response.ok) throw errorFromResponse(response.status, await response.text());
        return await read(response);
      } catch (e) {
        const err = failure(e, call, url, path, timeoutMs);
        if (err.grpcCode !== GrpcCode.Unavailable) throw err;
        endpoints.failed(url);
        if (attempt >= endpoints.size || !(idempotent || neverSent(e))) throw err;
      } finally {
        clearTimeout(timer);
        end(call);
      }
    }
  }

  const json = <T>(decode: (json: unknown) => T) => async (r: Response): Promise<T> => decode(parseJson(await r.text()));

  function openWatch(): api.WatchStream {
    const out = new PushQueue<api.WatchResponse>();
    const posts = new Map<bigint, Call>();
    let nextId = 0n;
    let done = false;

    const finish = (error?: EtcdError): void => {
      if (done) return;
      done = true;
      for (const call of posts.values()) stop(call, "cancelled");
      posts.clear();
      out.end(error);
      watches.delete(stream);
    };

    /** Runs the POST of watch `id` until it is cancelled or breaks; a break ends the whole stream. */
    async function pump(id: bigint, body: unknown, call: Call): Promise<void> {
      for (let attempt = 1;; attempt++) {
        const url = endpoints.current();
        // Bounds the wait for the response to start; a started watch may then idle for ever.
        const timer = setTimeout(() => stop(call, "timeout"), timeoutMs);
        try {
          const response = await post(url, "/v3/watch", body, call.abort.signal);
          clearTimeout(timer);
          if (!response.ok) throw errorFromResponse(response.status, await response.text());
          const canceled = await readObjects(response, (json) => {
            const r = decodeWatchResponse(json);
            if (done || call.stop) return false;
            // Each POST carries one watch: answers are its own (progress notifications keep -1).
            if (r.watchId !== -1n) r.watchId = id;
            out.push(r);
            // Cancelled by etcd (e.g. compacted start revision): nothing more comes, but the
            // gateway keeps the response open.
            return !r.canceled;
          });
          if (done || call.stop) return;
          if (canceled) {
            posts.delete(id);
            stop(call, "cancelled");
            return;
          }
          // etcd never ends a watch by itself; treat a clean end like a lost connection.
          return finish(new EtcdError(GrpcCode.Unavailable, `Watch stream to "${url}" ended`));
        } catch (e) {
          clearTimeout(timer);
          if (done || call.stop === "cancelled" || call.stop === "closed") return;
          const err = failure(e, call, url, "/v3/watch", timeoutMs);
          if (err.grpcCode === GrpcCode.Unavailable) {
            endpoints.failed(url);
            // Nothing reached etcd: the next endpoint may take it.
            if (neverSent(e) && attempt < endpoints.size) continue;
          }
          return finish(err);
        }
      }
    }

    const stream: api.WatchStream = {
      create(request) {
        if (done || closed) throw new EtcdError(GrpcCode.Cancelled, "Watch stream is closed");
        let id = request.watchId;
        if (id === undefined) {
          // As etcd numbers watches on one gRPC stream: 0, 1, 2… in create order, skipping ids in use.
          while (posts.has(nextId)) nextId++;
          id = nextId++;
        }
        const call = begin();
        posts.set(id, call);
        void pump(id, encodeWatchCreate({ ...request, watchId: id }), call).finally(() => {
          end(call);
          if (posts.get(id!) === call) posts.delete(id!);
        });
      },
      cancel(watchId) {
        if (done) throw new EtcdError(GrpcCode.Cancelled, "Watch stream is closed");
        const call = posts.get(watchId);
        if (!call) return;
        posts.delete(watchId);
        stop(call, "cancelled");
        // etcd confirms a cancel_request with a canceled response; the gateway cannot send one, so
        // the stream answers in its place.
        out.push({
          header: { clusterId: 0n, memberId: 0n, revision: 0n, raftTerm: 0n },
          watchId,
          created: false,
          canceled: true,
          compactRevision: 0n,
          cancelReason: "",
          events: [],
        });
      },
      responses: out,
      close: () => finish(),
    };
    return stream;
  }

  return {
    range: (request) => unary(true, "/v3/kv/range", encodeRange(request), json(decodeRange)),
    txn: (request) => {
      let body;
      try {
        body = encodeTxn(request); // invalid compares reject here, before any I/O
      } catch (e) {
        return Promise.reject(e);
      }
      return unary(false, "/v3/kv/txn", body, json(decodeTxn));
    },
    put: (request) => unary(false, "/v3/kv/put", encodePut(request), json(decodePut)),
    deleteRange: (request) => unary(false, "/v3/kv/deleterange", encodeDeleteRange(request), json(decodeDeleteRange)),
    compact: async (revision, physical = false) => {
      await unary(false, "/v3/kv/compaction", { revision: revision.toString(), physical }, (r) => r.text());
    },
    leaseGrant: (ttlSeconds, id) => unary(false, "/v3/lease/grant", encodeLeaseGrant(ttlSeconds, id), json(decodeLeaseGrant)),
    leaseRevoke: async (id) => {
      // Not retried after an unknown outcome: a second revoke would report a misleading NotFound.
      await unary(false, "/v3/lease/revoke", { ID: id.toString() }, (r) => r.text());
    },
    // A bidi stream in gRPC; over the gateway one POST whose response holds one answer.
    leaseKeepAlive: (id) =>
      unary(true, "/v3/lease/keepalive", { ID: id.toString() }, async (r) => {
        let answer: api.LeaseKeepAliveResponse | undefined;
        await readObjects(r, (json) => {
          answer = decodeKeepAlive(json);
          return false;
        });
        if (!answer) throw new EtcdError(GrpcCode.Unavailable, `Lease keep-alive for "${id}" ended without an answer`);
        return answer;
      }),
    leaseTimeToLive: (id, keys = false) =>
      unary(true, "/v3/lease/timetolive", { ID: id.toString(), keys }, json(decodeLeaseTimeToLive)),
    status: () => unary(true, "/v3/maintenance/status", {}, json(decodeStatus)),
    watch: () => {
      if (closed) throw closedError();
      const stream = openWatch();
      watches.add(stream);
      return stream;
    },
    close: () => {
      if (!closed) {
        closed = true;
        for (const w of [...watches]) w.close();
        for (const call of [...calls]) stop(call, "closed");
      }
      return Promise.resolve();
    },
  };
}
