// etcd:// for the Node, Deno and Bun entries: etcd's gRPC API through Connect's node:http2 transport
// (which all three run) by default, loaded when first used; its JSON gateway over fetch when
// `etcd.transport` is "gateway".
import type { Clock } from "../../core/clock.ts";
import type { StoreFactory } from "../../core/connect.ts";
import type { GrpcEtcdApiFactory } from "./etcd/grpc_api.ts";
import { createGrpcEtcdApi } from "./etcd/lazy_grpc.ts";
import { etcdStoreFactory, type TlsFetch } from "./etcd_store_factory.ts";

/**
 * etcdStoreFactory with the gRPC transport as the default.
 * @param tlsFetch how the runtime's fetch takes TLS options, for the gateway; Node's cannot.
 * @param grpc the runtime's gRPC client, when it needs its quirks set (Deno's).
 */
export function etcdStores(clock: Clock, tlsFetch?: TlsFetch, grpc: GrpcEtcdApiFactory = createGrpcEtcdApi): StoreFactory {
  return etcdStoreFactory(clock, {
    defaultTransport: "grpc",
    grpc,
    tlsFetch,
    noTlsFetch: "Node's global fetch takes none (that needs undici's Agent): use the gRPC transport (the default), " +
      "or pass etcd.fetch",
  });
}
