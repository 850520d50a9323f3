// The few Deno globals runtimes/deno calls, declared here so `tsc` checks the Deno shim without
// Deno's own type package. Shapes follow `deno types` (Deno 2.x), trimmed to what we use.
// If a build ever sees Deno's real types too, these merge as long as they stay compatible.

declare namespace Deno {
  interface NetAddr {
    transport: "tcp" | "udp";
    hostname: string;
    port: number;
  }

  interface Conn {
    readonly remoteAddr: NetAddr;
    /** Bytes read into `p`, or null at end of stream. */
    read(p: Uint8Array): Promise<number | null>;
    /** Bytes written: maybe fewer than `p` holds. */
    write(p: Uint8Array): Promise<number>;
    close(): void;
  }

  interface TcpConn extends Conn {
    setNoDelay(noDelay?: boolean): void;
  }

  interface TlsConn extends Conn {
    /** Completes the handshake now instead of on first I/O. */
    handshake(): Promise<{ alpnProtocol: string | null }>;
  }

  interface ConnectOptions {
    hostname?: string;
    port: number;
    signal?: AbortSignal;
  }

  interface ConnectTlsOptions {
    hostname?: string;
    port: number;
    caCerts?: string[];
    /** Client certificate chain and key, PEM (both or neither). */
    cert?: string;
    key?: string;
  }

  interface StartTlsOptions {
    /** The name the server's certificate must carry. */
    hostname?: string;
    caCerts?: string[];
  }

  /** A fetch client with its own TLS settings, passed to fetch as `init.client`. */
  class HttpClient {
    close(): void;
  }

  interface CreateHttpClientOptions {
    caCerts?: string[];
    http1?: boolean;
    http2?: boolean;
  }

  /** A client certificate chain and its key, PEM. */
  interface TlsCertifiedKeyPem {
    cert: string;
    key: string;
  }

  interface Listener<C extends Conn = Conn> extends AsyncIterable<C> {
    readonly addr: NetAddr;
    /** Rejects once the listener is closed (BadResource or Interrupted). */
    accept(): Promise<C>;
    close(): void;
  }

  interface ListenOptions {
    hostname?: string;
    port: number;
  }

  const version: { deno: string };

  function listen(options: ListenOptions): Listener<TcpConn>;
  /** No client certificates: Deno 2.x neither asks for nor verifies them. */
  function listenTls(options: ListenOptions & TlsCertifiedKeyPem): Listener<TlsConn>;
  function createHttpClient(options: CreateHttpClientOptions | (CreateHttpClientOptions & TlsCertifiedKeyPem)): HttpClient;
  function connect(options: ConnectOptions): Promise<TcpConn>;
  function connectTls(options: ConnectTlsOptions): Promise<TlsConn>;
  function startTls(conn: TcpConn, options?: StartTlsOptions): Promise<TlsConn>;

  // For the kmeta CLI entry (runtimes/deno/cli/kmeta.ts).
  const args: string[];
  const env: { get(name: string): string | undefined };
  const stdout: { writeSync(bytes: Uint8Array): number; isTerminal(): boolean };
  const stderr: { writeSync(bytes: Uint8Array): number; isTerminal(): boolean };
  function exit(code: number): never;
}

/** Deno's fetch takes its HttpClient in the init. */
interface RequestInit {
  client?: Deno.HttpClient;
}
