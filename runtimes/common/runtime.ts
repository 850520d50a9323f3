// What the three runtime entries share: a runtime differs only in how it dials a TCP socket.
// etcd goes through Connect's node:http2 transport, which Node, Deno and Bun all run.
import type { KafkaMetastore } from "../../core/api/metastore.ts";
import type { Dial } from "../../core/transport.ts";
import { type ConnectOptions, connectWith, type Runtime } from "../../core/connect.ts";
import { zooKeeperStores } from "../../core/zk/zk_store.ts";
import { etcdStores } from "./etcd_stores.ts";
import { systemClock } from "./system_clock.ts";

/** A runtime's `connect()`: memory://, zk:// over `dial`, etcd:// over gRPC; the URL's scheme chooses. */
export function createConnect(dial: Dial): (url: string, options?: ConnectOptions) => Promise<KafkaMetastore> {
  const runtime: Runtime = {
    clock: systemClock,
    memoryStores: new Map(),
    // Math.random only jitters reconnect delays and shuffles hosts, as ZooKeeper's Java client does.
    stores: { zk: zooKeeperStores({ dial, clock: systemClock, random: Math.random }), etcd: etcdStores(systemClock) },
  };
  return (url, options) => connectWith(runtime, url, options);
}
