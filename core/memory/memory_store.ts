// The embedded store: ZooKeeper 3.8's data tree and session semantics in process, on an injected clock.
// It is the reference model the conformance suite holds every other backend to.
import type { Clock, Timer } from "../clock.ts";
import type { Request, ZkOp } from "../api/requests.ts";
import {
  isServerRequest,
  type ServerRequest,
  type ServerSession,
  type ServerSessionOptions,
  type ServerStore,
  type SessionListener,
  type SessionOptions,
  type StoreReply,
  type StoreRequest,
  type StoreSummary,
} from "../store.ts";
import { type Credentials, type Id, Perms } from "../api/acl.ts";
import { requireDigest } from "../tree/credentials.ts";
import { EventType, type WatchEvent } from "../api/events.ts";
import { CONTAINER_EPHEMERAL_OWNER, isTtl, MAX_TTL_MS } from "../api/create_mode.ts";
import { ErrorCode } from "../errors.ts";
import { DataTree, type Txn, TxnFailure } from "../tree/data_tree.ts";
import { statOf, type ZNode } from "../tree/node.ts";
import { WatchTable } from "../tree/watch_table.ts";
import { judgeSetWatches, removeWatches } from "../tree/server_watches.ts";
import { permitted, readPermission } from "../tree/acl_rules.ts";
import { readReply } from "../tree/read_reply.ts";
import { MacrotaskGuard } from "./macrotask_guard.ts";

export interface MemoryStoreOptions {
  clock: Clock;
  /** Accept TTL nodes, like a server with zookeeper.extendedTypesEnabled=true (default false, as ZooKeeper). */
  extendedTypesEnabled?: boolean;
  /** How often empty containers and expired TTL nodes are removed (ZooKeeper's default 60000). */
  containerCheckIntervalMs?: number;
  /** Bounds a session timeout is clamped to (ZooKeeper's defaults with tickTime 2000: 4000 and 40000). */
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
}

/** A znode in a `dump()`: what a client could read of it. */
export interface DumpedNode {
  path: string;
  data: Uint8Array | null;
  stat: ReturnType<typeof statOf>;
}

/** The memory store, with the levers tests need to model servers and networks. */
export interface MemoryStore extends ServerStore {
  /** A library client's session (no password) lives until closed; a server's expires untouched. */
  openSession(listener: SessionListener, options: SessionOptions | ServerSessionOptions): ServerSession;
  /** The last zxid used. */
  readonly lastZxid: bigint;
  /** Expires a session as the server would: its ephemerals go, its client learns `expired`. */
  expireSession(sessionId: bigint): void;
  /** Cuts a session's link: requests fail with ConnectionLoss; it expires after its timeout. */
  partition(sessionId: bigint): void;
  /** Restores a link: the client learns `connected` (with missed events) or `expired`. */
  heal(sessionId: bigint): void;
  /** Refuses the session's credentials: its client learns `auth-failed`; the session expires after its timeout. */
  failAuth(sessionId: bigint): void;
  /** Cancels the store's timers. */
  close(): Promise<void>;
  /** Every node, depth-first in path order, excluding /zookeeper. */
  dump(): DumpedNode[];
}

type SessionState = "open" | "partitioned" | "auth-failed" | "expired" | "closed";

/** Creates an empty store holding only ZooKeeper's built-in /zookeeper nodes. */
export function createMemoryStore(options: MemoryStoreOptions): MemoryStore {
  return new MemoryStoreImpl(options);
}

class MemoryStoreImpl implements MemoryStore {
  readonly #clock: Clock;
  readonly #options: MemoryStoreOptions;
  // Nothing here keeps a committed node beyond the tree, and every transaction is committed or aborted.
  readonly #tree = new DataTree({ childrenInPlace: true });
  readonly #watches = new WatchTable();
  /** Each session's ephemeral paths, in creation order (ZooKeeper's DataTree keeps the same index). */
  readonly #ephemerals = new Map<bigint, Set<string>>();
  readonly #ephemeralOwners = new Map<string, bigint>();
  readonly #sessions = new Map<bigint, MemorySession>();
  /** Sessions that expired while partitioned: they learn it when the link returns. */
  readonly #expired = new Map<bigint, MemorySession>();
  #zxid = 0n;
  #nextSessionId: bigint;
  #sweepTimer: Timer | undefined;
  readonly guard: MacrotaskGuard;

  constructor(options: MemoryStoreOptions) {
    this.#clock = options.clock;
    this.#options = options;
    this.guard = new MacrotaskGuard(options.clock);
    // As ZooKeeper: a time-derived base in the low 56 bits (server id 0 in the top byte).
    this.#nextSessionId = BigInt.asUintN(56, BigInt(Math.floor(options.clock.wallMs())) << 24n) + 1n;
  }

  get lastZxid(): bigint {
    return this.#zxid;
  }

  summary(): StoreSummary {
    let ephemerals = 0;
    let dataBytes = 0;
    for (const [path, node] of this.#tree.nodes) {
      if (node.ephemeralOwner > 0n) ephemerals++;
      dataBytes += path.length + (node.data?.length ?? 0);
    }
    return { nodes: this.#tree.nodes.size, ephemerals, dataBytes, watches: this.#watches.counts() };
  }

  currentZxid(): Promise<bigint> {
    return Promise.resolve(this.#zxid);
  }

  openSession(listener: SessionListener, options: SessionOptions | ServerSessionOptions): ServerSession {
    const min = this.#options.minSessionTimeoutMs ?? 4000;
    const max = this.#options.maxSessionTimeoutMs ?? 40000;
    const timeoutMs = Math.min(max, Math.max(min, options.sessionTimeoutMs));
    const id = this.#nextSessionId++;
    this.#zxid++; // createSession is a transaction of its own
    const session = new MemorySession(this, id, listener, timeoutMs);
    this.#sessions.set(id, session);
    if ("password" in options) {
      // A server's session: it expires unless a server touches it, as ZooKeeper's SessionTracker does.
      session.password = options.password.slice();
      this.#watchLiveness(session, timeoutMs);
    }
    // Connected asynchronously, as a network client would be.
    Promise.resolve().then(() => session.state === "open" && listener.onSessionEvent("connected"));
    return session;
  }

  resumeSession(sessionId: bigint, password: Uint8Array, listener: SessionListener): Promise<ServerSession | undefined> {
    const s = this.#sessions.get(sessionId);
    const same = s?.password !== undefined && s.password.length === password.length && s.password.every((b, i) => b === password[i]);
    if (!s || s.state !== "open" || !same) return Promise.resolve(undefined);
    const previous = s.listener;
    s.listener = listener;
    s.touch();
    s.dropWatches();
    previous.onSessionEvent("moved");
    return Promise.resolve(s);
  }

  #watchLiveness(session: MemorySession, ms: number): void {
    session.expiryTimer = this.#clock.setTimer(ms, () => {
      if (session.state !== "open") return;
      const left = session.lastTouchedAt + session.timeoutMs - this.#clock.now();
      if (left > 0) this.#watchLiveness(session, left);
      else this.expireSession(session.id);
    });
  }

  /** The clock's now, for session liveness. */
  now(): number {
    return this.#clock.now();
  }

  expireSession(sessionId: bigint): void {
    const s = this.#sessions.get(sessionId);
    if (!s) return;
    const wasOpen = s.state === "open";
    this.kill(s, "expired");
    if (wasOpen) s.listener.onSessionEvent("expired");
  }

  partition(sessionId: bigint): void {
    const s = this.#sessions.get(sessionId);
    if (!s || s.state !== "open") return;
    s.state = "partitioned";
    s.expiryTimer = this.#clock.setTimer(s.timeoutMs, () => this.kill(s, "expired"));
    s.listener.onSessionEvent("disconnected");
  }

  failAuth(sessionId: bigint): void {
    const s = this.#sessions.get(sessionId);
    if (!s || s.state !== "open") return;
    s.state = "auth-failed";
    s.expiryTimer = this.#clock.setTimer(s.timeoutMs, () => this.kill(s, "expired"));
    s.listener.onSessionEvent("auth-failed");
  }

  heal(sessionId: bigint): void {
    const s = this.#sessions.get(sessionId) ?? this.#expired.get(sessionId);
    if (!s || (s.state !== "partitioned" && s.state !== "expired")) return;
    s.expiryTimer?.cancel();
    if (s.state === "expired") {
      this.#expired.delete(sessionId);
      s.listener.onSessionEvent("expired");
      return;
    }
    s.state = "open";
    s.listener.onSessionEvent("connected");
    const missed = s.missed.splice(0);
    for (const event of missed) s.listener.onWatch(event);
  }

  dump(): DumpedNode[] {
    const out: DumpedNode[] = [];
    const walk = (path: string, node: ZNode) => {
      if (path !== "/") out.push({ path, data: node.data, stat: statOf(node) });
      for (const name of [...node.children].sort()) {
        const child = path === "/" ? `/${name}` : `${path}/${name}`;
        if (child !== "/zookeeper") walk(child, this.#tree.get(child)!);
      }
    };
    walk("/", this.#tree.get("/")!);
    return out;
  }

  close(): Promise<void> {
    this.#sweepTimer?.cancel();
    this.#sweepTimer = undefined;
    this.guard.close();
    return Promise.resolve();
  }

  /** Ends a session in one transaction: its ephemerals are deleted, then its watches dropped. */
  kill(session: MemorySession, endState: "expired" | "closed"): void {
    if (session.state === "expired" || session.state === "closed") return;
    const partitioned = session.state === "partitioned";
    session.expiryTimer?.cancel();
    const txn = this.#begin(session);
    const owned = [...(this.#ephemerals.get(session.id) ?? [])].sort();
    try {
      for (const path of owned) txn.delete(path, -1);
    } catch (e) {
      txn.abort();
      throw e;
    }
    // A closing session still hears its own notifications before the close completes.
    if (endState === "expired") session.state = endState;
    this.#commit(txn);
    session.state = endState;
    this.#watches.drop(session.id);
    this.#sessions.delete(session.id);
    if (endState === "expired" && partitioned) this.#expired.set(session.id, session);
    if (this.#sessions.size === 0) {
      this.#sweepTimer?.cancel();
      this.#sweepTimer = undefined;
    }
  }

  #begin(session: MemorySession | undefined): Txn {
    return this.#tree.begin({
      zxid: ++this.#zxid,
      timeMs: BigInt(Math.floor(this.#clock.wallMs())),
      sessionId: session?.id ?? 0n,
      authIds: session?.authIds ?? [],
    });
  }

  /** Commits `txn`, keeps the ephemeral index, and notifies the watchers. */
  #commit(txn: Txn): void {
    const events = txn.commit();
    for (const { type, path } of events) {
      if (type === EventType.NodeCreated) {
        const owner = this.#tree.get(path)?.ephemeralOwner ?? 0n;
        if (owner <= 0n) continue;
        this.#ephemeralOwners.set(path, owner);
        const owned = this.#ephemerals.get(owner);
        if (owned) owned.add(path);
        else this.#ephemerals.set(owner, new Set([path]));
      } else if (type === EventType.NodeDeleted) {
        const owner = this.#ephemeralOwners.get(path);
        if (owner === undefined) continue;
        this.#ephemeralOwners.delete(path);
        const owned = this.#ephemerals.get(owner)!;
        owned.delete(path);
        if (owned.size === 0) this.#ephemerals.delete(owner);
      }
    }
    this.#deliver(events);
  }

  #deliver(events: WatchEvent[]): void {
    for (const event of events) {
      for (const id of this.#watches.trigger(event)) this.#sessions.get(id)?.notify(event);
    }
  }

  /** Answers one request for a live session, with the zxid it leaves the store at. */
  execute(session: MemorySession, request: StoreRequest, watch: boolean): StoreReply {
    const reply = this.#answer(session, request, watch);
    reply.zxid = this.#zxid;
    return reply;
  }

  /** Forgets a session's watches (its server connection is gone). */
  dropWatches(session: MemorySession): void {
    this.#watches.drop(session.id);
  }

  #answer(session: MemorySession, request: StoreRequest, watch: boolean): StoreReply {
    switch (request.type) {
      case "exists":
      case "getData":
      case "getChildren":
      case "getAcl": {
        const node = this.#tree.get(request.path);
        // exists arms a watch even on a missing node: that is how creation is watched.
        if (!node) {
          if (watch && request.type === "exists") this.#watches.arm("data", request.path, session.id);
          return { resultCode: ErrorCode.NoNode };
        }
        if (!permitted(node.acl, readPermission(request.type), session.authIds)) return { resultCode: ErrorCode.NoAuth };
        if (watch && request.type !== "getAcl") {
          this.#watches.arm(request.type === "getChildren" ? "child" : "data", request.path, session.id);
        }
        return readReply(request.type, node, session.authIds);
      }
      case "multi":
        return this.#multi(session, request.ops);
      default:
        if (isServerRequest(request)) return this.#serverOp(session, request);
        return this.#write(session, (txn) => this.#apply(txn, request));
    }
  }

  /** The ops only a ZooKeeper-protocol server sends, as ZooKeeper 3.8's FinalRequestProcessor answers them. */
  #serverOp(session: MemorySession, request: ServerRequest): StoreReply {
    const id = session.id;
    switch (request.type) {
      case "sync":
        return { resultCode: 0, name: request.path };
      case "getEphemerals": {
        const prefix = request.path === "/" ? "" : request.path;
        const paths = [...(this.#ephemerals.get(id) ?? [])].filter((path) => path.startsWith(prefix));
        return { resultCode: 0, paths };
      }
      case "getAllChildrenNumber": {
        const node = this.#tree.get(request.path);
        if (!node) return { resultCode: ErrorCode.NoNode };
        if (!permitted(node.acl, Perms.Read, session.authIds)) return { resultCode: ErrorCode.NoAuth };
        const below = request.path === "/" ? "/" : request.path + "/";
        let count = 0;
        for (const path of this.#tree.nodes.keys()) if (path !== "/" && path.startsWith(below)) count++;
        return { resultCode: 0, count };
      }
      case "addWatch":
        this.#watches.addPersistent(request.path, id, request.mode);
        return { resultCode: 0 };
      case "removeWatches":
        return { resultCode: removeWatches(this.#watches, id, request) };
      case "setWatches": {
        const outcome = judgeSetWatches(request, (path) => this.#tree.get(path));
        for (const event of outcome.fire) session.notify(event);
        for (const { kind, path } of outcome.arm) this.#watches.arm(kind, path, id);
        for (const { path, mode } of outcome.persistent) this.#watches.addPersistent(path, id, mode);
        return { resultCode: 0 };
      }
    }
  }

  /** Runs one write transaction; a failed write still consumes its zxid, as in ZooKeeper. */
  #write(session: MemorySession | undefined, body: (txn: Txn) => Omit<StoreReply, "resultCode">): StoreReply {
    const txn = this.#begin(session);
    let reply;
    try {
      reply = body(txn);
    } catch (e) {
      txn.abort();
      if (e instanceof TxnFailure) return { resultCode: e.code };
      throw e;
    }
    this.#commit(txn);
    return { resultCode: 0, ...reply };
  }

  #apply(txn: Txn, op: ZkOp | Request): Omit<StoreReply, "resultCode"> {
    if (op.type === "exists" || op.type === "getData" || op.type === "getChildren" || op.type === "getAcl" || op.type === "multi") {
      throw new TxnFailure(ErrorCode.Unimplemented);
    }
    if (op.type === "create") {
      // PrepRequestProcessor's order: the mode, TTLs enabled at all, then the TTL's range.
      if (!Number.isInteger(op.mode) || op.mode < 0 || op.mode > 6) throw new TxnFailure(ErrorCode.BadArguments);
      if (isTtl(op.mode)) {
        if (!this.#options.extendedTypesEnabled) throw new TxnFailure(ErrorCode.Unimplemented);
        const ttl = op.ttlMs ?? 0;
        if (!Number.isInteger(ttl) || ttl <= 0 || ttl > MAX_TTL_MS) throw new TxnFailure(ErrorCode.BadArguments);
      }
    }
    const outcome = txn.apply(op);
    if (op.type === "create" && (op.mode === 4 || isTtl(op.mode))) this.#armSweep();
    return outcome;
  }

  /** All ops or none; on failure, OK before the failing op, its code, RuntimeInconsistency after. */
  #multi(session: MemorySession, ops: readonly ZkOp[]): StoreReply {
    const txn = this.#begin(session);
    const opResults: NonNullable<StoreReply["opResults"]> = [];
    for (let i = 0; i < ops.length; i++) {
      try {
        const { name, stat } = this.#apply(txn, ops[i]!);
        opResults.push(ops[i]!.type === "create" ? { resultCode: 0, name: name! } : stat ? { resultCode: 0, stat } : { resultCode: 0 });
      } catch (e) {
        txn.abort();
        if (!(e instanceof TxnFailure)) throw e;
        const failed = ops.map((_, j) => ({
          resultCode: j < i ? ErrorCode.Ok : j === i ? e.code : ErrorCode.RuntimeInconsistency,
        }));
        return { resultCode: 0, opResults: failed };
      }
    }
    this.#commit(txn);
    return { resultCode: 0, opResults };
  }

  #armSweep(): void {
    if (this.#sweepTimer) return;
    const interval = this.#options.containerCheckIntervalMs ?? 60000;
    this.#sweepTimer = this.#clock.setTimer(interval, () => {
      this.#sweepTimer = undefined;
      if (this.#sweep()) this.#armSweep();
    });
  }

  /** ZooKeeper's ContainerManager: removes containers that had children and have none, and idle empty TTL nodes. Returns whether any such node remains. */
  #sweep(): boolean {
    const now = BigInt(Math.floor(this.#clock.wallMs()));
    let remaining = false;
    const doomed: string[] = [];
    for (const [path, node] of this.#tree.nodes) {
      const container = node.ephemeralOwner === CONTAINER_EPHEMERAL_OWNER;
      if (!container && node.ttlMs === undefined) continue;
      remaining = true;
      if (node.children.size > 0) continue;
      if (container ? node.childCreations > 0 : now - node.mtime > BigInt(node.ttlMs!)) doomed.push(path);
    }
    for (const path of doomed) this.#write(undefined, (txn) => (txn.delete(path, -1), {}));
    return remaining;
  }
}

class MemorySession implements ServerSession {
  state: SessionState = "open";
  expiryTimer: Timer | undefined;
  readonly missed: WatchEvent[] = [];
  authIds: readonly Id[] = [];
  /** Server sessions only: what a resuming client must present. */
  password: Uint8Array | undefined;
  lastTouchedAt: number;
  readonly #store: MemoryStoreImpl;
  /** The reply to this session's latest request: watch events are told after it. */
  #lastReply: Promise<unknown> = Promise.resolve();
  readonly id: bigint;
  listener: SessionListener;
  readonly timeoutMs: number;

  constructor(store: MemoryStoreImpl, id: bigint, listener: SessionListener, timeoutMs: number) {
    this.#store = store;
    this.id = id;
    this.listener = listener;
    this.timeoutMs = timeoutMs;
    this.lastTouchedAt = store.now();
  }

  touch(): void {
    this.lastTouchedAt = this.#store.now();
  }

  get sessionId(): bigint {
    return this.id;
  }

  /**
   * A watch fired: told after the replies to what this session submitted before (the macrotask
   * guard may hold those back), as ZooKeeper sends a read's reply before a later write's event for
   * the watch it armed: a client that saw the event first would drop it (it knows no such watch yet).
   */
  notify(event: WatchEvent): void {
    if (this.state === "partitioned") this.missed.push(event);
    else if (this.state === "open") {
      // Fired while open, so told even if the session ends meanwhile (its own close fires its ephemerals' watches).
      const listener = this.listener;
      void this.#lastReply.then(() => listener.onWatch(event));
    }
  }

  setIdentities(ids: readonly Id[]): void {
    this.authIds = ids;
  }

  addAuth(credentials: Credentials): void {
    const id = requireDigest(credentials, "memory://");
    if (!this.authIds.some((a) => a.scheme === id.scheme && a.id === id.id)) this.authIds = [...this.authIds, id];
  }

  dropWatches(): void {
    this.#store.dropWatches(this);
  }

  submit(request: StoreRequest, watch: boolean): Promise<StoreReply> {
    switch (this.state) {
      case "partitioned":
        return Promise.resolve({ resultCode: ErrorCode.ConnectionLoss });
      case "auth-failed":
        return Promise.resolve({ resultCode: ErrorCode.AuthFailed });
      case "expired":
      case "closed":
        return Promise.resolve({ resultCode: ErrorCode.SessionExpired });
      default:
        return (this.#lastReply = this.#store.guard.reply(this.#store.execute(this, request, watch)));
    }
  }

  close(): Promise<void> {
    this.#store.kill(this, "closed");
    return Promise.resolve();
  }
}
