// The zk:// store factory a runtime hands to connect(): the entry point's side of the ZooKeeper store,
// kept here so the store itself never imports the entry point.
import type { Clock } from "./clock.ts";
import type { ConnectOptions } from "./connect.ts";
import type { ConnectString } from "./connect_string.ts";
import type { Dial } from "./transport.ts";
import { createZooKeeperStore, type ZooKeeperStore } from "./zk/zk_store.ts";

/** The `zk` entry of a runtime's store factories: one ZooKeeper store per `connect()`. */
export function zooKeeperStores(deps: {
  dial: Dial;
  clock: Clock;
  random?: () => number;
}): (target: ConnectString, options: ConnectOptions) => ZooKeeperStore {
  return (target, options) =>
    createZooKeeperStore({
      ...options.zk,
      ...deps,
      hosts: target.hosts,
      connectionTimeoutMs: options.connectionTimeoutMs ?? options.sessionTimeoutMs,
      onConnectionError: options.onConnectionError,
    });
}
