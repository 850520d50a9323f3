// The etcd store: ZooKeeper 3.8's answers from etcd v3, through EtcdApi and the injected Clock only.
// Layout and the derivation of every stat field: docs/etcd-layout.md.
import type { Clock, Timer } from "../clock.ts";
import type { ServerSession, ServerSessionOptions, ServerStore, SessionListener, SessionOptions } from "../store.ts";
import type { ACL } from "../api/acl.ts";
import type { EtcdApi, RequestOp, ResponseOp } from "./api.ts";
import { OPEN_ACL_UNSAFE } from "../api/acl.ts";
import { EventType, type WatchEvent } from "../api/events.ts";
import { KeyLayout } from "./keys.ts";
import { encodeNode, NodeFlag } from "./codec.ts";
import { ReadBatcher } from "./batch.ts";
import { RevisionWatchTable, type WatchKind } from "./watch_table.ts";
import { PrefixWatcher } from "./watcher.ts";
import { classify } from "./failures.ts";
import { markerOp, opsFor, parseAll, parseMarker, readAllOps, type ReadWant, type Snapshot, znodeOfLoaded } from "./snapshot.ts";
import { checkLayout, layoutValue } from "./layout_version.ts";
import { anchorOf, apart, layoutOf, parseRanges, rangeOpCount, rangeOps, type ReadLayout, ReadTooWide } from "./coalesce.ts";
import { EtcdSession, type SessionCore } from "./session.ts";
import type { Translated } from "./watch_events.ts";
import { decodeSessionKey } from "./session_key.ts";
import { lastZxidAt } from "./zxid.ts";
import { pathsOf, plan } from "./plan.ts";
import { WriteLane } from "./write_lane.ts";
import { CONTAINER_EPHEMERAL_OWNER } from "../api/create_mode.ts";

export interface EtcdStoreOptions {
  api: EtcdApi;
  clock: Clock;
  /** Key prefix of this ZooKeeper namespace (default "kmeta/"); stores sharing it share one tree. */
  prefix?: string;
  /** etcd's --max-txn-ops (default 128). */
  maxTxnOps?: number;
  /** etcd's --max-request-bytes (default 1.5 MiB). */
  maxRequestBytes?: number;
  /** Bounds the session timeout is clamped to, as ZooKeeper's defaults with tickTime 2000: 4000 and 40000. */
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  /** Longest a reply waits for the watch stream to deliver the events it must follow (default 5000). */
  watchLagMs?: number;
  /** Close `api` with the store (default true). */
  closeApi?: boolean;
  /** How often empty containers are removed while the store has sessions (ZooKeeper's default 60000). */
  containerCheckIntervalMs?: number;
  /**
   * Randomness for the token naming this store's session handles in session keys, which must differ
   * between servers over one prefix (default: the clock's readings, enough for one process per host).
   */
  random?: () => number;
}

const DEFAULT_PREFIX = "kmeta/";
/** Crowded anchors remembered before the set starts over (a hint: forgetting one costs a read). */
const MAX_CROWDED = 4096;
/**
 * Reads a session's group may carry, when their ranges fit one Txn (coalesce.ts): 41 topics' 50
 * partition states do. A group has client CPU costs of its own (its gRPC call, grouping,
 * answering): a fail-over read of 50,000 states took ~25 % less CPU with 2,048 a group than with 256.
 */
const MAX_READS_PER_GROUP = 2048;
/** What one group's answer should stay near: etcd sends it as one message, held whole until parsed. */
const GROUP_ANSWER_BYTES = 4 * 1024 * 1024;

/** The TTL of a session's lease: the timeout clamped like ZooKeeper's, in whole seconds rounded up. */
export function leaseTtlSeconds(sessionTimeoutMs: number, minMs = 4000, maxMs = 40000): number {
  return Math.ceil(Math.min(maxMs, Math.max(minMs, sessionTimeoutMs)) / 1000);
}

/** The etcd store: a library client's backend, and a server's (several servers over one prefix are one ensemble). */
export interface EtcdStore extends ServerStore {
  /** A library client's session (no password) lives until closed; a server's expires when untouched. */
  openSession(listener: SessionListener, options: SessionOptions | ServerSessionOptions): ServerSession;
}

/** Creates a store over `api`; it writes ZooKeeper's built-in nodes under the prefix on first use. */
export function createEtcdStore(options: EtcdStoreOptions): EtcdStore {
  return new EtcdStoreImpl(options);
}

function samePassword(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);
}

function systemNode(acl: ACL[], aversion = 0): Uint8Array {
  return encodeNode({
    flags: NodeFlag.System | NodeFlag.StoredMzxid,
    version: 0,
    aversion,
    ctime: 0n,
    mtime: 0n,
    ephemeralOwner: 0n,
    mzxid: 0n,
    czxid: 0n,
    czsub: 0,
    mzsub: 0,
    acl,
    data: new Uint8Array(0),
  });
}

class EtcdStoreImpl implements EtcdStore, SessionCore {
  readonly api: EtcdApi;
  readonly clock: Clock;
  readonly keys: KeyLayout;
  readonly watches: RevisionWatchTable = new RevisionWatchTable();
  readonly watcher: PrefixWatcher;
  readonly maxTxnOps: number;
  readonly maxRequestBytes: number;
  readonly watchLagMs: number;
  readonly lane: WriteLane = new WriteLane(this);
  /** Key and value bytes per path that recent reads returned: a group of reads is sized by it. */
  #bytesPerPath = 0;
  /** Anchors of runs whose ranges spanned many other keys (coalesce.ts anchorOf): read path by path. */
  readonly #crowded = new Set<string>();
  readonly #options: EtcdStoreOptions;
  readonly #sessions = new Map<bigint, EtcdSession>();
  readonly #batcher: ReadBatcher;
  #ready: Promise<void> | undefined;
  #closed = false;
  #sweepTimer: Timer | undefined;
  /** Names this store's session handles in session keys (see session_key.ts). */
  readonly #nonce: string;
  #handles = 0;

  constructor(options: EtcdStoreOptions) {
    this.#options = options;
    this.api = options.api;
    this.clock = options.clock;
    const random = options.random?.() ?? (options.clock.wallMs() + options.clock.now()) % 1;
    this.#nonce = `${options.clock.wallMs().toString(36)}${random.toString(36).slice(2, 8)}`;
    this.keys = new KeyLayout(options.prefix ?? DEFAULT_PREFIX);
    this.maxTxnOps = options.maxTxnOps ?? 128;
    this.maxRequestBytes = options.maxRequestBytes ?? 1.5 * 1024 * 1024;
    this.watchLagMs = options.watchLagMs ?? 5000;
    this.#batcher = new ReadBatcher({
      txn: (success) => this.api.txn({ compare: [], success, failure: [] }),
      shared: [markerOp(this.keys)],
      maxOps: this.maxTxnOps,
    });
    this.watcher = new PrefixWatcher({
      api: this.api,
      keys: this.keys,
      clock: this.clock,
      listener: {
        onRevision: (revision, translated) => this.#onRevision(revision, translated),
        onGap: (revision) => this.#recheck(revision),
        onError: (error) => {
          if (classify(error) === "auth") for (const s of [...this.#sessions.values()]) s.authFailed();
        },
      },
    });
  }

  openSession(listener: SessionListener, options: SessionOptions | ServerSessionOptions): ServerSession {
    const min = this.#options.minSessionTimeoutMs ?? 4000;
    const max = this.#options.maxSessionTimeoutMs ?? 40000;
    const ttl = leaseTtlSeconds(options.sessionTimeoutMs, min, max);
    if (!("password" in options)) return new EtcdSession(this, listener, ttl);
    const timeoutMs = Math.min(max, Math.max(min, options.sessionTimeoutMs));
    return new EtcdSession(this, listener, ttl, { password: options.password.slice(), timeoutMs, owner: this.#owner() });
  }

  #owner(): string {
    return `${this.#nonce}.${++this.#handles}`;
  }

  async resumeSession(sessionId: bigint, password: Uint8Array, listener: SessionListener): Promise<ServerSession | undefined> {
    const here = this.#sessions.get(sessionId);
    if (here) {
      if (!samePassword(here.password, password)) return undefined;
      here.takeOver(listener);
      here.dropWatches();
      return here;
    }
    await this.ready();
    const found = (await this.api.range({ key: this.keys.session(sessionId) })).kvs[0];
    const value = found && decodeSessionKey(found.value);
    if (!value || !samePassword(value.password, password)) return undefined;
    const session = new EtcdSession(this, listener, Math.ceil(value.timeoutMs / 1000), {
      password: value.password,
      timeoutMs: value.timeoutMs,
      owner: this.#owner(),
      resumed: sessionId,
    });
    try {
      return (await session.adopt()) ? session : undefined;
    } catch (e) {
      if (classify(e) === "expired") return undefined;
      throw e;
    }
  }

  async currentZxid(): Promise<bigint> {
    await this.ready();
    return lastZxidAt((await this.read(new Map())).revision);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Sessions still open stay in etcd (another server may resume them); this store lets go of them.
    for (const session of [...this.#sessions.values()]) session.detach();
    this.watcher.close();
    this.#sweepTimer?.cancel();
    if (this.#options.closeApi ?? true) await this.api.close();
  }

  /** Creates ZooKeeper's built-in nodes if the namespace is new, then starts the watch after that revision. */
  ready(): Promise<void> {
    this.#ready ??= this.#bootstrap().catch((e) => {
      this.#ready = undefined;
      throw e;
    });
    return this.#ready;
  }

  async #bootstrap(): Promise<void> {
    const k = this.keys;
    const open = [...OPEN_ACL_UNSAFE];
    const system: RequestOp[] = [
      { put: { key: k.node("/"), value: systemNode(open) } },
      { put: { key: k.node("/zookeeper"), value: systemNode(open) } },
      { put: { key: k.node("/zookeeper/quota"), value: systemNode(open) } },
      // As a fresh 3.8 server reports it.
      { put: { key: k.node("/zookeeper/config"), value: systemNode([{ perms: 1, id: { scheme: "world", id: "anyone" } }], -1) } },
      { put: { key: k.marker(), value: new Uint8Array(0) } },
      { put: { key: k.layout(), value: layoutValue() } },
    ];
    const r = await this.api.txn({
      compare: [{ key: k.node("/"), target: "create", result: "equal", operand: 0n }],
      success: system,
      failure: [{ range: { key: k.layout() } }],
    });
    if (!r.succeeded) {
      const found = r.responses[0];
      checkLayout(k.prefix, found && "range" in found ? found.range.kvs[0]?.value : undefined);
    }
    if (!this.#closed) this.watcher.start(r.header.revision);
  }

  /** Reads one session's group may carry: fewer than MAX_READS_PER_GROUP where recent reads returned large values. */
  get readsPerGroup(): number {
    return Math.max(1, Math.min(MAX_READS_PER_GROUP, Math.floor(GROUP_ANSWER_BYTES / Math.max(1, this.#bytesPerPath))));
  }

  #noteAnswer(responses: readonly ResponseOp[], paths: number): void {
    if (paths === 0) return;
    let bytes = 0;
    for (const r of responses) if ("range" in r) for (const kv of r.range.kvs) bytes += kv.key.length + kv.value.length;
    // A moving average: one read of large values shrinks the next groups at once, small ones regrow them.
    this.#bytesPerPath = Math.max(bytes / paths, (this.#bytesPerPath + bytes / paths) / 2);
  }

  /**
   * Reads `paths` at one revision: paths at one depth as ranges where that is cheaper (coalesce.ts),
   * the rest one by one. A run whose range stopped at its limit (it spans many other keys: new names
   * among a crowded parent's children) is read again path by path, with the rest, and from then on
   * read so. Rejects with ReadTooWide when the paths so read would not fit in one Txn.
   */
  async read(paths: ReadonlyMap<string, ReadWant>): Promise<Snapshot> {
    const layout = layoutOf(paths);
    const crowded = layout.ranges.filter((run) => this.#crowded.has(anchorOf(run)));
    const known = crowded.length > 0 ? apart(layout, crowded, paths) : layout;
    let { ranges, single } = this.#fits(known, paths) ? known : layout;
    for (;;) {
      if (!this.#fits({ ranges, single }, paths)) throw new ReadTooWide(`${paths.size} paths do not fit in one read`);
      const perRange = ranges.map((run) => rangeOps(this.keys, run, paths));
      const ranged = perRange.reduce((n, ops) => n + ops.length, 0);
      const result = await this.#batcher.read([...perRange.flat(), ...readAllOps(this.keys, single)]);
      this.#noteAnswer(result.responses, paths.size);
      const found = parseAll(this.keys, single, result.responses, ranged);
      const wide: string[][] = [];
      let at = 0;
      for (const [i, run] of ranges.entries()) {
        if (!parseRanges(this.keys, run, paths, result.responses, at, found)) wide.push(run);
        at += perRange[i]!.length;
      }
      if (wide.length === 0) return { revision: result.revision, marker: parseMarker(result.shared[0]), readAt: result.revision, paths: found };
      if (this.#crowded.size >= MAX_CROWDED) this.#crowded.clear();
      for (const run of wide) this.#crowded.add(anchorOf(run));
      ({ ranges, single } = apart({ ranges, single }, wide, paths));
    }
  }

  /** Whether `layout` reads in one Txn beside the marker. */
  #fits(layout: ReadLayout, paths: ReadonlyMap<string, ReadWant>): boolean {
    let ops = 1;
    for (const run of layout.ranges) ops += rangeOpCount(run, paths);
    for (const want of layout.single.values()) ops += opsFor(want);
    return ops <= this.maxTxnOps;
  }

  register(session: EtcdSession): void {
    this.#sessions.set(session.sessionId, session);
    this.#armSweep();
  }

  unregister(session: EtcdSession): void {
    if (this.#sessions.get(session.sessionId) === session) this.#sessions.delete(session.sessionId);
    this.watches.drop(session.sessionId);
    if (this.#sessions.size === 0) {
      this.#sweepTimer?.cancel();
      this.#sweepTimer = undefined;
    }
  }

  // ZooKeeper's ContainerManager runs on the server; here every store with sessions runs it, and the
  // guarded delete makes concurrent sweeps harmless (the losers find nothing left to do).
  #armSweep(): void {
    if (this.#sweepTimer || this.#closed) return;
    this.#sweepTimer = this.clock.setTimer(this.#options.containerCheckIntervalMs ?? 60000, () => {
      void this.sweepContainers().finally(() => {
        this.#sweepTimer = undefined;
        if (this.#sessions.size > 0) this.#armSweep();
      });
    });
  }

  /** Removes every container that had children and has none left, as ZooKeeper's ContainerManager. */
  async sweepContainers(): Promise<void> {
    try {
      const range = this.keys.containers();
      const index = await this.api.range({ key: range.key, rangeEnd: range.rangeEnd, keysOnly: true });
      for (const kv of index.kvs) {
        const parsed = this.keys.parse(kv.key);
        if (parsed.kind === "container") await this.#deleteIfEmptyContainer(parsed.path);
      }
    } catch {
      // The next sweep tries again.
    }
  }

  async #deleteIfEmptyContainer(path: string): Promise<void> {
    const request = { type: "delete", path, version: -1 } as const;
    for (let attempt = 0; attempt < 8; attempt++) {
      const snapshot = await this.read(pathsOf(request));
      const node = znodeOfLoaded(snapshot.paths.get(path)!);
      if (!node || node.ephemeralOwner !== CONTAINER_EPHEMERAL_OWNER || node.childCreations === 0 || node.children.size > 0) return;
      const p = plan(this.keys, snapshot, [{ request, writer: { sessionId: 0n, authIds: [] } }], BigInt(Math.floor(this.clock.wallMs())));
      if (p.kind !== "write") return;
      const r = await this.api.txn({ compare: p.compare, success: [...p.success, { put: { key: this.keys.marker(), value: new Uint8Array(0) } }], failure: [] });
      if (r.succeeded) return;
    }
  }

  catchUp(kind: WatchKind, path: string, session: EtcdSession, revision: bigint, recursive = false): WatchEvent[] {
    const history = this.watcher.historySince(revision);
    if (history === undefined) {
      // A failed read leaves the watch armed: only later events can fire it then.
      this.#recheckOne(kind, path, session.sessionId).catch(() => {});
      return [];
    }
    const out: WatchEvent[] = [];
    const below = path === "/" ? "/" : path + "/";
    for (const h of history) {
      if (h.event.path !== path && !(recursive && h.event.path.startsWith(below))) continue;
      if (this.watches.trigger(h.event, h.revision, session.sessionId).has(session.sessionId)) out.push(h.event);
    }
    return out;
  }

  #onRevision(revision: bigint, { events, endedSessions, ownedSessions }: Translated): void {
    for (const event of events) {
      for (const id of this.watches.trigger(event, revision)) this.#sessions.get(id)?.notify(event, revision);
    }
    for (const { leaseId, value } of ownedSessions) this.#sessions.get(leaseId)?.keyWritten(value);
    for (const id of endedSessions) this.#sessions.get(id)?.leaseEnded();
  }

  /**
   * History was lost (compaction): every armed watch is re-checked by reading its node, all in one
   * batch. Rejects when a read failed, so the watcher crosses the gap again later.
   */
  async #recheck(_revision: bigint): Promise<void> {
    const checks = await Promise.allSettled(this.watches.entries().map((w) => this.#recheckOne(w.kind, w.path, w.sessionId)));
    const failed = checks.find((c) => c.status === "rejected");
    if (failed) throw failed.reason;
  }

  /** Fires a watch whose node changed after it was armed, judged from the node's current keys. */
  async #recheckOne(kind: WatchKind, path: string, sessionId: bigint): Promise<void> {
    const armed = this.watches.armedAt(kind, path, sessionId);
    if (armed === undefined) return;
    const snapshot = await this.read(new Map([[path, "count"]]));
    const loaded = snapshot.paths.get(path)!;
    let event: WatchEvent | undefined;
    const node = loaded.node;
    // As ZooKeeper's SetWatches catch-up after a reconnect: judged from the current node alone, so a
    // node deleted and created again in the gap is a data (or children) change, not a deletion.
    if (kind === "data") {
      const absentAtArming = this.watches.armedOnAbsent(path, sessionId);
      if (!node) event = absentAtArming ? undefined : { type: EventType.NodeDeleted, path };
      else if (absentAtArming) event = { type: EventType.NodeCreated, path };
      else if (node.modRevision > armed) event = { type: EventType.NodeDataChanged, path };
    } else {
      if (!node) event = { type: EventType.NodeDeleted, path };
      else if (node.createRevision > armed || (loaded.children?.modRevision ?? 0n) > armed) event = { type: EventType.NodeChildrenChanged, path };
    }
    if (event && this.watches.trigger(event, snapshot.revision, sessionId).has(sessionId)) this.#sessions.get(sessionId)?.notify(event);
  }
}
