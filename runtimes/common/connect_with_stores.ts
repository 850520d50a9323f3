// connect() over the stores an entry point brings: what every entry shares, the browser's included
// (so this file, like core, imports nothing from node:).
import type { KafkaMetastore } from "../../core/api/metastore.ts";
import { type ConnectOptions, connectWith, type Runtime } from "../../core/connect.ts";
import { systemClock } from "./system_clock.ts";

/**
 * Where a handler's exception goes unless `onHandlerError` is given: logged, as Kafka's
 * ZooKeeperClient logs it, rather than swallowed. The client carries on either way.
 */
export function logHandlerError(error: unknown, handler: string): void {
  console.error(`kafka-metastore: handler "${handler}" threw (pass onHandlerError to connect() to handle it):`, error);
}

/** An entry's `connect()`: memory:// always, the network stores in `stores` by scheme. */
export function connectWithStores(stores: Runtime["stores"]): (url: string, options?: ConnectOptions) => Promise<KafkaMetastore> {
  const runtime: Runtime = {
    clock: systemClock,
    memoryStores: new Map(),
    stores,
    onHandlerError: logHandlerError,
  };
  return (url, options) => connectWith(runtime, url, options);
}
