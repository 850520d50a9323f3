// etcd as a conformance target: each namespace is a fresh random key prefix (etcd's chroot), each
// client has its own store and EtcdApi through its own loopback TCP proxy, so one link can be cut.
// - expire: a second EtcdApi revokes the client's lease, as etcd would at the lease's TTL;
// - cut: the proxy resets the client's connections and refuses new ones until restored;
// - failAuth: the client's EtcdApi starts answering as an etcd with auth enabled answers a bad token
//   (gRPC Unauthenticated, "etcdserver: invalid auth token"); the store reports `auth-failed`.
//   (Authenticating against an etcd without auth enabled only fails the Authenticate call itself,
//   so it cannot model a server revoking a session's credentials.)
import { createMetastore, EtcdError, type KafkaMetastore, type MetastoreOptions } from "../../core/mod.ts";
import type { Clock } from "../../core/clock.ts";
import type { EtcdApi, WatchStream } from "../../core/etcd/api.ts";
import { GrpcCode } from "../../core/etcd/api.ts";
import { createEtcdStore } from "../../core/etcd/etcd_store.ts";
import type { ConformanceTarget, Namespace } from "./target.ts";
import { waitFor } from "./helpers.ts";
import { startProxy, type TcpProxy } from "./tcp_proxy.ts";

/** Makes an EtcdApi for an endpoint such as "http://127.0.0.1:2379". */
export type CreateEtcdApi = (endpoint: string) => EtcdApi;

/**
 * An EtcdApi whose calls and watch streams fail as an auth failure from `fail()` until the store
 * grants a new lease: a new session authenticates afresh, as Kafka's re-initialisation does.
 */
function withAuthLever(api: EtcdApi): { api: EtcdApi; fail(): void } {
  let failing = false;
  const aborts = new Set<(e: EtcdError) => void>();
  const refuse = () => new EtcdError(GrpcCode.Unauthenticated, "etcdserver: invalid auth token");
  const guard = <T>(call: () => Promise<T>): Promise<T> => (failing ? Promise.reject(refuse()) : call());
  const watch = (): WatchStream => {
    const inner = api.watch();
    let abort!: (e: EtcdError) => void;
    const aborted = new Promise<never>((_, reject) => (abort = reject));
    aborted.catch(() => {});
    return {
      create: (r) => inner.create(r),
      cancel: (id) => inner.cancel(id),
      close: () => {
        aborts.delete(abort);
        inner.close();
      },
      responses: {
        async *[Symbol.asyncIterator]() {
          aborts.add(abort);
          const it = inner.responses[Symbol.asyncIterator]();
          for (;;) {
            if (failing) throw refuse();
            const next = await Promise.race([it.next(), aborted]);
            if (next.done) return;
            yield next.value;
          }
        },
      },
    };
  };
  const wrapped: EtcdApi = {
    range: (r) => guard(() => api.range(r)),
    txn: (r) => guard(() => api.txn(r)),
    leaseGrant: (ttl, id) => {
      failing = false;
      return api.leaseGrant(ttl, id);
    },
    leaseRevoke: (id) => api.leaseRevoke(id),
    leaseKeepAlive: (id) => guard(() => api.leaseKeepAlive(id)),
    leaseTimeToLive: (id, keys) => guard(() => api.leaseTimeToLive(id, keys)),
    watch,
    close: () => api.close(),
  };
  return {
    api: wrapped,
    fail: () => {
      failing = true;
      for (const abort of aborts) abort(refuse());
    },
  };
}

/**
 * etcd at `hostPort` ("127.0.0.1:2379"). When `hostPort` is undefined (KMETA_ETCD unset) every test
 * fails saying so: a missing server must not look like a pass. `options.name` tells transports
 * apart in test names (default "etcd").
 */
export function etcdTarget(
  createApi: CreateEtcdApi,
  clock: Clock,
  hostPort: string | undefined,
  options: { name?: string } = {},
): ConformanceTarget {
  return {
    name: options.name ?? "etcd",
    // deno-lint-ignore require-await -- async so that a missing server rejects rather than throws
    async namespace(): Promise<Namespace> {
      if (!hostPort) {
        throw new Error("KMETA_ETCD is not set: give the host:port of an etcd 3.4+ (scripts/servers/start-etcd.sh starts one)");
      }
      const [host, port] = splitHostPort(hostPort);
      const prefix = `kmeta-test/${Math.random().toString(36).slice(2, 10)}/`;
      const admin = createApi(`http://${hostPort}`);
      const clients = new Map<KafkaMetastore, { proxy: TcpProxy; failAuth(): void }>();
      const entry = (client: KafkaMetastore) => {
        const e = clients.get(client);
        if (!e) throw new Error("Not a client of this namespace");
        return e;
      };
      const openUnder = async (chroot: string, options?: MetastoreOptions) => {
          const proxy = await startProxy(host, port);
          const lever = withAuthLever(createApi(`http://127.0.0.1:${proxy.port}`));
          const store = createEtcdStore({ api: lever.api, clock, prefix });
          const client = createMetastore({ store, clock, ownsStore: true, chroot }, options);
          try {
            await client.waitUntilConnected(options?.connectionTimeoutMs ?? 10000);
          } catch (e) {
            await client.close();
            await proxy.close();
            throw e;
          }
          clients.set(client, { proxy, failAuth: lever.fail });
          return client;
      };
      return {
        open: (options) => openUnder("/", options),
        openAt: (chroot, options) => openUnder(chroot, options),
        // The namespace is a whole prefix: its root is the store's.
        openRoot: (options) => openUnder("/", options),
        async expire(client) {
          const session = client.sessionId;
          await admin.leaseRevoke(session);
          // As with the memory store, return once the client has been told (its store sees the session key go).
          await waitFor(() => client.sessionId !== session || client.connectionState !== "CONNECTED", 15000, "the client to see its session expire");
        },
        cut(client) {
          const { proxy } = entry(client);
          proxy.cut();
          return Promise.resolve(() => proxy.restore());
        },
        failAuth(client) {
          entry(client).failAuth();
          return Promise.resolve();
        },
        async dispose() {
          for (const [client, { proxy }] of clients) {
            await client.close();
            await proxy.close();
          }
          // The namespace's keys go with it (sessions' leases are already revoked by close).
          const end = new TextEncoder().encode(prefix);
          end[end.length - 1]!++;
          await admin.txn({ compare: [], success: [{ deleteRange: { key: new TextEncoder().encode(prefix), rangeEnd: end } }], failure: [] });
          await admin.close();
        },
      };
    },
  };
}

function splitHostPort(hostPort: string): [string, number] {
  const i = hostPort.lastIndexOf(":");
  return [hostPort.slice(0, i).replace(/^\[|\]$/g, ""), Number(hostPort.slice(i + 1))];
}
