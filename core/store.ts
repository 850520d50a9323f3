// The seam between the KafkaMetastore client (handlers, pipelining, re-initialisation, chroot) and a
// backend (the memory store, ZooKeeper, etcd). A backend answers requests as ZooKeeper would.
import type { Request } from "./api/requests.ts";
import type { ACL } from "./api/acl.ts";
import type { Stat } from "./api/stat.ts";
import type { WatchEvent } from "./api/events.ts";

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
}

/**
 * Connection events of one session:
 * - `connected`: requests flow (initially and after a reconnect within the session timeout);
 * - `disconnected`: the link is down; in-flight requests got ConnectionLoss; the session may survive;
 * - `expired`: the session and its ephemerals are gone; this session object is dead;
 * - `auth-failed`: the store refused our credentials; this session object is dead.
 */
export type SessionEvent = "connected" | "disconnected" | "expired" | "auth-failed";

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
  /** Ends the session: ephemerals are deleted and watches dropped. */
  close(): Promise<void>;
}

/** Options a store receives for each new session. */
export interface SessionOptions {
  sessionTimeoutMs: number;
}

/** A backend that can open sessions. */
export interface Store {
  /** Opens a session; it reports `connected` (or a failure) through the listener. */
  openSession(listener: SessionListener, options: SessionOptions): StoreSession;
  /** Frees what the store holds for its clients (sockets, streams); sessions must be closed first. */
  close?(): Promise<void>;
}
