// The etcd:// store factory for connect(): etcd's gRPC API through Connect's node:http2 transport
// (which Deno and Bun run too), or its JSON gateway over fetch when `etcd.transport` is "gateway",
// under the ZooKeeper semantics of core/etcd.
import type { Clock } from "../../core/clock.ts";
import type { StoreFactory } from "../../core/connect.ts";
import { createEtcdStore } from "../../core/etcd/etcd_store.ts";
import { createGatewayEtcdApi } from "./etcd/gateway_api.ts";
import { createGrpcEtcdApi } from "./etcd/grpc_api.ts";
import { ErrorCode, KeeperError } from "../../core/errors.ts";

/**
 * `etcd://h1:2379,h2:2379/chroot` -> a store over those endpoints (plain HTTP), keys under "kmeta/";
 * `etcds://` or `options.etcd.tls` -> https with those TLS options; `options.etcd.username` -> etcd auth.
 */
export function etcdStores(clock: Clock): StoreFactory {
  return (target, options) => {
    const { transport = "grpc", requestTimeoutMs, tls: tlsOptions, username, password } = options.etcd ?? {};
    const tls = tlsOptions ?? (target.tls ? {} : undefined);
    const scheme = tls ? "https" : "http";
    const endpoints = target.hosts.map((h) => `${scheme}://${h.host.includes(":") ? `[${h.host}]` : h.host}:${h.port}`);
    if (transport === "gateway" && (tlsOptions || username !== undefined)) {
      throw new KeeperError(ErrorCode.BadArguments, "etcd TLS options and credentials need the gRPC transport");
    }
    const api = transport === "gateway"
      ? createGatewayEtcdApi({ endpoints, requestTimeoutMs })
      : createGrpcEtcdApi({ endpoints, requestTimeoutMs, tls, username, password });
    return createEtcdStore({ api, clock });
  };
}
