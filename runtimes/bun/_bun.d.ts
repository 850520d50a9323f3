// The few Bun globals runtimes/bun calls, declared here so `tsc` checks the Bun shim without the
// bun-types package. Shapes follow Bun 1.x's `Bun.connect` and `Bun.listen`, trimmed to what we use.

declare namespace Bun {
  interface Socket {
    /** Bytes accepted now (maybe fewer than given: wait for `drain`), or -1 once closed. */
    write(data: Uint8Array): number;
    /** Graceful close: sends FIN after what is queued. */
    end(): void;
    /** Closes at once (RST), dropping what is queued. */
    terminate(): void;
    setNoDelay(noDelay?: boolean): boolean;
    readonly remoteAddress: string;
    readonly remotePort: number;
  }

  interface SocketHandler {
    open?(socket: Socket): void;
    /** TLS only: the handshake ended; `authorizationError` is set when the peer was not trusted. */
    handshake?(socket: Socket, success: boolean, authorizationError: Error | null): void;
    data?(socket: Socket, data: Uint8Array): void;
    drain?(socket: Socket): void;
    /** The peer sent FIN. */
    end?(socket: Socket): void;
    close?(socket: Socket, error?: Error): void;
    error?(socket: Socket, error: Error): void;
    connectError?(socket: Socket, error: Error): void;
  }

  interface TLSOptions {
    ca?: string;
    cert?: string;
    key?: string;
    serverName?: string;
    rejectUnauthorized?: boolean;
    /** Listener only: ask clients for a certificate. */
    requestCert?: boolean;
  }

  interface TCPSocketConnectOptions {
    hostname: string;
    port: number;
    tls?: boolean | TLSOptions;
    socket: SocketHandler;
  }

  interface TCPSocketListenOptions {
    hostname: string;
    port: number;
    tls?: TLSOptions;
    socket: SocketHandler;
  }

  interface TCPSocketListener {
    readonly hostname: string;
    readonly port: number;
    /** Stops accepting; with `true` also closes the accepted sockets. */
    stop(closeActiveConnections?: boolean): void;
  }

  const version: string;

  function connect(options: TCPSocketConnectOptions): Promise<Socket>;
  /** Throws when the address cannot be bound (EADDRINUSE in the message). */
  function listen(options: TCPSocketListenOptions): TCPSocketListener;
}

/** Bun's fetch takes TLS options in the init. */
interface RequestInit {
  tls?: Bun.TLSOptions;
}
