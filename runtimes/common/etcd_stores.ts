// The etcd:// store factory for connect(): etcd's gRPC API through Connect's node:http2 transport
// (which Deno and Bun run too) under the ZooKeeper semantics of core/etcd.
import type { Clock } from "../../core/clock.ts";
import type { StoreFactory } from "../../core/connect.ts";
import { createEtcdStore } from "../../core/etcd/etcd_store.ts";
import { createGrpcEtcdApi } from "./etcd/grpc_api.ts";

/** `etcd://h1:2379,h2:2379/chroot` -> a store over those endpoints (plain HTTP/2), keys under "kmeta/". */
export function etcdStores(clock: Clock): StoreFactory {
  return (target) =>
    createEtcdStore({
      api: createGrpcEtcdApi({ endpoints: target.hosts.map((h) => `http://${h.host.includes(":") ? `[${h.host}]` : h.host}:${h.port}`) }),
      clock,
    });
}
