// Helpers the runtime shims share: naming a peer (host:port), typing connection failures.
import { type ConnectFailure, ErrorCode, KeeperError } from "../../core/errors.ts";
import type { ByteChannel, ServerChannel } from "../../core/transport.ts";

export { hostPort } from "../../core/connect_string.ts";

/** Our own KeeperErrors pass through; anything else becomes ConnectionLoss with the cause kept. */
export function connectionLoss(e: unknown, context: string): KeeperError {
  if (e instanceof KeeperError) return e;
  const reason = e instanceof Error ? e.message : String(e);
  return new KeeperError(ErrorCode.ConnectionLoss, `${context}: ${reason}`, { cause: e });
}

const UNRESOLVED_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "EAI_NODATA"]);
const UNREACHABLE_CODES = new Set(["EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN", "EADDRNOTAVAIL"]);
const CLOSED_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);
const CERTIFICATE_CODES = /^(ERR_SSL_|ERR_TLS_|ERR_BORINGSSL|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT|ERR_CERT)/;

/**
 * What happened, from an error of Node's, Deno's or Bun's socket APIs (their names, codes and
 * messages differ for the same event; the cause chain is searched). `tls`: the dial was a TLS one,
 * so a peer that closes before the handshake ends is a TLS failure (a plain-text port, typically).
 */
export function connectFailure(e: unknown, tls = false): ConnectFailure {
  let closed = false;
  for (let err = e as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; err && depth < 8; depth++) {
    const name = String(err.name ?? "");
    const code = String(err.code ?? "");
    const message = String(err.message ?? "");
    if (name === "NotCapable" || name === "PermissionDenied" || code === "EACCES" || code === "EPERM") return "permission";
    if (code === "ECONNREFUSED" || name === "ConnectionRefused" || /connection refused/i.test(message)) return "refused";
    if (UNRESOLVED_CODES.has(code) || /failed to lookup address|getaddrinfo|dns error/i.test(message)) return "unresolved";
    if (UNREACHABLE_CODES.has(code) || name === "HostUnreachable" || name === "NetworkUnreachable") return "unreachable";
    if (code === "ETIMEDOUT" || name === "TimedOut") return "timeout";
    // node:http2 on bytes that are not HTTP/2 (a server of another protocol).
    if (code === "ERR_HTTP2_ERROR" || code === "ERR_HTTP2_SESSION_ERROR") return "protocol";
    if (CERTIFICATE_CODES.test(code) || /certificate|handshake|\bTLS\b|\bSSL\b|unknown ?issuer|InvalidCertificate/i.test(`${name} ${message}`)) {
      // "disconnected before secure TLS connection was established" names TLS but is a close.
      if (!/disconnected before secure TLS/i.test(message)) return "tls";
    }
    if (CLOSED_CODES.has(code) || name === "ConnectionReset" || name === "UnexpectedEof" || name === "BrokenPipe" || /disconnected|socket hang up|closed/i.test(message)) {
      closed = true;
    }
    err = err.cause as typeof err;
  }
  if (tls) return "tls";
  return closed ? "closed" : "error";
}

const DESCRIPTIONS: Record<ConnectFailure, string> = {
  refused: "connection refused (is the server running, on this port?)",
  unresolved: "host name not resolved",
  unreachable: "host unreachable",
  timeout: "timed out",
  closed: "closed by the peer",
  protocol: "not a server of this store's protocol",
  tls: "TLS handshake failed (a plain-text port, or an untrusted certificate?)",
  permission: "permission denied",
  lost: "connection lost",
  error: "failed",
};

/** The ConnectionLoss of a failed dial: names the host and what happened there, keeps the runtime's error as `cause`. */
export function dialError(e: unknown, where: string, tls = false): KeeperError {
  if (e instanceof KeeperError && e.failure !== undefined) return e;
  const failure = connectFailure(e, tls);
  const detail = e instanceof Error ? e.message : String(e);
  return new KeeperError(ErrorCode.ConnectionLoss, `Cannot connect to ${where}: ${DESCRIPTIONS[failure]}: ${detail}`, {
    cause: e,
    host: where,
    failure,
  });
}

/** The ConnectionLoss of a dial that did not complete within `ms`. */
export function dialTimeout(where: string, ms: number, tls = false): KeeperError {
  const why = tls
    ? "no TLS connection (the host is down, or its port does not answer a TLS handshake)"
    : "no TCP connection (the host is down, or a firewall drops the packets)";
  return new KeeperError(ErrorCode.ConnectionLoss, `Cannot connect to ${where}: timed out after ${ms} ms: ${why}`, {
    host: where,
    failure: "timeout",
  });
}

/** An accepted connection as a listener hands it to the server: its channel and its peer. */
export function serverChannel(
  channel: ByteChannel & { readonly bufferedBytes: number },
  remoteAddress: string,
  remotePort: number,
): ServerChannel {
  return {
    incoming: channel.incoming,
    write: (bytes) => channel.write(bytes),
    close: () => channel.close(),
    remoteAddress,
    remotePort,
    get bufferedBytes() {
      return channel.bufferedBytes;
    },
  };
}
