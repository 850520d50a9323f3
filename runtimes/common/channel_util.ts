// Helpers the runtime shims share: naming a peer (host:port), typing connection failures.
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
