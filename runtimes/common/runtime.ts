// What the Node, Deno and Bun entries share: they differ in how they dial a TCP socket and in how
// their fetch takes TLS options (for etcd's JSON gateway).
import type { KafkaMetastore } from "../../core/api/metastore.ts";
import type { Dial } from "../../core/transport.ts";
import type { ConnectOptions } from "../../core/connect.ts";
import { zooKeeperStores } from "../../core/zk_stores.ts";
import { etcdStores } from "./etcd_stores.ts";
import type { TlsFetch } from "./etcd_store_factory.ts";
import type { GrpcEtcdApiFactory } from "./etcd/grpc_api.ts";
import { connectWithStores } from "./connect_with_stores.ts";
import { systemClock } from "./system_clock.ts";

/**
 * A runtime's `connect()`: memory://, zk:// over `dial`, etcd:// over gRPC (or the gateway when
 * asked); the URL's scheme chooses. Without `tlsFetch` (Node's global fetch takes no TLS options)
 * the gateway transport does https with the system's trust only. `grpc` is the runtime's gRPC
 * client when it needs its quirks set.
 */
export function createConnect(
  dial: Dial,
  tlsFetch?: TlsFetch,
  grpc?: GrpcEtcdApiFactory,
): (url: string, options?: ConnectOptions) => Promise<KafkaMetastore> {
  return connectWithStores({
    // Math.random only jitters reconnect delays and shuffles hosts, as ZooKeeper's Java client does.
    zk: zooKeeperStores({ dial, clock: systemClock, random: Math.random }),
    etcd: etcdStores(systemClock, tlsFetch, grpc),
  });
}
