// What an etcd error means for a ZooKeeper session.
import { GrpcCode } from "./api.ts";

/**
 * - `connection`: the link (or the etcd member) failed; the outcome of a write is unknown (ConnectionLoss);
 * - `expired`: the session's lease is gone (SessionExpired);
 * - `auth`: etcd refused our credentials or token (AuthFailed);
 * - `too-large`: the Txn broke etcd's --max-txn-ops or --max-request-bytes;
 * - `other`: etcd refused the request itself (a bug here, or a foreign key layout): SystemError.
 */
export type Failure = "connection" | "expired" | "auth" | "too-large" | "other";

/** Classifies a rejection from EtcdApi (EtcdError carries `grpcCode`; anything else is the link). */
export function classify(error: unknown): Failure {
  const e = error as { name?: unknown; grpcCode?: unknown; message?: unknown };
  if (typeof e !== "object" || e === null || typeof e.grpcCode !== "number") return "connection";
  const message = typeof e.message === "string" ? e.message : "";
  switch (e.grpcCode) {
    case GrpcCode.NotFound:
      return /lease/i.test(message) ? "expired" : "connection";
    case GrpcCode.Unauthenticated:
    case GrpcCode.PermissionDenied:
      return "auth";
    case GrpcCode.InvalidArgument:
      if (/too many operations|too large/i.test(message)) return "too-large";
      // etcd answers a wrong user or password with InvalidArgument.
      if (/authentication failed|invalid auth|user name/i.test(message)) return "auth";
      return "other";
    case GrpcCode.FailedPrecondition:
    case GrpcCode.OutOfRange:
    case GrpcCode.Unimplemented:
      return "other";
    case GrpcCode.ResourceExhausted:
      return /too large|larger than max/i.test(message) ? "too-large" : "connection";
    default:
      return "connection";
  }
}
