/**
 * kafka-metastore for browsers and edge runtimes (anything with `fetch` and no sockets):
 * `connect(url)` opens a KafkaMetastore on `memory://`, or on etcd over its JSON gateway
 * (`etcd://h1:2379/chroot`, `etcds://` for https). etcd answers the gateway's CORS requests
 * with `Access-Control-Allow-Origin: *`. `zk://` is BadArguments here: ZooKeeper needs TCP sockets.
 *
 * @example
 * ```ts
 * import { connect } from "kafka-metastore/web";
 * import { CreateMode, OPEN_ACL_UNSAFE } from "kafka-metastore";
 *
 * const client = await connect("memory://");
 * await client.handleRequest({ type: "create", path: "/brokers", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent });
 * await client.close();
 * ```
 * @module
 */
export * from "../../core/mod.ts";
export { systemClock } from "../common/system_clock.ts";
export { createGatewayEtcdApi, type GatewayEtcdApi, type GatewayEtcdApiOptions } from "../common/etcd/gateway_api.ts";
export { connect } from "./connect.ts";
