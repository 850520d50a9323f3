// The one entry point behind every runtime's `connect(url)`: the scheme picks the store.
import type { Clock } from "./clock.ts";
import type { KafkaMetastore, MetastoreOptions } from "./api/metastore.ts";
import { createMetastore, DEFAULT_SESSION_TIMEOUT_MS } from "./client/metastore_client.ts";
import { createMemoryStore, type MemoryStore, type MemoryStoreOptions } from "./memory/memory_store.ts";
import { type ConnectString, parseConnectString } from "./connect_string.ts";
import type { Store } from "./store.ts";
import type { ZooKeeperConnectOptions } from "./zk/zk_store.ts";
import type { TlsOptions } from "./transport.ts";
import { ErrorCode, isKeeperError, KeeperError } from "./errors.ts";
import { OPEN_ACL_UNSAFE } from "./api/acl.ts";
import { resultError } from "./api/responses.ts";

/** Options of `connect()`. */
export interface ConnectOptions extends MetastoreOptions {
  /** memory:// only: use this store instead of the runtime's named one. */
  store?: MemoryStore;
  /** memory:// only: options for a named store created by this call. */
  memory?: Omit<MemoryStoreOptions, "clock">;
  /** zk:// only: credentials, TLS and limits the URL cannot carry. */
  zk?: ZooKeeperConnectOptions;
  /** etcd:// and etcds:// only: transport, TLS and credentials the URL cannot carry. */
  etcd?: EtcdConnectOptions;
  /**
   * Receives exceptions thrown (or rejections returned) by registered handlers, with the handler's
   * path or name; they never stop the client. Default: the runtime logs them (console.error).
   */
  onHandlerError?: (error: unknown, handler: string) => void;
  /**
   * Told of every failed connection attempt and every lost connection, for the client's whole life:
   * a KeeperError (ConnectionLoss) whose `host` names the server and `failure` what happened there
   * (refused, unresolved, timeout, closed, protocol, tls, permission, lost). connect() itself
   * rejects with the attempts in its message and `cause` when no session comes in time.
   */
  onConnectionError?: (error: KeeperError) => void;
  /**
   * Create the chroot (and its parents, as persistent nodes with OPEN_ACL_UNSAFE) when it does not
   * exist, as Kafka's `zookeeper.connect` chroot with createChrootIfNecessary. Otherwise a missing
   * chroot makes every request under it answer NoNode.
   */
  createChrootIfNecessary?: boolean;
}

/** How connect() reaches an etcd cluster beyond its endpoints (README "etcd in production"). */
export interface EtcdConnectOptions {
  /**
   * "grpc": etcd's gRPC API over HTTP/2 (the default on Node, Deno and Bun); "gateway": its JSON
   * gateway over `fetch`, HTTP/1.1 (the default, and the only one, in the `./web` entry).
   */
  transport?: "grpc" | "gateway";
  /**
   * Use https for every endpoint (as `etcds://` does): `ca` trusts the cluster's CA (the system's
   * when absent), `cert`/`key` answer etcd's --client-cert-auth. An untrusted server or a refused
   * client certificate fails the session with AuthFailed, not with endless retries. Over the
   * gateway these need a fetch that takes TLS options: Deno's and Bun's do; on Node (and in a
   * browser) they are BadArguments: use the gRPC transport, or pass `fetch`.
   */
  tls?: TlsOptions;
  /** etcd user (etcd `auth enable`); a wrong password fails the session with AuthFailed. */
  username?: string;
  password?: string;
  /** Bound on each etcd call, fail-over included (default 10 000): past it a write reports ConnectionLoss. */
  requestTimeoutMs?: number;
  /**
   * Gateway only: the `fetch` to call instead of the global one, e.g. undici's with a TLS agent
   * on Node. It owns TLS then, so `tls` may not carry ca/cert/key/serverName beside it.
   */
  fetch?: EtcdFetch;
}

/**
 * The part of the web's `fetch()` the etcd gateway transport calls, declared here because core sees
 * no DOM types. A runtime's own `fetch` fits, and so does a wrapper that passes `init` on to one.
 */
export type EtcdFetch = (url: string, init: EtcdFetchInit) => Promise<EtcdFetchResponse>;

/** What the gateway transport passes to `fetch`: always a POST with a JSON text body. */
export interface EtcdFetchInit {
  method: "POST";
  body: string;
  headers: Record<string, string>;
  /**
   * A real AbortSignal. Typed `any` because core cannot name the DOM's AbortSignal, and any
   * narrower type would keep this init from passing as fetch's RequestInit.
   */
  // deno-lint-ignore no-explicit-any
  signal: any;
}

/** What the gateway transport reads from fetch's Response. */
export interface EtcdFetchResponse {
  readonly ok: boolean;
  readonly status: number;
  text(): Promise<string>;
  readonly body: { getReader(): EtcdFetchBodyReader } | null;
}

/** A ReadableStream reader of the response body. */
export interface EtcdFetchBodyReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(): Promise<void>;
}

/** Opens a network store for a parsed connection string; the client owns and closes it. */
export type StoreFactory = (target: ConnectString, options: ConnectOptions) => Store;

/** What a runtime shim provides to `connect()`. */
export interface Runtime {
  clock: Clock;
  /** The runtime's named memory stores: two clients of `memory://name` share one store. */
  memoryStores: Map<string, MemoryStore>;
  /** Network stores this runtime can open, by scheme. */
  stores: Partial<Record<"zk" | "etcd", StoreFactory>>;
  /** Where handler exceptions go when the caller gives no `onHandlerError` (a runtime logs them). */
  onHandlerError?: (error: unknown, handler: string) => void;
}

/**
 * Opens a client on the store the URL names and waits for its first session.
 * @throws {KeeperError} BadArguments for a bad URL, Unimplemented for a store not in this build,
 * OperationTimeout when no session is established within `connectionTimeoutMs` (naming each host
 * tried and what happened there, the attempts' errors in `cause`), at once the ConnectionLoss of
 * an attempt the runtime forbids (`failure` "permission": Deno without --allow-net).
 */
export async function connectWith(runtime: Runtime, url: string, options: ConnectOptions = {}): Promise<KafkaMetastore> {
  const target = parseConnectString(url);
  const onHandlerError = options.onHandlerError ?? runtime.onHandlerError;
  const attempts = new ConnectAttempts(options.onConnectionError, onHandlerError);
  let store: Store;
  if (target.scheme === "memory") {
    const name = target.hosts[0]!.host;
    let memory = options.store ?? runtime.memoryStores.get(name);
    if (!memory) {
      memory = createMemoryStore({ ...options.memory, clock: runtime.clock });
      runtime.memoryStores.set(name, memory);
    }
    store = memory;
  } else {
    const factory = runtime.stores[target.scheme];
    if (!factory) {
      throw new KeeperError(ErrorCode.Unimplemented, `The ${target.scheme}:// store is not available yet in this version`);
    }
    store = factory(target, { ...options, onConnectionError: attempts.report });
  }
  const client = createMetastore(
    {
      store,
      clock: runtime.clock,
      chroot: target.chroot,
      onHandlerError,
      ownsStore: target.scheme !== "memory",
    },
    options,
  );
  const timeoutMs = options.connectionTimeoutMs ?? options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
  try {
    await Promise.race([client.waitUntilConnected(timeoutMs), attempts.fatal]);
    if (options.createChrootIfNecessary && target.chroot !== "/") await createChroot(runtime, store, target.chroot, timeoutMs);
  } catch (e) {
    await client.close();
    throw attempts.explain(e, url, timeoutMs);
  } finally {
    attempts.connected();
  }
  return client;
}

/** Creates `chroot` and its missing parents, through a client of the store without a chroot. */
async function createChroot(runtime: Runtime, store: Store, chroot: string, timeoutMs: number): Promise<void> {
  const root = createMetastore({ store, clock: runtime.clock });
  try {
    await root.waitUntilConnected(timeoutMs);
    const parts = chroot.split("/").slice(1);
    const paths = parts.map((_, i) => "/" + parts.slice(0, i + 1).join("/"));
    const created = await root.handleRequests(paths.map((path) => ({ type: "create", path, data: null, acl: OPEN_ACL_UNSAFE, mode: 0 })));
    const failed = created.find((r) => r.resultCode !== ErrorCode.Ok && r.resultCode !== ErrorCode.NodeExists);
    if (failed) throw resultError(failed);
  } finally {
    await root.close();
  }
}

/** What connect() learns of failed attempts while it waits for the first session. */
class ConnectAttempts {
  readonly #hook: ((error: KeeperError) => void) | undefined;
  readonly #onHookError: ((error: unknown, handler: string) => void) | undefined;
  /** The last failure per host, in the order hosts first failed. */
  readonly #byHost = new Map<string, KeeperError>();
  #waiting = true;
  #failFast!: (error: KeeperError) => void;
  /** Rejects with the first failure retrying cannot mend (the runtime forbids the connection). */
  readonly fatal: Promise<never> = new Promise((_, reject) => (this.#failFast = reject));

  constructor(hook: ((error: KeeperError) => void) | undefined, onHookError?: (error: unknown, handler: string) => void) {
    this.#hook = hook;
    this.#onHookError = onHookError;
    this.fatal.catch(() => {}); // only raced while connecting
  }

  readonly report = (error: KeeperError): void => {
    if (this.#waiting) {
      this.#byHost.set(error.host ?? "", error);
      if (error.failure === "permission") this.#failFast(error);
    }
    // Called from inside the store's connection handling: the caller's exception must not break it.
    try {
      this.#hook?.(error);
    } catch (e) {
      this.#onHookError?.(e, "onConnectionError");
    }
  };

  connected(): void {
    this.#waiting = false;
  }

  /** connect()'s error: a timeout names every host tried and what happened there. */
  explain(e: unknown, url: string, timeoutMs: number): unknown {
    if (!isKeeperError(e, ErrorCode.OperationTimeout)) return e;
    const errors = [...this.#byHost.values()];
    if (errors.length === 0) {
      // The first attempt was still running: a host that accepts and stays silent, or a dropped SYN.
      return new KeeperError(
        ErrorCode.OperationTimeout,
        `No session with ${url} within ${timeoutMs} ms: the first host tried has not answered yet (a server that accepts ` +
          "connections and stays silent, a firewall dropping packets, or a store of another protocol)",
        { cause: e },
      );
    }
    const what = errors.map((a) => a.message.replace(/^\[\w+\] /, "")).join("; ");
    return new KeeperError(ErrorCode.OperationTimeout, `No session with ${url} within ${timeoutMs} ms. ${what}`, {
      cause: new AggregateError(errors, `Connection attempts to ${url}`),
    });
  }
}
