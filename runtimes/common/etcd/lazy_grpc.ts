// The gRPC transport loaded on first use: Connect, protobuf and node:http2 take ~300 ms to import,
// which memory:// and zk:// users should not pay. The entries export this as `createGrpcEtcdApi`.
import type * as api from "../../../core/etcd/api.ts";
import type { GrpcEtcdApi, GrpcEtcdApiOptions } from "./grpc_api.ts";

/**
 * createGrpcEtcdApi() whose implementation (./grpc_api.ts) is imported by the first call made on
 * it; until then nothing is loaded or dialled. Behaves as the eager one otherwise.
 */
export function createGrpcEtcdApi(options: GrpcEtcdApiOptions): GrpcEtcdApi {
  let loaded: Promise<GrpcEtcdApi> | undefined;
  let ready: GrpcEtcdApi | undefined;
  const load = (): Promise<GrpcEtcdApi> =>
    loaded ??= import("./grpc_api.ts").then((m) => (ready = m.createGrpcEtcdApi(options)));
  const call = <K extends keyof GrpcEtcdApi>(name: K) =>
  // deno-lint-ignore no-explicit-any
  (...args: any[]) => ready ? (ready[name] as any)(...args) : load().then((a) => (a[name] as any)(...args));
  return {
    range: call("range"),
    txn: call("txn"),
    leaseGrant: call("leaseGrant"),
    leaseRevoke: call("leaseRevoke"),
    leaseKeepAlive: call("leaseKeepAlive"),
    put: call("put"),
    deleteRange: call("deleteRange"),
    compact: call("compact"),
    leaseTimeToLive: call("leaseTimeToLive"),
    status: call("status"),
    authenticate: call("authenticate"),
    watch: () => (ready ? ready.watch() : lazyWatch(load())),
    close: () => (loaded ? loaded.then((a) => a.close()) : Promise.resolve()),
  } as GrpcEtcdApi;
}

/** A watch stream opened before the transport finished loading: calls made meanwhile are replayed. */
function lazyWatch(loading: Promise<api.EtcdApi>): api.WatchStream {
  let stream: api.WatchStream | undefined;
  let closed = false;
  const early: ((s: api.WatchStream) => void)[] = [];
  const opened = loading.then((a) => {
    if (closed) return undefined;
    stream = a.watch();
    for (const replay of early.splice(0)) replay(stream);
    return stream;
  });
  const later = (fn: (s: api.WatchStream) => void) => (stream ? fn(stream) : early.push(fn));
  return {
    create: (request) => later((s) => s.create(request)),
    cancel: (watchId) => later((s) => s.cancel(watchId)),
    responses: {
      async *[Symbol.asyncIterator]() {
        const s = await opened;
        if (s) yield* s.responses;
      },
    },
    close: () => {
      closed = true;
      stream?.close();
    },
  };
}
