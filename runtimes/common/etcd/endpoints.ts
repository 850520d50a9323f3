// One HTTP/2 connection (Http2SessionManager) and typed clients per etcd endpoint, and the choice of
// which endpoint calls go to: the first that works, moving on when one reports Unavailable.
import { type Client, Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport, type GrpcTransportOptions, Http2SessionManager } from "@connectrpc/connect-node";
import type * as http2 from "node:http2";
import { GrpcCode } from "../../../core/etcd/api.ts";
import { EtcdError } from "../../../core/errors.ts";
import { Auth, KV, Lease, Maintenance, Watch } from "./gen/etcd/rpc_pb.ts";
import { Rotation } from "./rotation.ts";

/** PEM text or bytes for a TLS connection (https:// endpoints). */
export interface EtcdTlsOptions {
  /** Trusted CA certificates; the system store when absent. */
  ca?: string | Uint8Array;
  /** Client certificate and key, for etcd's --client-cert-auth. */
  cert?: string | Uint8Array;
  key?: string | Uint8Array;
  /** Name to verify the server certificate against, when it differs from the endpoint host. */
  serverName?: string;
}

export interface Endpoint {
  readonly url: string;
  readonly kv: Client<typeof KV>;
  readonly watch: Client<typeof Watch>;
  readonly lease: Client<typeof Lease>;
  readonly maintenance: Client<typeof Maintenance>;
  readonly auth: Client<typeof Auth>;
  readonly session: GuardedSessionManager;
}

export interface EndpointPoolOptions {
  endpoints: readonly string[];
  tls?: EtcdTlsOptions;
  /** HTTP/2 PING interval while streams are open; etcd's default --grpc-keepalive-min-time is 5 s. */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** The highest TLS version offered; the runtime's default when absent. */
  maxTlsVersion?: "TLSv1.2" | "TLSv1.3";
}

/** "127.0.0.1:2379" gets a scheme (https when TLS options are given); URLs pass unchanged. */
export function endpointUrl(endpoint: string, tls: boolean): string {
  const url = /^[a-z]+:\/\//i.test(endpoint) ? endpoint : `${tls ? "https" : "http"}://${endpoint}`;
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new EtcdError(GrpcCode.InvalidArgument, `Unsupported etcd endpoint "${endpoint}": use http:// or https://`);
  }
  return parsed.origin;
}

/** One connection and its typed clients per endpoint. */
function openEndpoints(options: EndpointPoolOptions): Endpoint[] {
  if (options.endpoints.length === 0) throw new EtcdError(GrpcCode.InvalidArgument, "No etcd endpoints given");
  const tls = options.tls;
  const nodeOptions: http2.SecureClientSessionOptions = {};
  if (tls) {
    // node:tls takes Uint8Array at run time; its types only name Buffer.
    if (tls.ca !== undefined) nodeOptions.ca = tls.ca as string;
    if (tls.cert !== undefined) nodeOptions.cert = tls.cert as string;
    if (tls.key !== undefined) nodeOptions.key = tls.key as string;
    if (tls.serverName !== undefined) nodeOptions.servername = tls.serverName;
    if (options.maxTlsVersion !== undefined) nodeOptions.maxVersion = options.maxTlsVersion;
  }
  return options.endpoints.map((e) => {
    const url = endpointUrl(e, tls !== undefined);
    // Our own session manager, so close() can tear the connection down and let the process exit.
    const session = new GuardedSessionManager(
      new Http2SessionManager(url, {
        pingIntervalMs: options.pingIntervalMs ?? 30_000,
        pingTimeoutMs: options.pingTimeoutMs ?? 10_000,
      }, nodeOptions),
    );
    const transport = createGrpcTransport({ baseUrl: url, sessionManager: session });
    return {
      url,
      session,
      kv: createClient(KV, transport),
      watch: createClient(Watch, transport),
      lease: createClient(Lease, transport),
      maintenance: createClient(Maintenance, transport),
      auth: createClient(Auth, transport),
    };
  });
}

/** The members of one client: Rotation's choice of member, and the connections to them. */
export class EndpointPool extends Rotation<Endpoint> {
  constructor(options: EndpointPoolOptions) {
    super(openEndpoints(options));
  }

  /**
   * `endpoint` took a call and did not answer it in time (a paused or hung member keeps its sockets
   * open, so nothing else would tell): later calls go to the next one, and its connection is dropped
   * so the streams on it (watch, keep-alives) fail now with Unavailable and reopen elsewhere instead
   * of waiting for the HTTP/2 PING timeout.
   */
  unresponsive(endpoint: Endpoint): void {
    this.failed(endpoint);
    endpoint.session.abort(new ConnectError(`etcd member "${endpoint.url}" stopped answering`, Code.Unavailable));
  }

  /** Closes every connection and its streams. */
  close(): void {
    for (const e of this.all) e.session.abort();
  }
}

/**
 * Http2SessionManager, plus a permanent no-op "error" listener on every HTTP/2 session it hands
 * out. Connect detaches its own listeners when the manager changes state; a session error emitted
 * after that (seen: a PING timeout destroying the session while close() ran) would be an uncaught
 * exception and kill the process. The failure still reaches callers through their streams.
 */
class GuardedSessionManager implements NonNullable<GrpcTransportOptions["sessionManager"]> {
  readonly #inner: Http2SessionManager;
  readonly #guarded = new WeakSet<http2.Http2Session>();

  constructor(inner: Http2SessionManager) {
    this.#inner = inner;
  }

  get authority(): string {
    return this.#inner.authority;
  }

  async request(
    method: string,
    path: string,
    headers: http2.OutgoingHttpHeaders,
    options: Omit<http2.ClientSessionRequestOptions, "signal">,
  ): Promise<http2.ClientHttp2Stream> {
    const stream = await this.#inner.request(method, path, headers, options);
    const session = stream.session;
    if (session && !this.#guarded.has(session)) {
      this.#guarded.add(session);
      session.on("error", () => {});
    }
    return stream;
  }

  notifyResponseByteRead(stream: http2.ClientHttp2Stream): void {
    this.#inner.notifyResponseByteRead(stream);
  }

  abort(reason?: ConnectError): void {
    this.#inner.abort(reason);
  }
}
