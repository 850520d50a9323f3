// The fetch plumbing under the etcd gateway transport: which endpoint a POST goes to and when it
// moves on, the deadline of each call, the auth token in the `Authorization` header, and what
// fetch's rejections mean. Runtime-neutral: only `fetch`, AbortController and timers.
import type * as api from "../../../core/etcd/api.ts";
import { GrpcCode } from "../../../core/etcd/api.ts";
import { EtcdError } from "../../../core/errors.ts";
import type { EtcdFetch, EtcdFetchResponse } from "../../../core/connect.ts";
import {
  createJsonObjectSplitter,
  decodeAuthenticate,
  encodeAuthenticate,
  errorFromResponse,
  parseJson,
} from "../../../core/etcd/gateway_json.ts";
import { isStaleToken, TokenAuth } from "./auth.ts";
import { Rotation } from "./rotation.ts";

export interface GatewayHttpOptions {
  /** "http://127.0.0.1:2379", "https://etcd-1:2379" or "127.0.0.1:2379" (http). */
  endpoints: readonly string[];
  /** The fetch to use (default: the global one). */
  fetch?: EtcdFetch;
  /** Called once by close(), after every request was aborted: frees what `fetch` holds. */
  release?: () => void;
  /** Bound on every unary call, failover included. */
  requestTimeoutMs: number;
  /** etcd user and password: the token of /v3/auth/authenticate goes with every call. */
  username?: string;
  password?: string;
}

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

/** The errors of `e` and its causes, outermost first. */
function* causes(e: unknown): Generator<{ code?: unknown; message?: unknown }> {
  for (let c: unknown = e, depth = 0; c && depth < 5; depth++) {
    const err = c as { code?: unknown; message?: unknown; cause?: unknown };
    yield err;
    c = err.cause;
  }
}

// How each runtime's fetch reports a refused connection: Node (undici) as a cause with code
// ECONNREFUSED, Bun as code "ConnectionRefused", Deno in the message ("Connection refused (os error
// 111)"). Browsers say only "Failed to fetch": there every failure counts as possibly sent.
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ConnectionRefused"]);
const NOT_SENT_TEXT = /ECONNREFUSED|Connection refused|ConnectionRefused|failed to lookup address|Name or service not known/i;

/** True when `e` (a fetch rejection) says no connection was made, so the request was never sent. */
export function neverSent(e: unknown): boolean {
  for (const err of causes(e)) {
    if (typeof err.code === "string" && NOT_SENT_CODES.has(err.code)) return true;
    if (typeof err.message === "string" && NOT_SENT_TEXT.test(err.message)) return true;
  }
  return false;
}

// How fetch reports a TLS handshake that failed (seen against etcd 3.4 with --client-cert-auth):
// Node (undici) and Bun with OpenSSL's verify codes (UNABLE_TO_VERIFY_LEAF_SIGNATURE…), Bun with
// EPROTO "The TLS handshake failed" for a refused client certificate, Deno (rustls) in the message:
// "invalid peer certificate: UnknownIssuer", "received fatal alert: BadCertificate".
const TLS_CODES = /^(UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED|CERT_|ERR_TLS_CERT_|ERR_SSL_|HOSTNAME_MISMATCH)/;
const TLS_TEXT = /invalid peer certificate[^)]*|received fatal alert: \w+|TLS handshake failed/i;

/** What failed, when `e` (a fetch rejection) is a failed TLS handshake. */
function tlsFailure(e: unknown): string | undefined {
  for (const err of causes(e)) {
    if (typeof err.code === "string" && TLS_CODES.test(err.code)) return err.code;
    const text = typeof err.message === "string" ? TLS_TEXT.exec(err.message) : null;
    if (text) return text[0];
  }
  return undefined;
}

/**
 * True when `e` is a TLS handshake that failed: nothing was sent, and retrying the same endpoint
 * cannot help, so it reads as refused credentials (the store's AuthFailed), as on the gRPC transport.
 */
export function handshakeFailed(e: EtcdError): boolean {
  return e.grpcCode === GrpcCode.Unauthenticated && e.message.includes("TLS handshake");
}

/**
 * Why a request of ours ended early; checked before reading whatever fetch rejected with.
 * "restart": a watch's POST aborted to be sent again (its connection looked dead).
 */
export type Stop = "timeout" | "closed" | "cancelled" | "restart";

/** One POST in flight: close() aborts it. */
export interface Call {
  readonly abort: AbortController;
  stop?: Stop;
}

/**
 * One client's POSTs to the gateway: gateway_api.ts sends unary calls through `unary()`,
 * gateway_watch.ts its long watch POSTs through `post()`; close() aborts whatever is in flight.
 */
export class GatewayHttp {
  readonly timeoutMs: number;
  readonly endpoints: Rotation<string>;
  readonly auth: TokenAuth;
  readonly #fetch: EtcdFetch;
  readonly #release: (() => void) | undefined;
  readonly #calls = new Set<Call>();
  #closed = false;

  constructor(options: GatewayHttpOptions) {
    this.timeoutMs = options.requestTimeoutMs;
    if (options.endpoints.length === 0) throw new EtcdError(GrpcCode.InvalidArgument, "No etcd endpoints given");
    this.endpoints = new Rotation(options.endpoints.map(endpointOrigin));
    // Called through a closure: a browser's fetch throws "Illegal invocation" when detached from window.
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.#release = options.release;
    this.auth = new TokenAuth(
      options.username !== undefined ? { username: options.username, password: options.password ?? "" } : undefined,
      (name, password) => this.authenticate(name, password).then((r) => r.token),
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  closedError(cause?: unknown): EtcdError {
    return new EtcdError(GrpcCode.Cancelled, "etcd client is closed", { cause });
  }

  /** Starts a POST; its AbortController is aborted by close() and by `stop()`. */
  begin(): Call {
    const call: Call = { abort: new AbortController() };
    this.#calls.add(call);
    return call;
  }

  stop(call: Call, why: Stop): void {
    call.stop ??= why;
    call.abort.abort();
  }

  end(call: Call): void {
    this.#calls.delete(call);
  }

  /** The EtcdError for what a POST threw, given why we stopped it (if we did). */
  failure(e: unknown, call: Call, url: string, path: string): EtcdError {
    if (call.stop === "closed" || this.#closed) return this.closedError(e);
    if (call.stop === "timeout") {
      return new EtcdError(GrpcCode.DeadlineExceeded, `Call to "${url}${path}" not answered within ${this.timeoutMs} ms`, { cause: e });
    }
    if (e instanceof EtcdError) return e;
    const tls = tlsFailure(e);
    if (tls !== undefined) return new EtcdError(GrpcCode.Unauthenticated, `TLS handshake with "${url}" failed: ${tls}`, { cause: e });
    const message = e instanceof Error ? e.message : String(e);
    return new EtcdError(GrpcCode.Unavailable, `Call to "${url}${path}" failed: ${message}`, { cause: e });
  }

  // Without a token the body goes without headers, so fetch labels it text/plain: a "simple" CORS
  // request that needs no preflight OPTIONS round trip (the gateway does not look at the
  // Content-Type). A token makes it a preflighted one, which etcd answers (it allows `authorization`).
  post(url: string, path: string, body: unknown, call: Call, token: string): Promise<EtcdFetchResponse> {
    const headers: Record<string, string> = token === "" ? {} : { authorization: token };
    return this.#fetch(url + path, { method: "POST", body: JSON.stringify(body), headers, signal: call.abort.signal });
  }

  /** Reads stream objects from `response` and hands each to `each` until it returns false or the body ends. */
  async readObjects(response: EtcdFetchResponse, each: (json: unknown) => boolean): Promise<boolean> {
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
   * One POST with the deadline and the auth token. Fails over on Unavailable as `idempotent`
   * allows (and after a failed TLS handshake, which sent nothing); sends it once more with a new
   * token when etcd refused the token as expired (the refused call did nothing, so even a write may
   * go again). `read` turns a 2xx response into the result; a non-2xx one becomes etcd's EtcdError.
   */
  async unary<T>(
    idempotent: boolean,
    path: string,
    body: unknown,
    read: (r: EtcdFetchResponse) => Promise<T>,
    withToken = true,
  ): Promise<T> {
    const deadline = performance.now() + this.timeoutMs;
    let reauthenticated = false;
    for (let attempt = 1;;) {
      const token = withToken && this.auth.enabled ? await this.auth.token() : "";
      if (this.#closed) throw this.closedError();
      const url = idempotent ? this.endpoints.forRead() : this.endpoints.current();
      const call = this.begin();
      const timer = setTimeout(() => this.stop(call, "timeout"), Math.max(1, deadline - performance.now()));
      try {
        const response = await this.post(url, path, body, call, token);
        if (!response.ok) throw errorFromResponse(response.status, await response.text());
        const result = await read(response);
        this.endpoints.answered(url);
        return result;
      } catch (e) {
        const err = this.failure(e, call, url, path);
        if (this.auth.enabled && withToken && !reauthenticated && isStaleToken(err)) {
          reauthenticated = true;
          this.auth.refused(token);
          continue;
        }
        // A member that took the request and did not answer in time (hung, paused): the deadline
        // is spent, but later calls (and the watch's probes) try the next member.
        if (err.grpcCode === GrpcCode.DeadlineExceeded) this.endpoints.failed(url);
        const tls = handshakeFailed(err);
        if (err.grpcCode !== GrpcCode.Unavailable && !tls) throw err;
        this.endpoints.failed(url);
        if (++attempt > this.endpoints.size || !(idempotent || tls || neverSent(e))) throw err;
      } finally {
        clearTimeout(timer);
        this.end(call);
      }
    }
  }

  /** A 2xx body as JSON, decoded. */
  static json<T>(decode: (json: unknown) => T): (r: EtcdFetchResponse) => Promise<T> {
    return async (r) => decode(parseJson(await r.text()));
  }

  /** /v3/auth/authenticate, failing over like a read (it only issues a token). */
  authenticate(name: string, password: string): Promise<api.AuthenticateResponse> {
    return this.unary(true, "/v3/auth/authenticate", encodeAuthenticate(name, password), GatewayHttp.json(decodeAuthenticate), false);
  }

  /** Aborts every POST in flight (their callers see Cancelled) and frees the fetch's resources. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const call of [...this.#calls]) this.stop(call, "closed");
    this.#release?.();
  }
}
