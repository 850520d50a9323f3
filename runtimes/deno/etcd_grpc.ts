// etcd's gRPC transport as Deno runs it. Deno's node:http2 over TLS 1.3 reports a session that the
// server's post-handshake alert (e.g. a refused client certificate) already destroyed as
// connected, and Connect's session manager then spins on it without yielding to timers. Under
// TLS 1.2 the refusal comes inside the handshake, as a TLS error (AuthFailed).
import { createGrpcEtcdApi as createAnyGrpcEtcdApi } from "../common/etcd/lazy_grpc.ts";
import type { GrpcEtcdApi, GrpcEtcdApiOptions } from "../common/etcd/grpc_api.ts";

/** createGrpcEtcdApi with TLS 1.2 at most, unless `maxTlsVersion` says otherwise. */
export function createGrpcEtcdApi(options: GrpcEtcdApiOptions): GrpcEtcdApi {
  return createAnyGrpcEtcdApi({ maxTlsVersion: "TLSv1.2", ...options });
}
