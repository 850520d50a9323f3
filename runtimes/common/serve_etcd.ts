// --store etcd://: the etcd store over etcd's gRPC API (node:http2, which Node, Deno and Bun all
// have), checked reachable before the server listens, so a wrong URL is one line, not a server that
// answers every client with ConnectionLoss.
import type { ServerStore } from "../../core/store.ts";
import type { ConnectString } from "../../core/connect_string.ts";
import { createEtcdStore } from "../../core/etcd/etcd_store.ts";
import { systemClock } from "./system_clock.ts";
import { hostPort } from "./channel_util.ts";
import { createGrpcEtcdApi } from "./etcd/lazy_grpc.ts";
import type { GrpcEtcdApiFactory } from "./etcd/grpc_api.ts";
import { etcdConnectError } from "./etcd/connect_errors.ts";
import type { ServeFlags } from "./serve.ts";
import { UsageError } from "./usage_error.ts";

/** How long start-up waits for etcd before giving up. */
const REACH_MS = 10000;

export async function openEtcdServerStore(
  url: string,
  target: ConnectString,
  flags: ServeFlags,
  grpc: GrpcEtcdApiFactory = createGrpcEtcdApi,
): Promise<ServerStore> {
  if (target.chroot !== "/") {
    throw new UsageError(`--store ${url}: a chroot is not served (clients choose theirs in their connect string); use --etcd-prefix`);
  }
  const endpoints = target.hosts.map((h) => `${target.tls ? "https" : "http"}://${hostPort(h.host, h.port)}`);
  const api = grpc({ endpoints, requestTimeoutMs: REACH_MS, ...(target.tls ? { tls: {} } : {}) });
  const store = createEtcdStore({
    api,
    clock: systemClock,
    prefix: flags.etcdPrefix,
    random: Math.random,
    minSessionTimeoutMs: flags.minSessionTimeoutMs,
    maxSessionTimeoutMs: flags.maxSessionTimeoutMs,
  });
  try {
    await store.currentZxid();
  } catch (e) {
    await store.close?.();
    const reason = etcdConnectError(e, endpoints)?.message ?? (e as Error).message;
    throw new UsageError(`--store ${url}: ${reason}`);
  }
  return store;
}
