// --store zk://: the server passes each client's session on to a real ZooKeeper ensemble, which
// judges every request itself; checked reachable before the server listens.
import type { ServerStore } from "../../core/store.ts";
import type { ConnectString } from "../../core/connect_string.ts";
import type { Dial } from "../../core/transport.ts";
import type { KeeperError } from "../../core/errors.ts";
import { createZooKeeperServerStore } from "../../core/zk/zk_server_store.ts";
import { systemClock } from "./system_clock.ts";
import type { ServeFlags } from "./serve.ts";
import { UsageError } from "./usage_error.ts";

export async function openZooKeeperServerStore(url: string, target: ConnectString, flags: ServeFlags, dial: Dial): Promise<ServerStore> {
  if (target.chroot !== "/") {
    throw new UsageError(`--store ${url}: a chroot is not served (clients choose theirs in their connect string)`);
  }
  // What ZooKeeper decides for itself cannot be set here.
  if (flags.superDigest) throw new UsageError("--super-digest: with --store zk:// set zookeeper.DigestAuthenticationProvider.superDigest on the ZooKeeper servers");
  if (flags.extendedTypes) throw new UsageError("--extended-types: with --store zk:// set zookeeper.extendedTypesEnabled on the ZooKeeper servers");
  if (flags.etcdPrefix) throw new UsageError("--etcd-prefix is for --store etcd://");
  const failures = new Map<string, string>();
  const store = createZooKeeperServerStore({
    hosts: target.hosts,
    dial,
    clock: systemClock,
    random: Math.random,
    onConnectionError: (e: KeeperError) => failures.set(e.host ?? "?", e.message),
  });
  try {
    await store.currentZxid();
  } catch (e) {
    await store.close();
    const tried = failures.size > 0 ? [...failures.values()].join("; ") : (e as Error).message;
    throw new UsageError(`--store ${url}: ${tried}`);
  }
  return store;
}
