// connect() where fetch is the only way out: browsers and edge runtimes. memory:// as everywhere;
// etcd:// and etcds:// over etcd's JSON gateway; zk:// cannot work, since it needs TCP sockets.
import type { KafkaMetastore } from "../../core/api/metastore.ts";
import type { ConnectOptions } from "../../core/connect.ts";
import { ErrorCode, KeeperError } from "../../core/errors.ts";
import { connectWithStores } from "../common/connect_with_stores.ts";
import { etcdStoreFactory } from "../common/etcd_store_factory.ts";
import { systemClock } from "../common/system_clock.ts";

/** connect() for a host with fetch and no sockets. */
export const connect: (url: string, options?: ConnectOptions) => Promise<KafkaMetastore> = connectWithStores({
  zk: () => {
    throw new KeeperError(
      ErrorCode.BadArguments,
      "zk:// needs TCP sockets, which a browser or edge runtime does not offer: use etcd:// (over etcd's JSON gateway) or memory://",
    );
  },
  etcd: etcdStoreFactory(systemClock, {
    defaultTransport: "gateway",
    noTlsFetch: "a browser's fetch takes none (the browser's own trust store and client certificates apply): " +
      "leave etcd.tls out, or pass etcd.fetch",
  }),
});
