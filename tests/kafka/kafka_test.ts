// The Kafka operations and the simulator on the memory store with a FakeClock (createMemoryStore +
// createMetastore, no runtime): the clock is advanced by the test, so ctimes and re-initialisation
// timers move only when told. runtimes/node/kafka_test.ts runs the same suite on memory, zk and etcd.
import { after } from "node:test";
import { createMemoryStore, createMetastore } from "../../core/mod.ts";
import { FakeClock } from "../../core/testing/mod.ts";
import { memoryNamespace } from "../conformance/memory_target.ts";
import type { ConformanceTarget } from "../conformance/target.ts";
import { kafkaSuite } from "./kafka_suite.ts";

const clock = new FakeClock();
// Timers the client arms (session re-initialisation) fire as the fake time moves: 10 ms per real ms.
const ticking = setInterval(() => clock.advance(10), 1);
after(() => clearInterval(ticking));

const fakeClockMemory: ConformanceTarget = {
  name: "memory (FakeClock)",
  namespace() {
    const store = createMemoryStore({ clock });
    return Promise.resolve(memoryNamespace(store, async (chroot, options) => {
      const client = createMetastore({ store, clock, chroot }, options);
      await client.waitUntilConnected(10000);
      return client;
    }, "/"));
  },
};

kafkaSuite(fakeClockMemory, clock, (ms) => {
  clock.advance(ms);
  return Promise.resolve();
});
