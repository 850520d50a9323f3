// The server's sessions: they outlive connections, expire when nothing is heard from their client
// for their timeout (as ZooKeeper's SessionTracker), and own one store session each.
import type { Clock, Timer } from "../clock.ts";
import type { WatchEvent } from "../api/events.ts";
import type { ServerSession, ServerStore, SessionEvent } from "../store.ts";
import { sha1 } from "../sha1.ts";
import { ErrorCode, KeeperError } from "../errors.ts";

/** What a session's current connection must be told. */
export interface SessionSink {
  /** A watch fired. */
  notify(event: WatchEvent): void;
  /** The session ended (expired, or its store lost it): the connection closes. */
  ended(): void;
}

/** One client session, whichever connection it is on. */
export class ServedSession {
  readonly id: bigint;
  readonly password: Uint8Array;
  readonly store: ServerSession;
  timeoutMs: number;
  sink: SessionSink | undefined;
  #lastHeard: number;
  #timer: Timer | undefined;
  #ended = false;
  readonly #table: SessionTable;

  constructor(table: SessionTable, store: ServerSession, password: Uint8Array, timeoutMs: number) {
    this.#table = table;
    this.store = store;
    this.id = store.sessionId;
    this.password = password;
    this.timeoutMs = timeoutMs;
    this.#lastHeard = table.clock.now();
    this.#arm(timeoutMs);
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Something was heard from the client: the session lives another timeout. */
  touch(): void {
    this.#lastHeard = this.#table.clock.now();
  }

  #arm(ms: number): void {
    this.#timer = this.#table.clock.setTimer(ms, () => {
      const left = this.#lastHeard + this.timeoutMs - this.#table.clock.now();
      if (left > 0) this.#arm(left);
      else void this.end("expired");
    });
  }

  detach(): void {
    this.#timer?.cancel();
  }

  /** Ends the session as closeSession or expiry does: its ephemerals go in one transaction. */
  async end(why: "closed" | "expired" | "lost"): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    this.#timer?.cancel();
    this.#table.forget(this, why);
    try {
      if (why !== "lost") await this.store.close();
    } finally {
      const sink = this.sink;
      this.sink = undefined;
      if (why !== "closed") sink?.ended();
    }
  }
}

/** Every live session of a server. */
export class SessionTable {
  readonly clock: Clock;
  readonly #store: ServerStore;
  readonly #secret: Uint8Array;
  readonly #sessions = new Map<bigint, ServedSession>();
  readonly #onEnd: (session: ServedSession, why: "closed" | "expired" | "lost") => void;

  constructor(
    store: ServerStore,
    clock: Clock,
    secret: Uint8Array,
    onEnd: (session: ServedSession, why: "closed" | "expired" | "lost") => void,
  ) {
    this.#store = store;
    this.clock = clock;
    this.#secret = secret;
    this.#onEnd = onEnd;
  }

  get size(): number {
    return this.#sessions.size;
  }

  sessions(): IterableIterator<ServedSession> {
    return this.#sessions.values();
  }

  get(id: bigint): ServedSession | undefined {
    return this.#sessions.get(id);
  }

  /**
   * A session's password: derived from its id and the server's secret, as ZooKeeper derives it, so
   * a resuming client is checked without storing passwords.
   */
  passwordOf(id: bigint): Uint8Array {
    const bytes = new Uint8Array(this.#secret.length + 8);
    bytes.set(this.#secret);
    new DataView(bytes.buffer).setBigInt64(this.#secret.length, id);
    return sha1(bytes).slice(0, 16);
  }

  /** Opens a session on the store; resolves once the store has granted it. */
  open(timeoutMs: number): Promise<ServedSession> {
    return new Promise((resolve, reject) => {
      let session: ServedSession | undefined;
      const store = this.#store.openSession({
        onWatch: (event) => session?.sink?.notify(event),
        onSessionEvent: (event: SessionEvent) => {
          if (event === "connected" && session === undefined) {
            session = new ServedSession(this, store, this.passwordOf(store.sessionId), store.timeoutMs);
            this.#sessions.set(session.id, session);
            resolve(session);
          } else if (event === "expired" || event === "auth-failed") {
            if (session) void session.end("lost");
            else reject(new KeeperError(ErrorCode.ConnectionLoss, `The store refused a new session (${event})`));
          }
        },
      }, { sessionTimeoutMs: timeoutMs });
    });
  }

  /** Stops every session's expiry timer without ending it: the server goes, its sessions stay in the store. */
  detach(): void {
    for (const session of this.#sessions.values()) session.detach();
  }

  forget(session: ServedSession, why: "closed" | "expired" | "lost"): void {
    if (this.#sessions.get(session.id) === session) this.#sessions.delete(session.id);
    this.#onEnd(session, why);
  }
}
