// What runtimes provide for network stores: byte streams (ZooKeeper). etcd's seam lives in core/etcd.

/** A connected byte stream (a ZooKeeper TCP or TLS socket). Chunks carry no framing. */
export interface ByteChannel {
  /** Incoming chunks; ends when the peer closes, throws on a socket error. */
  readonly incoming: AsyncIterable<Uint8Array>;
  /** Queues bytes; chunks written in one tick should leave in one socket write. */
  write(bytes: Uint8Array): void;
  close(): void;
}

/** TLS settings for a dial (PEM strings). */
export interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  /** Server name to verify (default: the host). */
  serverName?: string;
}

/** Opens a channel; rejects when the host cannot be reached. */
export type Dial = (host: string, port: number, options?: { tls?: TlsOptions; timeoutMs?: number }) => Promise<ByteChannel>;

/** An accepted connection, as a server's listener hands it over. */
export interface ServerChannel extends ByteChannel {
  /** The peer's IP address (IPv4 dotted or IPv6), for ip ACLs and per-address limits. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Bytes written but not yet taken by the peer: how a slow reader shows. */
  readonly bufferedBytes: number;
}

/** Where a listener accepts connections; with `tls` it is a TLS listener (client certificates optional). */
export interface ListenOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  tls?: { cert: string; key: string; ca?: string; requireClientCert?: boolean };
}

/** A listening socket. */
export interface Listener {
  readonly host: string;
  readonly port: number;
  /** Stops accepting; accepted connections are left to their owner. */
  close(): Promise<void>;
}

/** Starts listening; each accepted connection goes to `onChannel`. Rejects when the address is taken. */
export type Listen = (options: ListenOptions, onChannel: (channel: ServerChannel) => void) => Promise<Listener>;
