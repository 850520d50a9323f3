// What the three runtime entries share until a runtime needs something of its own.
import type { KafkaMetastore } from "../../core/api/metastore.ts";
import { type ConnectOptions, connectWith, type Runtime } from "../../core/connect.ts";
import { systemClock } from "./system_clock.ts";

/** A runtime's `connect()` over the network stores it can open; the store is chosen by the URL's scheme. */
export function createConnect(stores: Runtime["stores"] = {}): (url: string, options?: ConnectOptions) => Promise<KafkaMetastore> {
  const runtime: Runtime = { clock: systemClock, memoryStores: new Map(), stores };
  return (url, options) => connectWith(runtime, url, options);
}
