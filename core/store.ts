// The seam between the KafkaMetastore client (handlers, pipelining, re-initialisation, chroot) and a
// backend (the memory store, ZooKeeper, etcd). A backend answers requests as ZooKeeper would.
import type { Request } from "./api/requests.ts";
import type { ACL } from "./api/acl.ts";
import type { Stat } from "./api/stat.ts";
import type { WatchEvent } from "./api/events.ts";
import type { Credentials, Id } from "./api/acl.ts";

/** What a backend answers for one request; the client adds path, ctx and timing. */
export interface StoreReply {
  resultCode: number;
  name?: string;
  stat?: Stat;
  data?: Uint8Array | null;
  children?: string[];
  acl?: ACL[];
  /** Multi: one entry per op. */
  opResults?: { resultCode: number; name?: string; stat?: Stat }[];
  /** getEphemerals: absolute paths. */
  paths?: string[];
  /** getAllChildrenNumber. */
  count?: number;
  /** The store's last zxid when it answered (a write's own zxid): what a server puts in the reply header. */
  zxid?: bigint;
}

/** How a persistent watch (addWatch) covers its path: the node alone, or the whole subtree. */
export type PersistentWatchMode = "persistent" | "persistentRecursive";

/** Watcher types of checkWatches/removeWatches, as ZooKeeper numbers them. */
export type WatcherTypeCode = 1 | 2 | 3 | 4 | 5;

/**
 * Requests a ZooKeeper-protocol server passes on beyond the client's: the ops of ZooKeeper 3.5+ and
 * the watch re-arming a reconnecting client sends. Paths are absolute and validated.
 */
export type ServerRequest =
  | { type: "sync"; path: string }
  /** The session's ephemerals whose path starts with `path` (a string prefix; "" or "/" for all). */
  | { type: "getEphemerals"; path: string }
  /** How many nodes lie below `path`, at any depth. */
  | { type: "getAllChildrenNumber"; path: string }
  | { type: "addWatch"; path: string; mode: PersistentWatchMode }
  /** NoWatcher when the session holds no such watch; `remove` also removes it. */
  | { type: "removeWatches"; path: string; watcherType: WatcherTypeCode; remove: boolean }
  /**
   * Re-arms a reconnecting client's watches, firing at once those whose node changed after
   * `relativeZxid` (ZooKeeper's DataTree.setWatches).
   */
  | {
    type: "setWatches";
    relativeZxid: bigint;
    data: readonly string[];
    exist: readonly string[];
    child: readonly string[];
    persistent: readonly string[];
    persistentRecursive: readonly string[];
  };

/** Whatever a server session may ask of its store. */
export type StoreRequest = Request | ServerRequest;

const SERVER_REQUESTS: ReadonlySet<string> = new Set<ServerRequest["type"]>([
  "sync", "getEphemerals", "getAllChildrenNumber", "addWatch", "removeWatches", "setWatches",
]);

/** True for the requests only a ZooKeeper-protocol server sends. */
export function isServerRequest(request: StoreRequest): request is ServerRequest {
  return SERVER_REQUESTS.has(request.type);
}

/**
 * Connection events of one session:
 * - `connected`: requests flow (initially and after a reconnect within the session timeout);
 * - `disconnected`: the link is down; in-flight requests got ConnectionLoss; the session may survive;
 * - `expired`: the session and its ephemerals are gone; this session object is dead;
 * - `auth-failed`: the store refused our credentials; this session object is dead;
 * - `moved`: (server sessions) another server resumed the session, or a pass-through store let go of
 *   it when its connection went; this handle is dead, the session lives.
 */
export type SessionEvent = "connected" | "disconnected" | "expired" | "auth-failed" | "moved";

/** Receives a session's events, in the order the store produced them. */
export interface SessionListener {
  /** A one-shot watch fired (path absolute in the store, before any chroot is stripped). */
  onWatch(event: WatchEvent): void;
  onSessionEvent(event: SessionEvent): void;
}

/** One session with a store. */
export interface StoreSession {
  /** The session id (ZooKeeper session id, etcd lease id); 0n until connected. */
  readonly sessionId: bigint;
  /**
   * How many requests the store carries in one round trip (etcd coalesces reads into one Txn).
   * The client scales its in-flight window by it, so `maxInFlightRequests` bounds round trips to
   * the store rather than requests. Absent means 1 (ZooKeeper: one frame per request).
   */
  readonly requestsPerRoundTrip?: number;
  /**
   * Sends one request with absolute, validated paths; `watch` arms the request's one-shot watch.
   * Resolves with the store's result code; never rejects for ZooKeeper result codes (a lost link is
   * a ConnectionLoss reply). Replies to one session resolve in submission order.
   */
  submit(request: Request, watch: boolean): Promise<StoreReply>;
  /**
   * Presents credentials for the rest of the session, before the requests submitted after it
   * (ZooKeeper's addAuth). zk:// sends them to the server; stores that judge ACLs themselves
   * (memory, etcd) take the digest scheme and throw BadArguments for another.
   */
  addAuth?(credentials: Credentials): void;
  /** The largest request frame body the store takes (default 0xFFFFF, a ZooKeeper server's jute.maxbuffer). */
  readonly maxRequestBytes?: number;
  /** Ends the session: ephemerals are deleted and watches dropped. */
  close(): Promise<void>;
}

/** Options a store receives for each new session. */
export interface SessionOptions {
  sessionTimeoutMs: number;
}

/**
 * A session as a ZooKeeper-protocol server drives it: every request a 3.8 client can send, the
 * identities of the connection it arrives on, and its watches dropped when that connection goes
 * (the client re-arms them with setWatches, as with a ZooKeeper server).
 */
export interface ServerSession extends StoreSession {
  /** The timeout the store granted (clamped to its bounds). */
  readonly timeoutMs: number;
  /**
   * The password a client resumes the session with, when the store chose it rather than the server
   * (a ZooKeeper pass-through: the ZooKeeper servers' own).
   */
  readonly password?: Uint8Array;
  submit(request: StoreRequest, watch: boolean): Promise<StoreReply>;
  /** The identities ACLs are judged against from now on (the connection's ip, digests, super). */
  setIdentities(ids: readonly Id[]): void;
  /**
   * Given the credentials of every auth packet the server accepted, by a store whose own servers
   * judge ACLs (a ZooKeeper pass-through); stores judging ACLs themselves go by setIdentities.
   */
  forwardAuth?(credentials: Credentials): void;
  /**
   * The session's connection is gone: its watches go (the client re-arms them with setWatches).
   * A pass-through store also lets go of its own link, so its servers time the session; that
   * handle then ends with `moved`.
   */
  dropWatches(): void;
  /** The client was heard from: the session lives another timeout. */
  touch(): void;
}

/**
 * What a server opens a session with. The store owns the session from then on: it expires it when no
 * server has touched it for its timeout, and any server over the same store may resume it.
 */
export interface ServerSessionOptions extends SessionOptions {
  /** Checked when a client resumes the session, on whichever server it reconnects to. */
  password: Uint8Array;
}

/** A store a ZooKeeper-protocol server can serve; several servers over one store act as one ensemble. */
export interface ServerStore extends Store {
  openSession(listener: SessionListener, options: ServerSessionOptions): ServerSession;
  /**
   * Takes over a live session, wherever it was opened: the previous handle learns `moved`, events go
   * to `listener` from now on, and the session comes back without watches (the client re-arms what
   * it wants). Undefined when the session is unknown, expired, or the password differs; rejects when
   * the store cannot tell.
   */
  resumeSession(
    sessionId: bigint,
    password: Uint8Array,
    listener: SessionListener,
    /** The timeout the client asks for now (a pass-through store asks its servers; others keep the session's). */
    options?: SessionOptions,
  ): Promise<ServerSession | undefined>;
  /** The last zxid the store has applied, for handshakes (a client ahead of it is refused). */
  currentZxid(): Promise<bigint>;
  /** What the store can tell about its tree and watches, for `mntr`, `srvr` and metrics. */
  summary?(): StoreSummary;
}

/** Sizes a store reports to a server's monitoring. */
export interface StoreSummary {
  nodes: number;
  ephemerals: number;
  dataBytes: number;
  watches: { total: number; paths: number; sessions: number };
}

/** A backend that can open sessions. */
export interface Store {
  /** Opens a session; it reports `connected` (or a failure) through the listener. */
  openSession(listener: SessionListener, options: SessionOptions): StoreSession;
  /** Frees what the store holds for its clients (sockets, streams); sessions must be closed first. */
  close?(): Promise<void>;
}
