// The memory store as a conformance target: one store per namespace, under a chroot as real servers use.
import { createMemoryStore, type KafkaMetastore, type ConnectOptions, type MemoryStore, type MetastoreOptions } from "../../core/mod.ts";
import type { Clock } from "../../core/clock.ts";
import type { ConformanceTarget, Namespace } from "./target.ts";

type Connect = (url: string, options?: ConnectOptions) => Promise<KafkaMetastore>;

/** The memory store through a runtime's `connect()` and real clock. */
export function memoryTarget(connect: Connect, clock: Clock): ConformanceTarget {
  return {
    name: "memory",
    async namespace() {
      const store: MemoryStore = createMemoryStore({ clock });
      const setup = await connect("memory://", { store });
      await setup.handleRequest({ type: "create", path: "/ns", data: null, acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }], mode: 0 });
      await setup.close();
      return memoryNamespace(store, (chroot, options) => connect(`memory://${chroot}`, { ...options, store }), "/ns");
    },
  };
}

/**
 * A namespace on `store` under `root`, whose clients `open` makes at a chroot; the levers act on the
 * store itself, and dispose() closes those clients, then the store.
 */
export function memoryNamespace(
  store: MemoryStore,
  open: (chroot: string, options?: MetastoreOptions) => Promise<KafkaMetastore>,
  root: string,
): Namespace {
  const clients: KafkaMetastore[] = [];
  const opened = async (chroot: string, options?: MetastoreOptions) => {
    const client = await open(chroot, options);
    clients.push(client);
    return client;
  };
  return {
    open: (options) => opened(root, options),
    openAt: (chroot, options) => opened(root === "/" ? chroot : root + chroot, options),
    openRoot: (options) => opened("/", options),
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
}
