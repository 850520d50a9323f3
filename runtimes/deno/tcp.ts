// ByteChannel and Dial on Deno's own sockets (Deno.connect / Deno.connectTls / Deno.startTls).
import { ErrorCode, KeeperError } from "../../core/errors.ts";
import type { ByteChannel, Dial, TlsOptions } from "../../core/transport.ts";
import { concatBytes } from "../../core/bytes.ts";
import { connectionLoss, dialError, dialTimeout, hostPort } from "../common/channel_util.ts";

/**
 * Opens a TCP (or, with `tls`, TLS) connection for a ZooKeeper client.
 * @throws {KeeperError} ConnectionLoss naming the host and what happened (`failure`: refused,
 * unresolved, tls, timeout, permission without --allow-net, ...) when the host cannot be reached,
 * the handshake fails or `timeoutMs` passes first; BadArguments for a TLS combination Deno cannot dial.
 */
export const dial: Dial = async (host, port, options = {}) => {
  const where = hostPort(host, port);
  let opened: Deno.Conn | undefined;
  let timedOut = false;
  const open = async (): Promise<Deno.Conn> => {
    const conn = options.tls ? await openTls(host, port, options.tls, (c) => (opened = c)) : await Deno.connect({ hostname: host, port });
    opened = conn;
    // A connection that arrives after the timeout fired is nobody's: close it.
    if (timedOut) conn.close();
    return conn;
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const attempt = open();
    attempt.catch(() => {}); // after a timeout nobody awaits it; its rejection is expected
    const conn = options.timeoutMs === undefined ? await attempt : await Promise.race([
      attempt,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          // Also aborts a TLS handshake that is still running.
          safeClose(opened);
          reject(dialTimeout(where, options.timeoutMs!, options.tls !== undefined));
        }, options.timeoutMs);
      }),
    ]);
    if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
    return createChannel(conn, where);
  } catch (e) {
    if (e instanceof KeeperError && e.code === ErrorCode.BadArguments) throw e;
    throw dialError(e, where, options.tls !== undefined);
  } finally {
    clearTimeout(timer);
  }
};

async function openTls(host: string, port: number, tls: TlsOptions, onTcp: (c: Deno.Conn) => void): Promise<Deno.TlsConn> {
  const caCerts = tls.ca === undefined ? undefined : [tls.ca];
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new KeeperError(ErrorCode.BadArguments, "TLS options need both cert and key, or neither");
  }
  let conn: Deno.TlsConn;
  if (tls.serverName === undefined || tls.serverName === host) {
    conn = await Deno.connectTls({ hostname: host, port, caCerts, cert: tls.cert, key: tls.key });
  } else {
    // connectTls verifies against the address it dials; startTls can verify another name but
    // (Deno 2.x) cannot present a client certificate.
    if (tls.cert !== undefined) {
      throw new KeeperError(ErrorCode.BadArguments, "Deno cannot combine a TLS serverName other than the host with a client certificate");
    }
    const tcp = await Deno.connect({ hostname: host, port });
    onTcp(tcp);
    conn = await Deno.startTls(tcp, { hostname: tls.serverName, caCerts });
  }
  onTcp(conn);
  // The handshake otherwise happens on first I/O; doing it here makes a bad certificate a dial error.
  await conn.handshake();
  return conn;
}

/** A ByteChannel over a connected socket (dialled, or accepted by a listener); `onClosed` runs once it is closed. */
export function createChannel(conn: Deno.Conn, where: string, onClosed?: () => void): ByteChannel & { readonly bufferedBytes: number } {
  let queue: Uint8Array[] = [];
  let queuedBytes = 0;
  let writingBytes = 0; // being written, not yet taken by the socket
  let closing = false; // close() was called: reads end quietly
  let failure: unknown; // first socket error, rethrown by `incoming`

  let shutDown = false;
  const shut = (): void => {
    if (shutDown) return;
    shutDown = true;
    safeClose(conn);
    onClosed?.();
  };
  const fail = (e: unknown): void => {
    if (!closing && failure === undefined) failure = e;
    shut();
  };
  let lastWrite: Promise<void> = Promise.resolve();
  // conn.write may take only part of a chunk: the rest goes before the next chunk.
  const writeAll = async (chunk: Uint8Array): Promise<void> => {
    for (let sent = 0; sent < chunk.length;) sent += await conn.write(chunk.subarray(sent));
    writingBytes -= chunk.length;
  };
  // One socket write per tick: writes queue until the microtask after the last one of this tick.
  // conn.read/conn.write rather than the conn's streams: about half the server CPU per request at 10
  // in flight, below node:net's (bench/listen.ts).
  const flush = (): void => {
    if (queue.length === 0) return; // close() flushed already
    const chunk = concatBytes(queue, queuedBytes);
    queue = [];
    queuedBytes = 0;
    const idle = writingBytes === 0;
    writingBytes += chunk.length;
    lastWrite = (idle ? writeAll(chunk) : lastWrite.then(() => writeAll(chunk))).catch(fail);
  };

  async function* read(): AsyncGenerator<Uint8Array> {
    try {
      const buffer = new Uint8Array(65536);
      for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) yield buffer.slice(0, n);
    } catch (e) {
      // Closing the resource under a pending read rejects it; that is our own close, not an error.
      if (!closing && failure === undefined) failure = e;
    } finally {
      shut();
    }
    if (failure !== undefined) throw connectionLoss(failure, `Connection to ${where} failed`);
  }

  return {
    incoming: read(),
    write(bytes) {
      if (closing || bytes.length === 0) return; // after close, the session no longer cares
      if (queue.length === 0) queueMicrotask(flush);
      queue.push(bytes);
      queuedBytes += bytes.length;
    },
    /** Written and not yet taken by the peer: this tick's queue and the writes still pending. */
    get bufferedBytes() {
      return queuedBytes + writingBytes;
    },
    close() {
      if (closing) return;
      closing = true;
      // What was written before close() still leaves (a closeSession request, typically).
      flush();
      // A peer that does not read would hold the socket open forever: it gets a moment, then a close.
      const timer = setTimeout(shut, 2000);
      void lastWrite.finally(() => {
        clearTimeout(timer);
        shut();
      });
    },
  };
}

/** Closes a Deno resource that may already be closed (Deno throws BadResource then). */
function safeClose(conn: Deno.Conn | undefined): void {
  try {
    conn?.close();
  } catch {
    // already closed
  }
}

