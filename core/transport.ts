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
