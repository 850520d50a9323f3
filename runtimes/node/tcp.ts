// ByteChannel and Dial on Node's sockets: node:net, or node:tls when TlsOptions are given.
import * as net from "node:net";
import * as tls from "node:tls";
import type { ByteChannel, Dial, TlsOptions } from "../../core/transport.ts";
import { connectionLoss, dialError, dialTimeout, hostPort } from "../common/channel_util.ts";

/**
 * Opens a TCP (or, with `tls`, TLS) connection for a ZooKeeper client.
 * @throws {KeeperError} ConnectionLoss naming the host and what happened (`failure`: refused,
 * unresolved, tls, timeout, ...) when the host cannot be reached, the handshake fails or `timeoutMs`
 * passes first.
 */
export const dial: Dial = (host, port, options = {}) =>
  new Promise((resolve, reject) => {
    const where = hostPort(host, port);
    // TLS sockets read through 'data' events: tls.connect's options have no `onread` in Node's types.
    const reads = options.tls ? undefined : readInto();
    const socket = options.tls ? tlsSocket(host, port, options.tls) : net.connect({ host, port, onread: reads!.onread });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fail = (error: unknown) => {
      clearTimeout(timer);
      socket.destroy();
      reject(dialError(error, where, options.tls !== undefined));
    };
    if (options.timeoutMs !== undefined) {
      const ms = options.timeoutMs;
      timer = setTimeout(() => fail(dialTimeout(where, ms, options.tls !== undefined)), ms);
    }
    socket.once("error", fail);
    socket.once(options.tls ? "secureConnect" : "connect", () => {
      clearTimeout(timer);
      socket.off("error", fail);
      socket.setNoDelay(true);
      resolve(socketChannel(socket, where, reads));
    });
  });

function tlsSocket(host: string, port: number, options: TlsOptions): tls.TLSSocket {
  // SNI carries names only (RFC 6066); an IP is still verified against the certificate's IP entries.
  const servername = options.serverName ?? (net.isIP(host) ? undefined : host);
  return tls.connect({ host, port, ca: options.ca, cert: options.cert, key: options.key, servername });
}

/** A dialled socket's reads, made before its channel exists (`onread` is a connect option). */
interface Reads {
  readonly onread: net.OnReadOpts;
  /** Where chunks go from now on. */
  sink: (chunk: Uint8Array) => void;
}

// Node reads into one buffer of ours instead of a fresh 64 KiB allocation per read, and calls us
// without the Readable stream's push and 'data' event: a tenth of the client's CPU at 10 getData
// in flight (about 220 -> 198 ms per 10,000 against a fake server). Chunks are copied out, as the
// buffer is reused.
const READ_BUFFER_BYTES = 64 * 1024;

function readInto(): Reads {
  const reads: Reads = {
    onread: {
      buffer: new Uint8Array(READ_BUFFER_BYTES), // a function here would be called for a new buffer per read
      callback: (n: number, buffer: Uint8Array) => {
        reads.sink(buffer.slice(0, n));
        return true; // keep reading
      },
    },
    sink: () => {},
  };
  return reads;
}

/**
 * A ByteChannel over a connected socket (dialled, or accepted by a listener): read through `reads`
 * when it was connected with readInto's `onread`, else through 'data' events.
 */
export function socketChannel(socket: net.Socket, where: string, reads?: Reads): ByteChannel & { readonly bufferedBytes: number } {
  let closing = false; // close() was called: reads end quietly
  let failure: unknown; // first socket error, rethrown by `incoming`
  // Kept from here on so a socket error ends the iteration instead of crashing the process.
  socket.on("error", (e) => {
    if (!closing && failure === undefined) failure = e;
  });
  let queue: Uint8Array[] = [];
  let queued = 0;

  // One socket write per tick: writes queue until the microtask after the first one of this tick.
  const flush = () => {
    if (queue.length === 0) return; // close() flushed already
    const chunk = queue.length === 1 ? queue[0]! : Buffer.concat(queue);
    queue = [];
    queued = 0;
    if (!socket.destroyed) socket.write(chunk);
  };

  // Chunks come from 'data' events to the one consumer, directly when it waits: iterating the
  // socket itself cost a Readable.read() and three promise hops per chunk, in Node's iterator and
  // the generator around it.
  const chunks: Uint8Array[] = [];
  let ended = false; // no more chunks will come
  let waiting: { resolve: (r: IteratorResult<Uint8Array>) => void; reject: (e: unknown) => void } | undefined;
  const last = (): Promise<IteratorResult<Uint8Array>> => {
    socket.destroy();
    const error = failure === undefined ? undefined : connectionLoss(failure, `Connection to ${where} failed`);
    return error === undefined ? Promise.resolve({ done: true, value: undefined }) : Promise.reject(error);
  };
  const deliver = (chunk: Uint8Array) => {
    const w = waiting;
    waiting = undefined;
    if (w) w.resolve({ done: false, value: chunk });
    else chunks.push(chunk);
  };
  if (reads) reads.sink = deliver;
  else socket.on("data", deliver);
  const end = () => {
    if (ended) return;
    ended = true;
    const w = waiting;
    waiting = undefined;
    if (w) last().then(w.resolve, w.reject);
  };
  socket.once("end", end);
  socket.once("close", end);
  const iterator: AsyncIterator<Uint8Array> = {
    next() {
      if (chunks.length > 0) return Promise.resolve({ done: false, value: chunks.shift()! });
      if (ended) return last();
      return new Promise((resolve, reject) => (waiting = { resolve, reject }));
    },
    return() {
      ended = true;
      chunks.length = 0;
      socket.destroy();
      return Promise.resolve({ done: true, value: undefined });
    },
  };

  return {
    incoming: { [Symbol.asyncIterator]: () => iterator },
    write(bytes) {
      if (closing || bytes.length === 0) return;
      if (queue.length === 0) queueMicrotask(flush);
      queue.push(bytes);
      queued += bytes.length;
    },
    /** Written and not yet taken by the peer: this tick's queue and the socket's own buffer. */
    get bufferedBytes() {
      return queued + socket.writableLength;
    },
    close() {
      if (closing) return;
      closing = true;
      // What was written before close() still leaves (a closeSession request, typically).
      flush();
      socket.end(() => socket.destroy());
      // A peer that does not read would hold the socket open forever: it gets a moment, then a reset.
      setTimeout(() => socket.destroy(), 2000).unref();
    },
  };
}

