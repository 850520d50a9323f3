// The etcd side of connect()'s connection errors: the store retries a call that found no member, so
// the API it calls is wrapped to tell connect() (and the caller's onConnectionError) which endpoint
// failed and how, from the transport's error.
import type { EtcdApi, RangeRequest, TxnRequest } from "../../../core/etcd/api.ts";
import { GrpcCode } from "../../../core/etcd/api.ts";
import { type ConnectFailure, ErrorCode, KeeperError } from "../../../core/errors.ts";
import { connectFailure } from "../channel_util.ts";

const DESCRIPTIONS: Partial<Record<ConnectFailure, string>> = {
  refused: "connection refused (is etcd running, on this port?)",
  unresolved: "host name not resolved",
  unreachable: "host unreachable",
  timeout: "no answer in time (not an etcd server, or an overloaded one?)",
  closed: "it accepted the connection and closed it (not an etcd gRPC port? a ZooKeeper server does that)",
  protocol: "not an etcd server (it does not speak HTTP/2)",
  tls: "TLS handshake failed (a plain-text port for etcds://, or an untrusted certificate?)",
  permission: "permission denied",
};

/** The error's messages and addresses down its cause chain, to find the endpoint it was about. */
function chainText(e: unknown): string {
  const parts: string[] = [];
  for (let err = e as { message?: unknown; address?: unknown; port?: unknown; cause?: unknown } | undefined, d = 0; err && d < 8; d++) {
    parts.push(String(err.message ?? ""), `${err.address ?? ""}:${err.port ?? ""}`);
    err = err.cause as typeof err;
  }
  return parts.join(" ");
}

/** A connection failure of an etcd call, or undefined for an answer etcd gave (a refused txn, bad credentials). */
export function etcdConnectError(e: unknown, endpoints: readonly string[]): KeeperError | undefined {
  const grpcCode = (e as { grpcCode?: unknown })?.grpcCode;
  const transportLevel = grpcCode === GrpcCode.Unavailable || grpcCode === GrpcCode.DeadlineExceeded || grpcCode === undefined;
  const tls = endpoints.every((u) => u.startsWith("https:"));
  let failure = connectFailure(e, false);
  if (failure === "closed" && tls) failure = "tls"; // closed before the TLS handshake ended
  if (failure === "error" && grpcCode === GrpcCode.DeadlineExceeded) failure = "timeout";
  if (failure === "error" && /http\/2 stream closed|CANCEL/i.test(chainText(e))) failure = tls ? "tls" : "closed";
  const description = DESCRIPTIONS[failure];
  // An answer from etcd (a refused password, a compacted revision) is no connection error; a cause
  // the transport names (permission, TLS, DNS) is, whatever gRPC code wraps it.
  if (!transportLevel && (failure === "error" || failure === "closed" || failure === "timeout")) return undefined;
  if (description === undefined) return undefined;
  const text = chainText(e);
  const endpoint = endpoints.find((u) => text.includes(u.replace(/^\w+:\/\//, ""))) ??
    (endpoints.length === 1 ? endpoints[0]! : endpoints.join(", "));
  const detail = (e as Error)?.message ?? String(e);
  return new KeeperError(ErrorCode.ConnectionLoss, `Cannot reach etcd at ${endpoint}: ${description}: ${detail}`, {
    cause: e,
    host: endpoint,
    failure,
  });
}

/** `api` whose failed calls are also reported, as connection errors, when they are ones. */
export function reportingEtcdApi(api: EtcdApi, endpoints: readonly string[], report: (error: KeeperError) => void): EtcdApi {
  const watched = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (...args: A): Promise<R> =>
    fn(...args).catch((e: unknown) => {
      const error = etcdConnectError(e, endpoints);
      if (error) report(error);
      throw e;
    });
  return {
    range: watched((r: RangeRequest) => api.range(r)),
    txn: watched((r: TxnRequest) => api.txn(r)),
    leaseGrant: watched((ttl: bigint, id?: bigint) => api.leaseGrant(ttl, id)),
    leaseRevoke: watched((id: bigint) => api.leaseRevoke(id)),
    leaseKeepAlive: watched((id: bigint) => api.leaseKeepAlive(id)),
    leaseTimeToLive: watched((id: bigint, keys?: boolean) => api.leaseTimeToLive(id, keys)),
    watch: () => api.watch(),
    close: () => api.close(),
  };
}
