// The memory store as a conformance target: one store per namespace, under a chroot as real servers use.
import { createMemoryStore, type KafkaMetastore, type ConnectOptions, type MemoryStore } from "../../core/mod.ts";
import type { Clock } from "../../core/clock.ts";
import type { ConformanceTarget } from "./target.ts";

type Connect = (url: string, options?: ConnectOptions) => Promise<KafkaMetastore>;

/** The memory store through a runtime's `connect()` and real clock. */
export function memoryTarget(connect: Connect, clock: Clock): ConformanceTarget {
  return {
    name: "memory",
    async namespace() {
      const store: MemoryStore = createMemoryStore({ clock, macrotask: (fn) => void setTimeout(fn, 0) });
      const setup = await connect("memory://", { store });
      await setup.handleRequest({ type: "create", path: "/ns", data: null, acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }], mode: 0 });
      await setup.close();
      const clients: KafkaMetastore[] = [];
      return {
        async open(options) {
          const client = await connect("memory:///ns", { ...options, store });
          clients.push(client);
          return client;
        },
        async openAt(chroot, options) {
          const client = await connect(`memory:///ns${chroot}`, { ...options, store });
          clients.push(client);
          return client;
        },
        async openRoot(options) {
          const client = await connect("memory://", { ...options, store });
          clients.push(client);
          return client;
        },
        expire(client) {
          store.expireSession(client.sessionId);
          return Promise.resolve();
        },
        cut(client) {
          const id = client.sessionId;
          store.partition(id);
          return Promise.resolve(() => Promise.resolve(store.heal(id)));
        },
        failAuth(client) {
          store.failAuth(client.sessionId);
          return Promise.resolve();
        },
        async dispose() {
          for (const c of clients) await c.close();
          await store.close();
        },
      };
    },
  };
}
