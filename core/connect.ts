// The one entry point behind every runtime's `connect(url)`: the scheme picks the store.
import type { Clock } from "./clock.ts";
import type { KafkaMetastore, MetastoreOptions } from "./api/metastore.ts";
import { createMetastore, DEFAULT_SESSION_TIMEOUT_MS } from "./client/metastore_client.ts";
import { createMemoryStore, type MemoryStore, type MemoryStoreOptions } from "./memory/memory_store.ts";
import { parseConnectString } from "./connect_string.ts";
import { ErrorCode, KeeperError } from "./errors.ts";

/** Options of `connect()`. */
export interface ConnectOptions extends MetastoreOptions {
  /** memory:// only: use this store instead of the runtime's named one. */
  store?: MemoryStore;
  /** memory:// only: options for a named store created by this call. */
  memory?: Omit<MemoryStoreOptions, "clock">;
  /** Receives exceptions thrown by registered handlers. */
  onHandlerError?: (error: unknown, handler: string) => void;
}

/** What a runtime shim provides to `connect()`. */
export interface Runtime {
  clock: Clock;
  /** The runtime's named memory stores: two clients of `memory://name` share one store. */
  memoryStores: Map<string, MemoryStore>;
}

/**
 * Opens a client on the store the URL names and waits for its first session.
 * @throws {KeeperError} BadArguments for a bad URL, Unimplemented for a store not in this build,
 * OperationTimeout when no session is established within `connectionTimeoutMs`.
 */
export async function connectWith(runtime: Runtime, url: string, options: ConnectOptions = {}): Promise<KafkaMetastore> {
  const target = parseConnectString(url);
  if (target.scheme !== "memory") {
    throw new KeeperError(ErrorCode.Unimplemented, `The ${target.scheme}:// store is not available yet in this version`);
  }
  const name = target.hosts[0]!.host;
  let store = options.store ?? runtime.memoryStores.get(name);
  if (!store) {
    store = createMemoryStore({ ...options.memory, clock: runtime.clock });
    runtime.memoryStores.set(name, store);
  }
  const client = createMetastore(
    { store, clock: runtime.clock, chroot: target.chroot, onHandlerError: options.onHandlerError },
    options,
  );
  try {
    await client.waitUntilConnected(options.connectionTimeoutMs ?? options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS);
  } catch (e) {
    await client.close();
    throw e;
  }
  return client;
}
