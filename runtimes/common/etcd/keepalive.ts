// Lease keep-alives over one shared bidi Lease.LeaseKeepAlive stream per client. etcd answers each
// request with one response carrying the lease id, so waiters are matched by id (FIFO per id).
// The stream opens on first use and again on the first use after it broke.
import type * as api from "../../../core/etcd/api.ts";
import { GrpcCode } from "../../../core/etcd/api.ts";
import { EtcdError } from "../../../core/errors.ts";
import { PushQueue } from "./_queue.ts";
import { fromHeader } from "./convert.ts";
import type { Endpoint, EndpointPool } from "./endpoints.ts";
import { toEtcdError } from "./errors.ts";
import { isStaleToken, TokenAuth } from "./auth.ts";

interface Waiter {
  resolve(response: api.LeaseKeepAliveResponse): void;
  reject(error: EtcdError): void;
}

interface KeepAliveStream {
  endpoint: Endpoint;
  requests: PushQueue<{ ID: bigint }>;
  /** The auth token the stream opened with ("" for none). */
  token?: string;
  abort: AbortController;
  waiters: Map<bigint, Waiter[]>;
  /** Why we aborted it ourselves; reported to waiters instead of Connect's "canceled". */
  reason?: EtcdError;
}

export class KeepAliveChannel {
  readonly #pool: EndpointPool;
  readonly #timeoutMs: number;
  readonly #auth: TokenAuth | undefined;
  #stream: KeepAliveStream | undefined;
  #closed = false;

  constructor(pool: EndpointPool, timeoutMs: number, auth?: TokenAuth) {
    this.#pool = pool;
    this.#timeoutMs = timeoutMs;
    this.#auth = auth;
  }

  /**
   * One keep-alive round trip; `ttl` 0 means the lease is gone. Keep-alives are idempotent, so a
   * broken stream is retried once per endpoint within the one deadline.
   * @throws {EtcdError} DeadlineExceeded after the request timeout, Unavailable when no endpoint answers.
   */
  async keepAlive(id: bigint): Promise<api.LeaseKeepAliveResponse> {
    const deadline = performance.now() + this.#timeoutMs;
    let reauthenticated = false;
    for (let attempt = 1;;) {
      if (this.#closed) throw new EtcdError(GrpcCode.Cancelled, "etcd client is closed");
      try {
        return await this.#once(id, Math.max(1, deadline - performance.now()));
      } catch (e) {
        const err = toEtcdError(e);
        // etcd 3.4 does not check tokens on keep-alives; later versions may: one retry with a new token.
        if (this.#auth?.enabled && !reauthenticated && isStaleToken(err)) {
          reauthenticated = true;
          continue;
        }
        if (err.grpcCode !== GrpcCode.Unavailable || ++attempt > this.#pool.size) throw err;
      }
    }
  }

  close(): void {
    this.#closed = true;
    const s = this.#stream;
    this.#stream = undefined;
    if (s) this.#teardown(s, new EtcdError(GrpcCode.Cancelled, "etcd client is closed"));
  }

  #once(id: bigint, timeoutMs: number): Promise<api.LeaseKeepAliveResponse> {
    const s = this.#stream ??= this.#open();
    return new Promise((resolve, reject) => {
      const list = s.waiters.get(id) ?? [];
      s.waiters.set(id, list);
      const waiter: Waiter = {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
      const timer = setTimeout(() => {
        const i = list.indexOf(waiter);
        if (i >= 0) list.splice(i, 1);
        reject(
          new EtcdError(
            GrpcCode.DeadlineExceeded,
            `Lease keep-alive for "${id}" not answered within ${Math.round(timeoutMs)} ms`,
          ),
        );
        // No answer usually means a dead connection or a paused member: start over with a fresh
        // stream next time, on the next member.
        if (this.#stream === s) {
          this.#stream = undefined;
          this.#teardown(s, new EtcdError(GrpcCode.Unavailable, "Lease keep-alive stream stopped answering"));
          this.#pool.unresponsive(s.endpoint);
        }
      }, timeoutMs);
      list.push(waiter);
      s.requests.push({ ID: id });
    });
  }

  #open(): KeepAliveStream {
    const endpoint = this.#pool.current();
    const s: KeepAliveStream = { endpoint, requests: new PushQueue(), abort: new AbortController(), waiters: new Map() };
    const pump = async (): Promise<EtcdError> => {
      try {
        // The token rides in the stream's headers, so it is known before the stream opens.
        s.token = this.#auth ? await this.#auth.token() : "";
        if (s.abort.signal.aborted) return s.reason ?? new EtcdError(GrpcCode.Cancelled, "Lease keep-alive stream closed");
        const headers = TokenAuth.headers(s.token);
        for await (const r of endpoint.lease.leaseKeepAlive(s.requests, { signal: s.abort.signal, headers })) {
          const list = s.waiters.get(r.ID);
          const waiter = list?.shift();
          if (list?.length === 0) s.waiters.delete(r.ID);
          waiter?.resolve({ header: fromHeader(r.header), id: r.ID, ttl: r.TTL });
        }
        return new EtcdError(GrpcCode.Unavailable, `Lease keep-alive stream to "${endpoint.url}" ended`);
      } catch (e) {
        return s.reason ?? toEtcdError(e);
      }
    };
    void pump().then((error) => {
      if (this.#stream === s) this.#stream = undefined;
      if (error.grpcCode === GrpcCode.Unavailable && !s.reason) this.#pool.failed(endpoint);
      if (s.token !== undefined && isStaleToken(error)) this.#auth?.refused(s.token);
      this.#teardown(s, error);
    });
    return s;
  }

  #teardown(s: KeepAliveStream, error: EtcdError): void {
    s.reason ??= error;
    s.abort.abort();
    s.requests.end();
    for (const list of s.waiters.values()) for (const w of list) w.reject(s.reason);
    s.waiters.clear();
  }
}
