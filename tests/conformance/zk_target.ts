// A real ZooKeeper as a conformance target: each namespace is a fresh chroot on the server, each
// client goes through its own TCP proxy (so one link can be cut), and expiry uses Kafka's technique.
import {
  connectWith,
  type ConnectOptions,
  type KafkaMetastore,
  OPEN_ACL_UNSAFE,
  zooKeeperStores,
  type ZooKeeperStore,
} from "../../core/mod.ts";
import type { Clock } from "../../core/clock.ts";
import type { Dial } from "../../core/transport.ts";
import type { ConformanceTarget, Namespace } from "./target.ts";
import { waitFor } from "./helpers.ts";
import { startProxy, type TcpProxy } from "./tcp_proxy.ts";

/** What a runtime provides: its clock and its Dial. */
export interface ZkTargetDeps {
  clock: Clock;
  dial: Dial;
}

const ROOT = "/kmeta-test";

/**
 * ZooKeeper at `hostPort` ("127.0.0.1:2181"), reached through the runtime's Dial. When `hostPort` is
 * undefined (KMETA_ZK unset) every test fails saying so: a missing server must not look like a pass.
 */
export function zkTarget(deps: ZkTargetDeps, hostPort: string | undefined, name = "zk"): ConformanceTarget {
  // The same store factory the runtime's connect() uses, wrapped to see which store each client got.
  const factory = zooKeeperStores({ dial: deps.dial, clock: deps.clock, random: Math.random });
  let lastStore: ZooKeeperStore | undefined;
  const runtime = {
    clock: deps.clock,
    memoryStores: new Map(),
    stores: { zk: (...args: Parameters<typeof factory>) => (lastStore = factory(...args)) },
  };
  const open = async (url: string, options?: ConnectOptions): Promise<{ client: KafkaMetastore; store: ZooKeeperStore }> => {
    const opening = connectWith(runtime, url, options);
    // connectWith creates the store before its first await.
    const store = lastStore!;
    return { client: await opening, store };
  };

  return {
    name,
    async namespace(): Promise<Namespace> {
      if (!hostPort) {
        throw new Error("KMETA_ZK is not set: give the host:port of a ZooKeeper 3.8 (scripts/servers/start-zk.sh starts one)");
      }
      const [host, port] = splitHostPort(hostPort);
      const { client: admin } = await open(`zk://${hostPort}`);
      const path = `${ROOT}/${Math.random().toString(36).slice(2, 10)}`;
      for (const p of [ROOT, path]) {
        const r = await admin.handleRequest({ type: "create", path: p, data: null, acl: OPEN_ACL_UNSAFE, mode: 0 });
        if (r.resultCode !== 0 && !(p === ROOT && r.resultCode === -110)) throw new Error(`Cannot create namespace "${p}": code ${r.resultCode}`);
      }
      const clients = new Map<KafkaMetastore, { store: ZooKeeperStore; proxy: TcpProxy }>();
      const sessionOf = (client: KafkaMetastore) => {
        const session = clients.get(client)?.store.session(client.sessionId);
        if (!session?.credentials) throw new Error(`No live ZooKeeper session ${client.sessionId} for this client`);
        return session;
      };

      const openUnder = async (chroot: string, options?: ConnectOptions) => {
        const proxy = await startProxy(host, port);
        try {
          const { client, store } = await open(`zk://127.0.0.1:${proxy.port}${chroot}`, options);
          clients.set(client, { store, proxy });
          return client;
        } catch (e) {
          await proxy.close();
          throw e;
        }
      };
      return {
        open: (options) => openUnder(path, options),
        openAt: (chroot, options) => openUnder(path + chroot, options),
        openRoot: (options) => openUnder("", options),
        // Kafka's technique: a second connection resumes the session (the server drops the first
        // connection) and closes it, so the client learns of the expiry when it reconnects.
        async expire(client) {
          const credentials = sessionOf(client).credentials!;
          const owner = clients.get(client)!.store;
          const store = factory({ scheme: "zk", hosts: [{ host, port }], chroot: "/" }, {});
          try {
            await new Promise<void>((resolve, reject) => {
              store.openSession(
                {
                  onWatch() {},
                  onSessionEvent: (event) => (event === "connected" ? resolve() : reject(new Error(`Resuming the session to expire it: ${event}`))),
                },
                { sessionTimeoutMs: 6000, resume: credentials },
              );
            });
          } finally {
            await store.close();
          }
          // As with the memory store, return once the client has been told (it learns it on reconnecting).
          await waitFor(() => owner.session(credentials.sessionId) === undefined, 15000, "the client to see its session expire");
        },
        cut(client) {
          const proxy = clients.get(client)!.proxy;
          proxy.cut();
          return Promise.resolve(() => proxy.restore());
        },
        // An auth packet with a scheme the server has no provider for is answered AUTHFAILED.
        failAuth(client) {
          sessionOf(client).addAuth({ scheme: "kmeta-no-such-scheme", auth: "x" });
          return Promise.resolve();
        },
        async dispose() {
          for (const [client, { proxy }] of clients) {
            await client.close();
            await proxy.close();
          }
          await deleteTree(admin, path);
          await admin.close();
        },
      };
    },
  };
}

async function deleteTree(client: KafkaMetastore, path: string): Promise<void> {
  const r = await client.handleRequest({ type: "getChildren", path, registerWatch: false });
  for (const child of r.children) await deleteTree(client, `${path}/${child}`);
  await client.handleRequest({ type: "delete", path, version: -1 });
}

function splitHostPort(hostPort: string): [string, number] {
  const i = hostPort.lastIndexOf(":");
  return [hostPort.slice(0, i).replace(/^\[|\]$/g, ""), Number(hostPort.slice(i + 1))];
}
