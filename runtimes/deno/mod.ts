/**
 * kafka-metastore for Deno: `connect(url)` opens a KafkaMetastore on the store the URL names
 * (`memory://`, `zk://h1:2181,h2:2181/chroot`, `etcd://h1:2379/chroot`).
 *
 * @example
 * ```ts
 * import { connect } from "kafka-metastore/deno";
 * import { CreateMode, OPEN_ACL_UNSAFE } from "kafka-metastore";
 *
 * const client = await connect("memory://");
 * await client.handleRequest({ type: "create", path: "/brokers", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent });
 * await client.close();
 * ```
 * @module
 */
import type { KafkaMetastore } from "../../core/api/metastore.ts";
import type { ConnectOptions } from "../../core/connect.ts";
import { createConnect } from "../common/runtime.ts";
import { dial } from "./tcp.ts";
import { tlsFetch } from "./gateway_fetch.ts";
import { createGrpcEtcdApi } from "./etcd_grpc.ts";

export * from "../../core/mod.ts";
export { systemClock } from "../common/system_clock.ts";
export { createGrpcEtcdApi } from "./etcd_grpc.ts";
export type { EtcdTlsOptions, GrpcEtcdApiOptions } from "../common/etcd/grpc_api.ts";
export { createGatewayEtcdApi, type GatewayEtcdApi, type GatewayEtcdApiOptions } from "../common/etcd/gateway_api.ts";
export { dial } from "./tcp.ts";

/**
 * Opens a client on the store the URL names and waits for its first session.
 * @throws {KeeperError} BadArguments, Unimplemented or OperationTimeout.
 */
export const connect: (url: string, options?: ConnectOptions) => Promise<KafkaMetastore> = createConnect(dial, tlsFetch, createGrpcEtcdApi);
