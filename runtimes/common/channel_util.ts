// Helpers the three runtimes' TCP dials share: naming the peer, typing failures, joining queued writes.
import { ErrorCode, KeeperError } from "../../core/errors.ts";

/** `host:port`, with IPv6 hosts bracketed. */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Our own KeeperErrors pass through; anything else becomes ConnectionLoss with the cause kept. */
export function connectionLoss(e: unknown, context: string): KeeperError {
  if (e instanceof KeeperError) return e;
  const reason = e instanceof Error ? e.message : String(e);
  return new KeeperError(ErrorCode.ConnectionLoss, `${context}: ${reason}`, { cause: e });
}

/** The writes queued in one tick as one buffer (`total` bytes), so they leave in one socket write. */
export function joinChunks(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
