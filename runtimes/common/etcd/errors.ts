// ConnectError -> EtcdError: the gRPC status code (Connect's Code numbers are gRPC's) and etcd's own
// message text ("etcdserver: requested lease not found"), without Connect's "[not_found]" prefix.
import { Code, ConnectError } from "@connectrpc/connect";
import { GrpcCode } from "../../../core/etcd/api.ts";
import { EtcdError } from "../../../core/errors.ts";

export function toEtcdError(e: unknown): EtcdError {
  if (e instanceof EtcdError) return e;
  const err = ConnectError.from(e);
  const tls = tlsFailure(err);
  if (tls !== undefined) {
    // Retrying cannot fix a certificate the other end refuses: report it as an authentication failure
    // (the store's AuthFailed), not as a lost connection retried until the connect timeout.
    return new EtcdError(GrpcCode.Unauthenticated, `TLS handshake failed (${tls}): ${err.rawMessage}`, { cause: e });
  }
  return new EtcdError(lostConnection(err) ? GrpcCode.Unavailable : err.code, err.rawMessage, { cause: e });
}

// Node's codes for a server certificate it does not trust (X.509 verification) or a handshake the
// server refused (OpenSSL alerts, e.g. etcd's --client-cert-auth without a client certificate).
const TLS_VERIFY =
  /^(UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED|CERT_|ERR_TLS_CERT_|HOSTNAME_MISMATCH|ERR_SSL_.*(CERTIFICATE|UNKNOWN_CA|HANDSHAKE_FAILURE|WRONG_VERSION_NUMBER))/;

/** The Node error code when `err` is a TLS handshake failure, else undefined. */
function tlsFailure(err: ConnectError): string | undefined {
  for (let c: unknown = err.cause, depth = 0; c && depth < 5; depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === "string" && TLS_VERIFY.test(code)) return code;
    c = (c as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when `e` (from toEtcdError) is a failed TLS handshake: nothing was sent, another endpoint may do. */
export function handshakeFailed(e: EtcdError): boolean {
  return e.grpcCode === GrpcCode.Unauthenticated && e.message.includes("TLS handshake failed");
}

/**
 * True when `err` is Connect's reading of a local transport failure rather than a status etcd sent.
 * Connect maps a reset socket to Aborted (ECONNRESET, seen on Deno), streams reset by node:http2
 * when the session dies to Canceled (seen on Node) and other socket errors to Internal; etcd never
 * sends Canceled to us (only the client cancels, and this client only does in close(), whose
 * callers check for that first). All of these are transient: report Unavailable.
 */
function lostConnection(err: ConnectError): boolean {
  if (err.code === Code.DeadlineExceeded) return false;
  if (err.code === Code.Canceled || err.rawMessage.startsWith("http/2 stream closed")) return true;
  for (let c: unknown = err.cause, depth = 0; c && depth < 5; depth++) {
    // Node system errors carry string codes (ECONNRESET, ERR_HTTP2_GOAWAY_SESSION…); a status
    // parsed from grpc-status trailers has no such cause.
    if (typeof (c as { code?: unknown }).code === "string") return true;
    c = (c as { cause?: unknown }).cause;
  }
  return false;
}

// Socket errors raised while opening the connection: the request never left this process, so even
// a non-idempotent call may be sent to the next endpoint.
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ConnectionRefused",
]);

/** True when `e` (an EtcdError from toEtcdError) is Unavailable because no connection could be made. */
export function neverSent(e: EtcdError): boolean {
  if (e.grpcCode !== GrpcCode.Unavailable) return false;
  for (let c: unknown = e.cause, depth = 0; c && depth < 5; depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === "string" && NOT_SENT.has(code)) return true;
    c = (c as { cause?: unknown }).cause;
  }
  return false;
}
