// `kmeta serve`: a ZooKeeper-protocol server over the store a URL names, written once for every
// runtime; the runtime brings its listener, its random bytes, its signals and its standard error.
import type { ServerStore } from "../../core/store.ts";
import type { Dial, Listen, Listener } from "../../core/transport.ts";
import { OPEN_ACL_UNSAFE } from "../../core/api/acl.ts";
import { createZooKeeperStore } from "../../core/zk/zk_store.ts";
import type { OracleStore } from "../../core/server/oracle.ts";
import { createMemoryStore } from "../../core/memory/memory_store.ts";
import { parseConnectString } from "../../core/connect_string.ts";
import { createZooKeeperServer, type ZooKeeperServer } from "../../core/server/server.ts";
import { renderMetrics } from "../../core/server/metrics.ts";
import { systemClock } from "./system_clock.ts";
import { serveHttpText } from "./http_text.ts";
import { UsageError } from "./usage_error.ts";
import { openEtcdServerStore } from "./serve_etcd.ts";
import { openZooKeeperServerStore } from "./serve_zk.ts";
import type { GrpcEtcdApiFactory } from "./etcd/grpc_api.ts";

export { UsageError };

/** What a runtime gives `kmeta serve`. */
export interface ServeHost {
  listen: Listen;
  /** Reaches the reference ZooKeeper of --oracle. */
  dial: Dial;
  randomBytes(n: number): Uint8Array;
  /** Calls `fn` once on SIGINT or SIGTERM. */
  onStop(fn: () => void): void;
  readFile(path: string): Promise<string>;
  /** One line to standard error. */
  log(line: string): void;
  runtime: string;
  /** The runtime's gRPC etcd client for --store etcd://, when it needs its quirks set (Deno's). */
  etcdGrpc?: GrpcEtcdApiFactory;
}

/** Flags of `kmeta serve`, parsed. */
export interface ServeFlags {
  listen: { host: string; port: number };
  store: string;
  secureListen?: { host: string; port: number };
  cert?: string;
  key?: string;
  ca?: string;
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  maxFrameBytes?: number;
  maxUnreadBytes?: number;
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  superDigest?: string;
  metrics?: { host: string; port: number };
  oracle?: string;
  /** Key prefix of the ZooKeeper tree in etcd (the etcd store's default when absent). */
  etcdPrefix?: string;
  extendedTypes: boolean;
}

export const SERVE_USAGE = `Usage: kmeta serve [flags]

Serves ZooKeeper's client protocol (3.8) over a store, so ZooKeeper clients (Kafka brokers,
zkCli.sh, kazoo, Curator) run on it.

Flags:
  --listen HOST:PORT           where clients connect (default 127.0.0.1:2181)
  --store URL                  memory:// (the default: in this process, gone when it stops),
                               etcd://HOST:PORT[,HOST:PORT...] (etcds:// for TLS): several servers over
                               one etcd and prefix act as one ensemble, or
                               zk://HOST:PORT[,HOST:PORT...]: each session passed on to that ZooKeeper
                               ensemble, which judges every request (ip ACLs see this server's address)
  --etcd-prefix PREFIX         etcd key prefix of the tree (default kmeta/)
  --secure-listen HOST:PORT    also serve TLS there (needs --cert and --key; --ca asks for client certificates)
  --cert FILE --key FILE --ca FILE
  --max-connections N          connections at once (default no limit)
  --max-connections-per-address N   as ZooKeeper's maxClientCnxns (default 60, 0 = no limit)
  --max-frame-bytes N          largest request (jute.maxbuffer, default 1048575)
  --max-unread-bytes N         replies a client leaves unread before it loses its connection (default 64 MiB)
  --min-session-timeout MS     default 4000
  --max-session-timeout MS     default 40000
  --super-digest super:HASH    a client authenticating as that digest may do anything
  --extended-types             accept TTL nodes (zookeeper.extendedTypesEnabled)
  --metrics HOST:PORT          Prometheus metrics at http://HOST:PORT/metrics
  --oracle zk://HOST:PORT      cross-check: every request also goes to this real ZooKeeper (under a
                               fresh /kmeta-oracle-* node); differences are logged and counted in mntr`;


function hostPortFlag(flag: string, value: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new UsageError(`${flag} wants HOST:PORT, got "${value}"`);
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

function intFlag(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} wants an integer >= ${min}, got "${value}"`);
  return n;
}

const VALUE_FLAGS = [
  "--listen", "--secure-listen", "--metrics", "--store", "--cert", "--key", "--ca", "--max-connections",
  "--max-connections-per-address", "--max-frame-bytes", "--max-unread-bytes", "--min-session-timeout", "--max-session-timeout", "--super-digest",
  "--oracle", "--etcd-prefix",
];

/** Parses serve's arguments. @throws {UsageError} for an unknown flag or a bad value. */
export function parseServeFlags(args: readonly string[]): ServeFlags {
  const flags: ServeFlags = { listen: { host: "127.0.0.1", port: 2181 }, store: "memory://", extendedTypes: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (name === "--extended-types") {
      flags.extendedTypes = true;
      continue;
    }
    if (!name.startsWith("--")) throw new UsageError(`unexpected argument "${arg}"`);
    if (!VALUE_FLAGS.includes(name)) throw new UsageError(`unknown flag "${name}" (see kmeta serve --help)`);
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`${name} needs a value`);
    switch (name) {
      case "--listen":
        flags.listen = hostPortFlag(name, value);
        break;
      case "--secure-listen":
        flags.secureListen = hostPortFlag(name, value);
        break;
      case "--metrics":
        flags.metrics = hostPortFlag(name, value);
        break;
      case "--store":
        flags.store = value;
        break;
      case "--oracle":
        flags.oracle = value;
        break;
      case "--etcd-prefix":
        if (value === "") throw new UsageError("--etcd-prefix needs a non-empty prefix");
        flags.etcdPrefix = value;
        break;
      case "--cert":
        flags.cert = value;
        break;
      case "--key":
        flags.key = value;
        break;
      case "--ca":
        flags.ca = value;
        break;
      case "--max-connections":
        flags.maxConnections = intFlag(name, value, 0);
        break;
      case "--max-connections-per-address":
        flags.maxConnectionsPerAddress = intFlag(name, value, 0);
        break;
      case "--max-frame-bytes":
        flags.maxFrameBytes = intFlag(name, value, 1024);
        break;
      case "--max-unread-bytes":
        flags.maxUnreadBytes = intFlag(name, value, 1024);
        break;
      case "--min-session-timeout":
        flags.minSessionTimeoutMs = intFlag(name, value, 1);
        break;
      case "--max-session-timeout":
        flags.maxSessionTimeoutMs = intFlag(name, value, 1);
        break;
      case "--super-digest":
        if (!/^[^:]+:[A-Za-z0-9+/=]+$/.test(value)) throw new UsageError(`--super-digest wants user:base64hash, got "${value}"`);
        flags.superDigest = value;
        break;
    }
  }
  if (flags.secureListen && (!flags.cert || !flags.key)) throw new UsageError("--secure-listen needs --cert and --key");
  const min = flags.minSessionTimeoutMs ?? 4000, max = flags.maxSessionTimeoutMs ?? 40000;
  if (min > max) throw new UsageError(`--min-session-timeout ${min} is above --max-session-timeout ${max}`);
  return flags;
}

/** A running `kmeta serve`. */
export interface RunningServe {
  server: ZooKeeperServer;
  listeners: Listener[];
  /** What each listener serves: "clients", "TLS clients", "metrics". */
  labels: string[];
  /** Stops accepting, flushes replies, leaves sessions to the store. */
  stop(): Promise<void>;
}

/** Opens the store, starts the server and its listeners. @throws {UsageError} for what the user must fix. */
export async function startServe(host: ServeHost, flags: ServeFlags, stores: ServerStoreFactory): Promise<RunningServe> {
  const oracle = flags.oracle ? await openOracle(host, flags.oracle) : undefined;
  const store = await stores(flags);
  const server = createZooKeeperServer({
    oracle,
    store,
    clock: systemClock,
    secret: host.randomBytes(32),
    maxFrameBytes: flags.maxFrameBytes,
    maxOutputBytes: flags.maxUnreadBytes,
    minSessionTimeoutMs: flags.minSessionTimeoutMs,
    maxSessionTimeoutMs: flags.maxSessionTimeoutMs,
    superDigest: flags.superDigest,
    maxConnections: flags.maxConnections,
    maxConnectionsPerAddress: flags.maxConnectionsPerAddress,
    describe: {
      config: { clientPortAddress: flags.listen.host, clientPort: flags.listen.port, store: redact(flags.store) },
      environment: { "kmeta.runtime": host.runtime, "kmeta.store": redact(flags.store) },
    },
    log: (level, message) => host.log(`kmeta serve: ${level}: ${message}`),
  });
  const listeners: Listener[] = [];
  const labels: string[] = [];
  const bind = async (what: string, where: { host: string; port: number }, start: () => Promise<Listener>) => {
    try {
      listeners.push(await start());
      labels.push(what);
    } catch (e) {
      await Promise.all(listeners.map((l) => l.close()));
      throw new UsageError(`cannot listen on ${where.host}:${where.port} for ${what}: ${(e as Error).message}`);
    }
  };
  await bind("clients", flags.listen, () => host.listen(flags.listen, (c) => server.accept(c)));
  if (flags.secureListen) {
    const tls = {
      cert: await readFlagFile(host, "--cert", flags.cert!),
      key: await readFlagFile(host, "--key", flags.key!),
      ca: flags.ca ? await readFlagFile(host, "--ca", flags.ca) : undefined,
    };
    await bind("TLS clients", flags.secureListen, () => host.listen({ ...flags.secureListen!, tls }, (c) => server.accept(c)));
  }
  if (flags.metrics) {
    await bind("metrics", flags.metrics, () => host.listen(flags.metrics!, (c) => serveHttpText(c, "/metrics", () => renderMetrics(server))));
  }
  const stop = async () => {
    // A listener's close waits for its accepted connections, which the server closes after flushing.
    const closing = listeners.map((l) => l.close());
    await server.close();
    await Promise.all(closing);
    await store.close?.();
    await oracle?.store.close?.();
  };
  return { server, listeners, labels, stop };
}

/** Opens the store a `--store` URL names, ready for a server. */
export type ServerStoreFactory = (flags: ServeFlags) => Promise<ServerStore>;

/** memory://, etcd:// (through node:http2's gRPC, which every runtime here has) and zk:// over the host's dial. */
export function serverStores(host: Pick<ServeHost, "dial" | "etcdGrpc">): ServerStoreFactory {
  return (flags) => {
    let target;
    try {
      target = parseConnectString(flags.store);
    } catch (e) {
      throw new UsageError(`--store: ${(e as Error).message}`);
    }
    if (target.scheme === "memory") {
      return Promise.resolve(createMemoryStore({
        clock: systemClock,
        extendedTypesEnabled: flags.extendedTypes,
        minSessionTimeoutMs: flags.minSessionTimeoutMs,
        maxSessionTimeoutMs: flags.maxSessionTimeoutMs,
      }));
    }
    if (target.scheme === "zk") return openZooKeeperServerStore(flags.store, target, flags, host.dial);
    return openEtcdServerStore(flags.store, target, flags, host.etcdGrpc);
  };
}

/** The reference ZooKeeper of --oracle, with a fresh node for this run to work under. */
async function openOracle(host: ServeHost, url: string): Promise<{ store: OracleStore & { close(): Promise<void> }; root: string }> {
  let target;
  try {
    target = parseConnectString(url);
  } catch (e) {
    throw new UsageError(`--oracle: ${(e as Error).message}`);
  }
  if (target.scheme !== "zk") throw new UsageError(`--oracle wants a zk:// URL, got "${url}"`);
  const store = createZooKeeperStore({ hosts: target.hosts, dial: host.dial, clock: systemClock, random: Math.random });
  const suffix = [...host.randomBytes(4)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const root = `${target.chroot === "/" ? "" : target.chroot}/kmeta-oracle-${suffix}`;
  const created = await new Promise<number>((resolve) => {
    const timer = systemClock.setTimer(10000, () => resolve(-7)); // OperationTimeout
    const session = store.openSession({
      onWatch: () => {},
      onSessionEvent: (event) => {
        timer.cancel();
        if (event !== "connected") return resolve(-4);
        void session.submit({ type: "create", path: root, data: null, acl: OPEN_ACL_UNSAFE, mode: 0 }, false)
          .then((r) => session.close().then(() => resolve(r.resultCode)));
      },
    }, { sessionTimeoutMs: 10000 });
  });
  if (created !== 0) {
    await store.close();
    throw new UsageError(`--oracle ${url}: cannot create ${root} there (code ${created})`);
  }
  return { store, root };
}

async function readFlagFile(host: ServeHost, flag: string, path: string): Promise<string> {
  try {
    return await host.readFile(path);
  } catch (e) {
    throw new UsageError(`${flag} ${path}: ${(e as Error).message}`);
  }
}

/** A URL as logs may show it: without a password. */
function redact(url: string): string {
  return url.replace(/\/\/[^/@]*@/, "//***@");
}

/** Runs `kmeta serve ARGS` until SIGINT/SIGTERM; returns the exit code. */
export async function runServe(host: ServeHost, args: readonly string[], stores: ServerStoreFactory): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    host.log(SERVE_USAGE);
    return 0;
  }
  let running: RunningServe;
  let flags: ServeFlags;
  try {
    flags = parseServeFlags(args);
    running = await startServe(host, flags, stores);
  } catch (e) {
    host.log(`kmeta serve: ${(e as Error).message}`);
    return 2;
  }
  running.listeners.forEach((l, i) => {
    const what = running.labels[i];
    host.log(what === "clients" ? `kmeta serve: listening on ${l.host}:${l.port} (store ${redact(flags.store)})` : `kmeta serve: ${what} on ${l.host}:${l.port}`);
  });
  await new Promise<void>((resolve) => host.onStop(resolve));
  host.log("kmeta serve: stopping (sessions stay with the store)");
  await running.stop();
  return 0;
}
