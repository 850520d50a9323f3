// The few Bun globals runtimes/bun calls, declared here so `tsc` checks the Bun shim without the
// bun-types package. Shapes follow Bun 1.x's `Bun.connect`, trimmed to what we use.

declare namespace Bun {
  interface Socket {
    /** Bytes accepted now (maybe fewer than given: wait for `drain`), or -1 once closed. */
    write(data: Uint8Array): number;
    /** Graceful close: sends FIN after what is queued. */
    end(): void;
    /** Closes at once (RST), dropping what is queued. */
    terminate(): void;
    setNoDelay(noDelay?: boolean): boolean;
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
  }

  interface TCPSocketConnectOptions {
    hostname: string;
    port: number;
    tls?: boolean | TLSOptions;
    socket: SocketHandler;
  }

  function connect(options: TCPSocketConnectOptions): Promise<Socket>;
  /** For the kmeta CLI entry's `serve` runtime line. */
  const version: string;
}

/** Bun's fetch takes TLS options in the init. */
interface RequestInit {
  tls?: Bun.TLSOptions;
}
