// One ZooKeeper session on etcd: a lease (its id is the session id), kept alive on the Clock, and an
// ordered request pipeline. Consecutive reads run together (one Txn with other sessions' reads of the
// same tick); consecutive writes too, merged with other sessions' (write_lane.ts, write_pipeline.ts:
// one snapshot and one Txn for as many as fit).
// A write group waits for everything before it, so a session's requests take effect in order; read
// groups after it are read at once, overlapping, and answered in order.
import type { Clock, Timer } from "../clock.ts";
import type { Request } from "../api/requests.ts";
import { isServerRequest, type ServerRequest, type ServerSession, type SessionListener, type StoreReply, type StoreRequest } from "../store.ts";
import type { Id } from "../api/acl.ts";
import type { WatchEvent } from "../api/events.ts";
import type { ZNode } from "../tree/node.ts";
import type { EtcdApi } from "./api.ts";
import type { KeyLayout } from "./keys.ts";
import type { RevisionWatchTable, WatchKind } from "./watch_table.ts";
import type { PrefixWatcher } from "./watcher.ts";
import { ErrorCode } from "../errors.ts";
import { isEphemeral } from "../api/create_mode.ts";
import { Perms } from "../api/acl.ts";
import { permitted, readPermission } from "../tree/acl_rules.ts";
import { judgeSetWatches, removeWatches, setWatchesPaths } from "../tree/server_watches.ts";
import { readReply } from "../tree/read_reply.ts";
import { requireDigest } from "../tree/credentials.ts";
import type { Credentials } from "../api/acl.ts";
import { classify } from "./failures.ts";
import { EtcdLayoutError } from "./layout_version.ts";
import { OPS_PER_PATH, type ReadWant, type Snapshot, widest, znodeOfLoaded } from "./snapshot.ts";
import { ReadCost, ReadTooWide } from "./coalesce.ts";
import type { WriteRequest, Writer } from "./plan.ts";
import type { Committed } from "./write_pipeline.ts";
import type { WriteLane } from "./write_lane.ts";
import { ownedRequest } from "./owned_request.ts";
import { lastZxidAt } from "./zxid.ts";
import { decodeSessionKey, encodeSessionKey } from "./session_key.ts";
import { descendantCount, ephemeralsOf } from "./server_reads.ts";

/** What a session needs from its store. */
export interface SessionCore {
  readonly api: EtcdApi;
  readonly clock: Clock;
  readonly keys: KeyLayout;
  readonly watches: RevisionWatchTable;
  readonly watcher: PrefixWatcher;
  readonly maxTxnOps: number;
  readonly maxRequestBytes: number;
  /** Reads a group may carry (fewer where recent reads returned large values). */
  readonly readsPerGroup: number;
  /** How long a reply may wait for the watch stream to deliver the events it must follow. */
  readonly watchLagMs: number;
  /** Bootstraps the namespace and starts the watch (once per store). */
  ready(): Promise<void>;
  /** Reads paths at one revision, batched with the tick's other reads. */
  read(paths: ReadonlyMap<string, ReadWant>): Promise<Snapshot>;
  /** Commits writes with the store's other sessions' (write_lane.ts). */
  readonly lane: WriteLane;
  register(session: EtcdSession): void;
  unregister(session: EtcdSession): void;
  /**
   * Fires already-processed events after `revision` for a watch just armed (on the path, or its
   * subtree for a recursive one), or re-checks by reading.
   */
  catchUp(kind: WatchKind, path: string, session: EtcdSession, revision: bigint, recursive?: boolean): WatchEvent[];
}

/** What a session served to ZooKeeper clients carries (core/store.ts ServerSession). */
export interface ServerSide {
  password: Uint8Array;
  /** The timeout granted; the lease's TTL is it in whole seconds, rounded up. */
  timeoutMs: number;
  /** Names this handle in the session key, so the server it leaves learns the session moved. */
  owner: string;
  /** A live session taken over (see adopt()): its lease id. */
  resumed?: bigint;
}

type State = "connecting" | "connected" | "disconnected" | "closing" | "expired" | "auth-failed" | "closed";

/** Keep-alive retry pace while the link is down. */
const PROBE_MS = 250;
const GRANT_RETRY_MS = 500;
/** How long close() waits to hear its own lease end (and the notifications it fires). */
const CLOSE_WAIT_MS = 3000;

type ReadRequest = Extract<Request, { type: "exists" | "getData" | "getChildren" | "getAcl" }>;
interface ReadItem {
  request: ReadRequest;
  watch: boolean;
  /** Connect attempts that had failed when it was submitted. */
  attempt: number;
  resolve(reply: StoreReply): void;
}

interface ReadGroup {
  items: ReadItem[];
  cost: ReadCost;
}

interface WriteItem {
  request: WriteRequest;
  attempt: number;
  resolve(reply: StoreReply): void;
}

function isRead(request: Request): request is ReadRequest {
  return request.type === "exists" || request.type === "getData" || request.type === "getChildren" || request.type === "getAcl";
}

const EMPTY = new Uint8Array(0);

export class EtcdSession implements ServerSession {
  readonly #core: SessionCore;
  #listener: SessionListener;
  readonly #ttlMs: number;
  readonly #server: ServerSide | undefined;
  /** The identities ACLs are judged against (a server's connection sets them). */
  #authIds: readonly Id[] = [];
  /** When a server last heard the client (server sessions only). */
  #touchedAt = 0;
  #id = 0n;
  #state: State = "connecting";
  #timer: Timer | undefined;
  #lastAliveAt = 0;
  #tail: Promise<void> = Promise.resolve();
  /** Settles when every write submitted so far is answered: reads behind them may be sent then. */
  #writesDone: Promise<void> = Promise.resolve();
  /** The write marker of the newest snapshot this session answered from: its reads never go back. */
  #seenMarker = 0n;
  /** The revision of the last event the watch stream delivered to this session: later replies are read at or after it. */
  #seenEventAt = 0n;
  #group: ReadGroup | undefined;
  #writes: WriteItem[] | undefined;
  /** Resolves when requests may go (or be refused), and when a connect attempt fails. */
  #usable!: Promise<void>;
  #markUsable!: () => void;
  /**
   * Connect attempts that failed so far. A request queued while connecting fails with ConnectionLoss
   * when the attempt under way fails, as packets queued on a connecting ZooKeeper client do, so it
   * is answered within about one request timeout even while etcd stays unreachable.
   */
  #failedAttempts = 0;
  #ended: (() => void) | undefined;
  /** Set when the namespace's key layout is not this store's (the session is then dead). */
  #layoutError: EtcdLayoutError | undefined;
  /** Ephemerals this session created (some may be gone since): close() deletes them as ZooKeeper does. */
  readonly #ephemerals = new Set<string>();

  constructor(core: SessionCore, listener: SessionListener, ttlSeconds: number, server?: ServerSide) {
    this.#core = core;
    this.#listener = listener;
    this.#ttlMs = ttlSeconds * 1000;
    this.#server = server;
    this.#touchedAt = core.clock.now();
    this.#usable = new Promise((resolve) => (this.#markUsable = resolve));
    if (server?.resumed === undefined) void this.#start(ttlSeconds);
    else this.#id = server.resumed;
  }

  get timeoutMs(): number {
    return this.#server?.timeoutMs ?? this.#ttlMs;
  }

  /** What a resuming client must present; undefined for a library session. */
  get password(): Uint8Array | undefined {
    return this.#server?.password;
  }

  setIdentities(ids: readonly Id[]): void {
    this.#authIds = ids;
  }

  dropWatches(): void {
    this.#core.watches.drop(this.#id);
  }

  touch(): void {
    this.#touchedAt = this.#core.clock.now();
  }

  /**
   * Takes over a live session (server.resumed) from whichever handle served it: refreshes its lease
   * and writes this handle into its session key. False when the session is gone.
   */
  async adopt(): Promise<boolean> {
    const { api, keys, clock } = this.#core;
    await this.#core.ready();
    const alive = await api.leaseKeepAlive(this.#id);
    if (alive.ttl <= 0n) return false;
    const r = await api.txn({
      compare: [{ key: keys.session(this.#id), target: "create", result: "greater", operand: 0n }],
      success: [{ put: { key: keys.session(this.#id), value: this.#sessionKeyValue(), lease: this.#id } }],
      failure: [],
    });
    if (!r.succeeded) return false;
    this.#core.register(this);
    this.#state = "connected";
    this.#lastAliveAt = clock.now();
    this.#touchedAt = clock.now();
    this.#schedule(this.#keepAliveDelay());
    this.#markUsable();
    return true;
  }

  /** A handle in this process takes over: events go to `listener`, the previous one learns `moved`. */
  takeOver(listener: SessionListener): void {
    const previous = this.#listener;
    this.#listener = listener;
    this.touch();
    previous.onSessionEvent("moved");
  }

  /** The session key was written: when another handle wrote it, the session moved there. */
  keyWritten(value: Uint8Array): void {
    const owner = decodeSessionKey(value)?.owner;
    if (owner === undefined || owner === this.#server?.owner) return;
    if (this.#state !== "connected" && this.#state !== "disconnected") return;
    this.detach();
    this.#listener.onSessionEvent("moved");
  }

  /** Its store is closing: the session stays in etcd until another server resumes it or its lease ends. */
  detach(): void {
    if (this.#state === "closed" || this.#state === "expired") return;
    this.#state = "closed";
    this.#timer?.cancel();
    this.#markUsable();
    this.#core.unregister(this);
  }

  #sessionKeyValue(): Uint8Array {
    return this.#server ? encodeSessionKey(this.#server) : EMPTY;
  }

  /** Reads of one tick share a Txn: as many as their ranges let fit beside the write marker. */
  get requestsPerRoundTrip(): number {
    return this.#core.readsPerGroup;
  }

  get sessionId(): bigint {
    return this.#id;
  }

  submit(request: StoreRequest, watch: boolean): Promise<StoreReply> {
    const refused = this.#refusal();
    if (refused !== undefined) return Promise.resolve({ resultCode: refused });
    const attempt = this.#failedAttempts;
    if (isServerRequest(request)) {
      this.#group = undefined;
      this.#writes = undefined;
      return new Promise((resolve) => {
        this.#tail = this.#tail.then(async () => resolve(await this.#serverRequest(request, attempt)));
        this.#writesDone = this.#tail;
      });
    }
    if (isRead(request)) {
      return new Promise((resolve) => {
        // A group is read in one Txn: start another once this one would not fit, or when a connect
        // attempt failed since it started (its requests fail with that attempt, later ones wait).
        this.#writes = undefined;
        const want = request.type === "getChildren" ? "names" : "count";
        let group = this.#group;
        if (
          !group || group.items.length >= this.#core.readsPerGroup || group.items[0]!.attempt !== attempt ||
          !group.cost.tryAdd(request.path, want, this.#core.maxTxnOps - 1)
        ) {
          const fresh: ReadGroup = { items: [], cost: new ReadCost() };
          this.#group = group = fresh;
          const fetched = this.#writesDone.then(() => {
            if (this.#group === fresh) this.#group = undefined;
            return this.#fetchReads(fresh);
          });
          this.#tail = Promise.all([fetched, this.#tail]).then(([read]) => this.#answerReads(fresh, read));
          fresh.cost.add(request.path, want);
        }
        group.items.push({ request, watch, attempt, resolve });
      });
    }
    this.#group = undefined;
    return this.#queueWrite(ownedRequest(request as WriteRequest), attempt);
  }

  /** Joins the group of writes queued right before it, or starts one behind everything queued. */
  #queueWrite(request: WriteRequest, attempt: number): Promise<StoreReply> {
    return new Promise((resolve) => {
      if (this.#writes && this.#writes[0]!.attempt !== attempt) this.#writes = undefined;
      if (!this.#writes) {
        const group: WriteItem[] = [];
        this.#writes = group;
        this.#tail = this.#tail.then(() => {
          if (this.#writes === group) this.#writes = undefined;
          return this.#runWrites(group);
        });
        this.#writesDone = this.#tail;
      }
      this.#writes.push({ request, attempt, resolve });
    });
  }

  async close(): Promise<void> {
    if (this.#state === "closed" || this.#state === "closing") return;
    if (this.#state === "expired") {
      this.#state = "closed";
      return;
    }
    const linked = this.#state === "connected";
    this.#state = "closing";
    this.#timer?.cancel();
    this.#markUsable();
    // Requests already submitted finish first, as they would on a ZooKeeper connection.
    await this.#tail;
    if (this.#id !== 0n) {
      if (linked) await this.#deleteEphemerals();
      const ended = new Promise<void>((resolve) => {
        const timer = this.#core.clock.setTimer(CLOSE_WAIT_MS, () => resolve());
        this.#ended = () => {
          timer.cancel();
          resolve();
        };
      });
      try {
        await this.#core.api.leaseRevoke(this.#id);
        // The revocation's events (our ephemerals' NodeDeleted...) reach us before close returns.
        await ended;
      } catch {
        // Unreachable etcd: the lease (and its ephemerals) ends by TTL.
      }
    }
    this.#state = "closed";
    this.#core.unregister(this);
  }

  /**
   * Deletes the session's ephemerals with requests, as ZooKeeper's closeSession does, so their
   * parents' pzxid moves (a lease's end cannot update other keys): in one Multi, as closeSession is
   * one transaction (no one sees some gone and others not, every parent gets the same pzxid). Only
   * when etcd cannot take that Multi (README: limits) does it go in Multis of 16. Best effort: the
   * lease revocation that follows removes whatever is left.
   */
  async #deleteEphemerals(): Promise<void> {
    const deletes = (paths: string[]): WriteRequest => ({ type: "multi", ops: paths.map((path) => ({ type: "delete", path, version: -1 })) });
    try {
      // Twice: another session may delete one of them between the read and the Multi.
      for (let attempt = 0; attempt < 2; attempt++) {
        const owned = await this.#ownedEphemerals();
        if (owned.length === 0) return;
        const reply = await this.#queueWrite(deletes(owned), this.#failedAttempts);
        if (reply.resultCode === ErrorCode.BadArguments) {
          for (let i = 0; i < owned.length; i += 16) await this.#queueWrite(deletes(owned.slice(i, i + 16)), this.#failedAttempts);
          return;
        }
        if (reply.resultCode !== ErrorCode.Ok || reply.opResults?.every((r) => r.resultCode === ErrorCode.Ok)) return;
      }
    } catch {
      return;
    }
  }

  /** The ephemerals this session created that still exist as its own, read in groups that fit a Txn. */
  async #ownedEphemerals(): Promise<string[]> {
    if (this.#server?.resumed !== undefined) {
      // Taken over from another process: the lease knows which nodes are this session's.
      for (const path of await ephemeralsOf(this.#core.api, this.#core.keys, this.#id, "")) this.#ephemerals.add(path);
    }
    const paths = [...this.#ephemerals].sort();
    const owned: string[] = [];
    for (let i = 0; i < paths.length; i += 16) {
      const chunk = paths.slice(i, i + 16);
      const snapshot = await this.#core.read(new Map(chunk.map((p) => [p, "count"])));
      owned.push(...chunk.filter((p) => snapshot.paths.get(p)?.node?.lease === this.#id));
    }
    return owned;
  }

  /** Digest credentials for the requests submitted from now on (ZooKeeper's addAuth). */
  addAuth(credentials: Credentials): void {
    const id = requireDigest(credentials, "etcd://");
    if (!this.#authIds.some((a) => a.id === id.id && a.scheme === id.scheme)) this.#authIds = [...this.#authIds, id];
  }

  /** A watch of this session fired. */
  notify(event: WatchEvent, revision?: bigint): void {
    if (this.#state === "expired" || this.#state === "closed" || this.#state === "auth-failed") return;
    if (revision !== undefined && revision > this.#seenEventAt) this.#seenEventAt = revision;
    this.#listener.onWatch(event);
  }

  /** The session key went: the lease was revoked (by us, closing, or from outside) or expired. */
  leaseEnded(): void {
    if (this.#state === "closing") this.#ended?.();
    else this.#expire();
  }

  /** The store's watch stream was refused our credentials. */
  authFailed(): void {
    if (this.#state === "connected" || this.#state === "disconnected" || this.#state === "connecting") this.#failAuth();
  }

  /** What a request gets at once in this state; connecting and disconnected ones wait in #admit. */
  #refusal(): number | undefined {
    switch (this.#state) {
      case "auth-failed":
        return this.#layoutError ? ErrorCode.SystemError : ErrorCode.AuthFailed;
      case "closing":
      case "closed":
      case "expired":
        return ErrorCode.SessionExpired;
      default:
        return undefined;
    }
  }

  // --- lease ---

  async #start(ttlSeconds: number): Promise<void> {
    const { api, keys, clock } = this.#core;
    while (this.#state === "connecting") {
      try {
        await this.#core.ready();
        if (this.#id === 0n) {
          const grant = await api.leaseGrant(BigInt(ttlSeconds));
          if (this.#state !== "connecting") {
            await api.leaseRevoke(grant.id).catch(() => {});
            return;
          }
          this.#id = grant.id;
          this.#core.register(this);
        }
        // The session key dies with the lease; every store watching the prefix sees it go.
        await api.txn({ compare: [], success: [{ put: { key: keys.session(this.#id), value: this.#sessionKeyValue(), lease: this.#id } }], failure: [] });
        if (this.#state !== "connecting") return;
        this.#state = "connected";
        this.#lastAliveAt = clock.now();
        this.#schedule(this.#keepAliveDelay());
        this.#markUsable();
        this.#listener.onSessionEvent("connected");
        return;
      } catch (e) {
        // A namespace in a layout this store cannot read: final, like refused credentials.
        if (e instanceof EtcdLayoutError) return this.#failLayout(e);
        const failure = classify(e);
        if (failure === "auth") return this.#failAuth();
        if (failure === "expired") return this.#expire();
        this.#attemptFailed();
        // Kept in #timer so close() cancels it and nothing holds the process open.
        await new Promise<void>((resolve) => (this.#timer = clock.setTimer(GRANT_RETRY_MS, resolve)));
      }
    }
  }

  /** Releases the requests queued during the attempt that just failed; later ones wait for the next. */
  #attemptFailed(): void {
    this.#failedAttempts++;
    const release = this.#markUsable;
    this.#usable = new Promise((resolve) => (this.#markUsable = resolve));
    release();
  }

  /**
   * Waits until requests may go, or until the connect attempt or link probe under way at `attempt`
   * failed. Then the refusal for the session's state, ConnectionLoss while still without a link, or
   * undefined.
   */
  async #admit(attempt: number): Promise<number | undefined> {
    const linkless = () => this.#state === "connecting" || this.#state === "disconnected";
    if (linkless() && attempt === this.#failedAttempts) await this.#usable;
    if (linkless()) return ErrorCode.ConnectionLoss;
    return this.#state === "closing" ? undefined : this.#refusal();
  }

  #schedule(ms: number): void {
    this.#timer?.cancel();
    this.#timer = this.#core.clock.setTimer(ms, () => void this.#keepAlive());
  }

  /**
   * Keep-alives go every third of the TTL; a server's session also wakes when its client's silence
   * reaches the timeout.
   */
  #keepAliveDelay(): number {
    const every = this.#ttlMs / 3;
    if (!this.#server) return every;
    return Math.max(0, Math.min(every, this.#touchedAt + this.#server.timeoutMs - this.#core.clock.now()));
  }

  async #keepAlive(): Promise<void> {
    if (this.#state !== "connected" && this.#state !== "disconnected") return;
    // No server heard the client for its timeout: the session expires, as ZooKeeper's tracker
    // expires it. A client that moved to another server took the session over, and this handle with it.
    if (this.#server && this.#state === "connected" && this.#core.clock.now() - this.#touchedAt >= this.#server.timeoutMs) {
      return void this.#expireIdle();
    }
    try {
      const r = await this.#core.api.leaseKeepAlive(this.#id);
      if (this.#state !== "connected" && this.#state !== "disconnected") return;
      if (r.ttl <= 0n) return this.#expire();
      this.#lastAliveAt = this.#core.clock.now();
      if (this.#state === "disconnected") {
        this.#state = "connected";
        // The client could not be served meanwhile: its silence counts from now.
        this.#touchedAt = this.#lastAliveAt;
        this.#markUsable();
        this.#listener.onSessionEvent("connected");
      }
      this.#schedule(this.#keepAliveDelay());
    } catch (e) {
      if (this.#state !== "connected" && this.#state !== "disconnected") return;
      const failure = classify(e);
      if (failure === "expired") return this.#expire();
      if (failure === "auth") return this.#failAuth();
      if (this.#state === "disconnected") this.#probeFailed();
      else this.#lostLink();
    }
  }

  /**
   * The link failed. Until a keep-alive gets through again within the TTL, requests submitted from
   * now on wait for the next probe, as a ZooKeeper client queues them for its next connection: they
   * go when it succeeds and fail with ConnectionLoss when it fails. The first probe goes at once (a
   * dropped connection is usually back for the asking), later ones every PROBE_MS.
   */
  #lostLink(): void {
    if (this.#state !== "connected") return;
    this.#state = "disconnected";
    // Requests submitted before the loss fail with it (they were sent, or queued behind one that
    // failed, on the lost connection), as ZooKeeper fails its pending packets; later ones wait.
    this.#attemptFailed();
    this.#listener.onSessionEvent("disconnected");
    this.#schedule(0);
  }

  /** A probe of the lost link failed: the requests waiting for it fail, and the next one waits. */
  #probeFailed(): void {
    // Past the TTL etcd has ended the lease; give up as a ZooKeeper client does after the session
    // timeout. A server's session waits for etcd instead: an etcd that was down refreshes its leases
    // when it comes back, as a ZooKeeper ensemble that lost its quorum renews its sessions.
    if (!this.#server && this.#core.clock.now() - this.#lastAliveAt >= this.#ttlMs) return this.#expire();
    this.#attemptFailed();
    this.#schedule(PROBE_MS);
  }

  /** Ends an idle server session as closeSession would: its ephemerals in one go, then the lease. */
  async #expireIdle(): Promise<void> {
    this.#timer?.cancel();
    await this.#deleteEphemerals();
    try {
      await this.#core.api.leaseRevoke(this.#id);
    } catch {
      // etcd ends the lease by its TTL; its end reaches us as for a revocation.
    }
  }

  #expire(): void {
    if (this.#state === "expired" || this.#state === "closed") return;
    const wasClosing = this.#state === "closing";
    this.#state = wasClosing ? "closed" : "expired";
    this.#timer?.cancel();
    this.#markUsable();
    this.#ended?.();
    this.#core.unregister(this);
    if (!wasClosing) this.#listener.onSessionEvent("expired");
  }

  /** Requests answer SystemError from now on; the listener hears `auth-failed`, the one final refusal it knows. */
  #failLayout(error: EtcdLayoutError): void {
    this.#layoutError = error;
    this.#failAuth();
  }

  #failAuth(): void {
    this.#state = "auth-failed";
    this.#timer?.cancel();
    this.#markUsable();
    this.#listener.onSessionEvent("auth-failed");
  }

  /** The code for a failed etcd call, acting on what it says about the session. */
  #failed(e: unknown): number {
    switch (classify(e)) {
      case "expired":
        this.#expire();
        return ErrorCode.SessionExpired;
      case "auth":
        this.#failAuth();
        return ErrorCode.AuthFailed;
      case "too-large":
        return ErrorCode.BadArguments;
      case "other":
        return ErrorCode.SystemError;
      default:
        this.#lostLink();
        return ErrorCode.ConnectionLoss;
    }
  }

  /** Waits until the watch stream delivered every event this session must see before a reply at `revision`. */
  async #follow(revision: bigint, arming: boolean): Promise<void> {
    if (arming || this.#core.watches.has(this.#id)) await this.#core.watcher.reached(revision, this.#core.watchLagMs);
  }

  // --- reads ---

  /**
   * Reads what a group needs: a snapshot, the code its requests fail with, or "wide" when its
   * ranges stopped at their limits and its paths one by one need several reads.
   */
  async #fetchReads(group: ReadGroup): Promise<Snapshot | number | "wide"> {
    const refused = await this.#admit(group.items[0]!.attempt);
    if (refused !== undefined) return refused;
    return await this.#read(group.cost.paths);
  }

  async #read(paths: ReadonlyMap<string, ReadWant>): Promise<Snapshot | number | "wide"> {
    try {
      return await this.#core.read(paths);
    } catch (e) {
      return e instanceof ReadTooWide ? "wide" : this.#failed(e);
    }
  }

  /** Answers a group once every earlier request is answered. */
  async #answerReads(group: ReadGroup, read: Snapshot | number | "wide"): Promise<void> {
    const { items } = group;
    let snapshot = read;
    // Read alongside an earlier group that saw a later write: read again, so that this session's
    // answers never go back in time (ZooKeeper answers a session's reads in order, from one server).
    // Likewise after an event it was told of: a reply older than the event, arming a watch, would
    // fire that event a second time.
    if (typeof snapshot === "object" && (snapshot.marker < this.#seenMarker || snapshot.revision < this.#seenEventAt)) {
      snapshot = await this.#read(group.cost.paths);
    }
    if (snapshot === "wide") {
      // In order, a Txn's worth of paths at a time: each part sees at least what the one before saw.
      const per = Math.max(1, Math.floor((this.#core.maxTxnOps - 1) / OPS_PER_PATH));
      for (let at = 0; at < items.length; at += per) {
        const part = items.slice(at, at + per);
        const paths = new Map<string, ReadWant>();
        for (const { request } of part) paths.set(request.path, widest(paths.get(request.path), request.type === "getChildren" ? "names" : "count"));
        await this.#answerFrom(part, await this.#read(paths));
      }
      return;
    }
    await this.#answerFrom(items, snapshot);
  }

  /** Answers `items` from one snapshot (or with one code). */
  async #answerFrom(items: ReadItem[], snapshot: Snapshot | number | "wide"): Promise<void> {
    if (snapshot === "wide") snapshot = ErrorCode.SystemError;
    if (typeof snapshot === "number") {
      for (const item of items) item.resolve({ resultCode: snapshot });
      return;
    }
    if (snapshot.marker > this.#seenMarker) this.#seenMarker = snapshot.marker;
    const arms: { kind: WatchKind; path: string; existed: boolean }[] = [];
    const zxid = lastZxidAt(snapshot.revision);
    const replies = items.map(({ request, watch }): StoreReply => {
      const loaded = snapshot.paths.get(request.path)!;
      const node = znodeOfLoaded(loaded);
      // As the memory store: exists arms even on a missing node; a refused read arms nothing.
      const allowed = node !== undefined && permitted(node.acl, readPermission(request.type), this.#authIds);
      if (watch && request.type !== "getAcl" && (allowed || (!node && request.type === "exists"))) {
        arms.push({ kind: request.type === "getChildren" ? "child" : "data", path: request.path, existed: node !== undefined });
      }
      if (!node) return { resultCode: ErrorCode.NoNode, zxid };
      if (!allowed) return { resultCode: ErrorCode.NoAuth, zxid };
      // Decoded for this reply alone: its data is handed out without another copy.
      const reply = readReply(request.type, node, this.#authIds, true);
      reply.zxid = zxid;
      return reply;
    });
    await this.#follow(snapshot.marker, arms.length > 0);
    const late: WatchEvent[] = [];
    for (const arm of arms) {
      // A watch armed before has been live since: only a new one replays what the stream already passed.
      if (this.#core.watches.arm(arm.kind, arm.path, this.#id, snapshot.revision, arm.existed)) {
        late.push(...this.#core.catchUp(arm.kind, arm.path, this, snapshot.revision));
      }
    }
    items.forEach((item, i) => item.resolve(replies[i]!));
    // Events after the read's revision follow its reply, as they would on ZooKeeper.
    for (const event of late) this.notify(event);
  }

  // --- requests only servers send ---

  /** Answers a server's request in turn, after everything submitted before it. */
  async #serverRequest(request: ServerRequest, attempt: number): Promise<StoreReply> {
    const refused = await this.#admit(attempt);
    if (refused !== undefined) return { resultCode: refused };
    try {
      return await this.#answerServerRequest(request);
    } catch (e) {
      return { resultCode: this.#failed(e) };
    }
  }

  async #answerServerRequest(request: ServerRequest): Promise<StoreReply> {
    const core = this.#core;
    switch (request.type) {
      case "removeWatches":
        return { resultCode: removeWatches(core.watches, this.#id, request) };
      case "getEphemerals": {
        const prefix = request.path === "/" ? "" : request.path;
        return { resultCode: 0, paths: await ephemeralsOf(core.api, core.keys, this.#id, prefix) };
      }
      case "sync": {
        // etcd reads are linearizable: a read at the latest revision is what ZooKeeper's sync ensures.
        const snapshot = await core.read(new Map());
        await this.#follow(snapshot.marker, false);
        return { resultCode: 0, name: request.path, zxid: lastZxidAt(snapshot.revision) };
      }
      case "getAllChildrenNumber": {
        const snapshot = await core.read(new Map([[request.path, "node"]]));
        const node = znodeOfLoaded(snapshot.paths.get(request.path)!);
        const zxid = lastZxidAt(snapshot.revision);
        if (!node) return { resultCode: ErrorCode.NoNode, zxid };
        if (!permitted(node.acl, Perms.Read, this.#authIds)) return { resultCode: ErrorCode.NoAuth, zxid };
        return { resultCode: 0, count: await descendantCount(core.api, core.keys, request.path, snapshot.revision), zxid };
      }
      case "addWatch": {
        const snapshot = await core.read(new Map());
        await this.#follow(snapshot.marker, true);
        const recursive = request.mode === "persistentRecursive";
        if (core.watches.addPersistent(request.path, this.#id, request.mode, snapshot.revision)) {
          for (const event of core.catchUp("data", request.path, this, snapshot.revision, recursive)) this.notify(event);
        }
        return { resultCode: 0, zxid: lastZxidAt(snapshot.revision) };
      }
      case "setWatches":
        return await this.#setWatches(request);
    }
  }

  /** Re-arms a reconnecting client's watches, each at the revision its node was read at. */
  async #setWatches(request: Extract<ServerRequest, { type: "setWatches" }>): Promise<StoreReply> {
    const core = this.#core;
    const paths = setWatchesPaths(request);
    const per = Math.max(1, Math.floor((core.maxTxnOps - 1) / OPS_PER_PATH));
    const found = new Map<string, { node: ZNode | undefined; revision: bigint }>();
    let last: Snapshot | undefined;
    for (let at = 0; at === 0 || at < paths.length; at += per) {
      last = await core.read(new Map(paths.slice(at, at + per).map((path) => [path, "count"])));
      for (const [path, loaded] of last.paths) found.set(path, { node: znodeOfLoaded(loaded), revision: last.revision });
    }
    await this.#follow(last!.marker, true);
    const outcome = judgeSetWatches(request, (path) => found.get(path)?.node);
    const late: WatchEvent[] = [];
    for (const { kind, path, existed } of outcome.arm) {
      const revision = found.get(path)!.revision;
      if (core.watches.arm(kind, path, this.#id, revision, existed)) late.push(...core.catchUp(kind, path, this, revision));
    }
    for (const { path, mode } of outcome.persistent) {
      if (core.watches.addPersistent(path, this.#id, mode, last!.revision)) {
        late.push(...core.catchUp("data", path, this, last!.revision, mode === "persistentRecursive"));
      }
    }
    for (const event of [...outcome.fire, ...late]) this.notify(event);
    return { resultCode: 0, zxid: lastZxidAt(last!.revision) };
  }

  // --- writes ---

  async #runWrites(items: WriteItem[]): Promise<void> {
    const refused = await this.#admit(items[0]!.attempt);
    if (refused !== undefined) {
      for (const item of items) item.resolve({ resultCode: refused });
      return;
    }
    const writer: Writer = { sessionId: this.#id, authIds: this.#authIds };
    for (let at = 0; at < items.length;) {
      // Batches are answered as they commit, each once the watch has delivered its events.
      let answered = Promise.resolve();
      const committed = ({ replies, revision }: Committed) => {
        answered = answered.then(async () => {
          await this.#follow(revision, false);
          for (const reply of replies) {
            this.#noteEphemerals(items[at]!.request, reply);
            items[at++]!.resolve(reply);
          }
        });
      };
      const outcome = await this.#core.lane.commit(items.slice(at).map((item) => ({ request: item.request, writer })), committed);
      await answered;
      if (!("error" in outcome)) continue;
      const code = this.#failed(outcome.error);
      // etcd refused the Txn (nothing applied): that write fails, the next ones go on. Otherwise the
      // outcome is unknown or the session is gone: the batch and every write behind it fail.
      if (code === ErrorCode.BadArguments || code === ErrorCode.SystemError) items[at++]!.resolve({ resultCode: code });
      else for (; at < items.length; at++) items[at]!.resolve({ resultCode: code });
    }
  }

  #noteEphemerals(request: WriteRequest, reply: StoreReply): void {
    if (request.type === "create" && isEphemeral(request.mode) && reply.name) this.#ephemerals.add(reply.name);
    if (request.type !== "multi") return;
    request.ops.forEach((op, i) => {
      const name = reply.opResults?.[i]?.name;
      if (op.type === "create" && isEphemeral(op.mode) && name) this.#ephemerals.add(name);
    });
  }
}
