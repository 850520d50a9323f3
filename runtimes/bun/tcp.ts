/// <reference path="./_bun.d.ts" />
// ByteChannel and Dial on Bun.connect. Bun's per-write cost is high (node-zookeeper-client, one
// socket.write per request, did 3.1k getData/s on Bun against 16k on Node), so writes made in one
// tick are joined and leave in one Bun socket write.
import { isIP } from "node:net";
import type { ByteChannel, Dial } from "../../core/transport.ts";
import { concatBytes } from "../../core/bytes.ts";
import { connectionLoss, dialError, dialTimeout, hostPort } from "../common/channel_util.ts";

/**
 * Opens a TCP (or, with `tls`, TLS) connection for a ZooKeeper client.
 * @throws {KeeperError} ConnectionLoss naming the host and what happened (`failure`: refused,
 * unresolved, tls, timeout, ...) when the host cannot be reached, the certificate is not trusted,
 * the handshake fails or `timeoutMs` passes first.
 */
export const dial: Dial = (host, port, options = {}) => {
  const where = hostPort(host, port);
  const tls = options.tls;
  return new Promise<ByteChannel>((resolve, reject) => {
    let socket: Bun.Socket | undefined;
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const channel = createChannel(where);
    const settle = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === undefined) {
        resolve(channel.api);
      } else {
        socket?.terminate();
        reject(dialError(error, where, tls !== undefined));
      }
    };
    if (options.timeoutMs !== undefined) {
      const ms = options.timeoutMs;
      timer = setTimeout(() => settle(dialTimeout(where, ms, tls !== undefined)), ms);
    }
    // Bun.connect throws synchronously for bad TLS options ("Invalid CA"): the same failure as a rejection.
    try {
      Bun.connect({
        hostname: host,
        port,
        tls: tls && {
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          // SNI carries names only; an IP is still verified against the certificate's IP entries.
          serverName: tls.serverName ?? (isIP(host) ? undefined : host),
          rejectUnauthorized: true,
        },
        socket: {
          open(s) {
            socket = s;
            channel.attach(s);
            if (settled) s.terminate(); // arrived after the timeout: nobody wants it
            else if (!tls) settle();
          },
          handshake(_s, success, authorizationError) {
            if (authorizationError) settle(authorizationError);
            else if (!success) settle(new Error("TLS handshake failed"));
            else settle();
          },
          data: (_s, data) => channel.push(data),
          drain: () => channel.drain(),
          end: (s) => s.end(), // the peer is done; `close` follows and ends `incoming`
          error: (_s, e) => (settled ? channel.fail(e) : settle(e)),
          connectError: (_s, e) => settle(e),
          close: (_s, e) => {
            if (!settled) settle(e ?? new Error("closed during connect"));
            channel.finish(e);
          },
        },
      }).catch(settle);
    } catch (e) {
      settle(e);
    }
  });
};

/** A channel Bun's socket handlers feed (dialled, or accepted by a listener). */
export interface BunChannel {
  api: ByteChannel & { readonly bufferedBytes: number };
  attach(socket: Bun.Socket): void;
  push(chunk: Uint8Array): void;
  drain(): void;
  fail(error: unknown): void;
  finish(error?: unknown): void;
}

/** A channel for the socket `attach` gives it; `onClosed` runs once that socket has closed. */
export function createChannel(where: string, onClosed?: () => void): BunChannel {
  let socket: Bun.Socket | undefined;
  // Write side: `queue` collects one tick's writes; `backlog` holds what Bun did not take yet.
  let queue: Uint8Array[] = [];
  let queuedBytes = 0;
  let backlog: Uint8Array | undefined;
  // Read side: chunks not yet consumed, and the consumer waiting for the next one.
  const chunks: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let closing = false;
  let endWhenDrained = false;
  let reset: ReturnType<typeof setTimeout> | undefined;
  let failure: unknown;

  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const send = (bytes: Uint8Array): void => {
    if (!socket) return;
    const n = socket.write(bytes);
    if (n < 0) return; // closed; `close` reports it
    if (n < bytes.length) backlog = bytes.subarray(n);
  };
  const flush = (): void => {
    if (queue.length === 0) return; // close() flushed already
    const chunk = concatBytes(queue, queuedBytes);
    queue = [];
    queuedBytes = 0;
    // While Bun holds back bytes, later ticks append to the backlog to keep their order.
    if (backlog) backlog = concatBytes([backlog, chunk]);
    else send(chunk);
  };

  async function* read(): AsyncGenerator<Uint8Array> {
    try {
      while (true) {
        const chunk = chunks.shift();
        if (chunk) {
          yield chunk;
        } else if (ended) {
          break;
        } else {
          await new Promise<void>((resolve) => (wake = resolve));
        }
      }
    } finally {
      api.close();
    }
    if (failure !== undefined) throw connectionLoss(failure, `Connection to ${where} failed`);
  }

  const api: BunChannel["api"] = {
    incoming: read(),
    write(bytes) {
      if (closing || ended || bytes.length === 0) return; // after close, the session no longer cares
      if (queue.length === 0) queueMicrotask(flush);
      queue.push(bytes);
      queuedBytes += bytes.length;
    },
    /** Written and not yet taken by the peer: this tick's queue and what Bun held back. */
    get bufferedBytes() {
      return queuedBytes + (backlog?.length ?? 0);
    },
    close() {
      if (closing) return;
      closing = true;
      // What was written before close() still leaves (a closeSession request, typically).
      flush();
      if (backlog) endWhenDrained = true;
      else socket?.end();
      // A peer that does not read, or never closes its side, would hold the socket open forever:
      // it gets a moment, then a reset.
      reset = setTimeout(() => socket?.terminate(), 2000);
      ended = true;
      notify();
    },
  };

  return {
    api,
    attach(s) {
      socket = s;
      s.setNoDelay(true);
    },
    push(chunk) {
      chunks.push(chunk);
      notify();
    },
    drain() {
      const rest = backlog;
      backlog = undefined;
      if (rest) send(rest);
      if (endWhenDrained && !backlog) socket?.end();
    },
    fail(error) {
      if (!closing && failure === undefined) failure = error;
    },
    finish(error) {
      if (error !== undefined && !closing && failure === undefined) failure = error;
      clearTimeout(reset);
      ended = true;
      notify();
      onClosed?.();
    },
  };
}

