// The sessions a server is serving. The store owns them (it expires a session nobody touches for its
// timeout, and checks a resuming client's password), so several servers over one store are one
// ensemble: a client may resume its session on any of them.
import type { WatchEvent } from "../api/events.ts";
import type { ServerSession, ServerStore, SessionEvent, SessionListener } from "../store.ts";
import { sha1 } from "../sha1.ts";
import { ErrorCode, KeeperError } from "../errors.ts";
import type { OracleShadow } from "./oracle.ts";

/** What a session's current connection must be told. */
export interface SessionSink {
  /** A watch fired. */
  notify(event: WatchEvent): void;
  /** The session ended (expired, closed elsewhere) or moved to another server: the connection closes. */
  ended(): void;
}

/** One client session served here, whichever of this server's connections it is on. */
export class ServedSession {
  readonly id: bigint;
  readonly password: Uint8Array;
  readonly store: ServerSession;
  sink: SessionSink | undefined;
  /** Cross-check mode: the same session on a reference ZooKeeper. */
  shadow: OracleShadow | undefined;
  #ended = false;
  readonly #table: SessionTable;

  constructor(table: SessionTable, store: ServerSession, password: Uint8Array) {
    this.#table = table;
    this.store = store;
    this.id = store.sessionId;
    this.password = password;
  }

  get timeoutMs(): number {
    return this.store.timeoutMs;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** closeSession: its ephemerals go in one transaction, then the session is gone everywhere. */
  async close(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    this.#table.forget(this);
    const shadowClosed = this.shadow?.close();
    await this.store.close();
    await shadowClosed;
  }

  /** The store ended the session, or another server took it: this server lets go of it. */
  lost(why: SessionEvent): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#table.forget(this, why);
    const sink = this.sink;
    this.sink = undefined;
    sink?.ended();
    // Expired or closed elsewhere: the reference session ends too (its ephemerals with it).
    if (why !== "moved") void this.shadow?.close();
  }
}

/** Every session this server serves. */
export class SessionTable {
  readonly #store: ServerStore;
  readonly #secret: Uint8Array;
  readonly #sessions = new Map<bigint, ServedSession>();
  readonly #onLost: (session: ServedSession, why: SessionEvent) => void;
  #minted = 0n;

  constructor(store: ServerStore, secret: Uint8Array, onLost: (session: ServedSession, why: SessionEvent) => void) {
    this.#store = store;
    this.#secret = secret;
    this.#onLost = onLost;
  }

  get size(): number {
    return this.#sessions.size;
  }

  get(id: bigint): ServedSession | undefined {
    return this.#sessions.get(id);
  }

  /** A fresh 16-byte password: derived from the server's secret and a counter, never repeated. */
  #password(): Uint8Array {
    const bytes = new Uint8Array(this.#secret.length + 8);
    bytes.set(this.#secret);
    new DataView(bytes.buffer).setBigInt64(this.#secret.length, this.#minted++);
    return sha1(bytes).slice(0, 16);
  }

  /** Opens a session on the store; resolves once the store has granted it. */
  open(timeoutMs: number): Promise<ServedSession> {
    const password = this.#password();
    return new Promise((resolve, reject) => {
      let session: ServedSession | undefined;
      const store = this.#store.openSession(this.#listener(() => session, (event) => {
        if (event === "connected" && session === undefined) {
          session = this.#add(store, store.password ?? password);
          resolve(session);
        } else if (session === undefined && event !== "disconnected") {
          reject(new KeeperError(ErrorCode.ConnectionLoss, `The store refused a new session (${event})`));
        }
      }), { sessionTimeoutMs: timeoutMs, password });
    });
  }

  /** A live session of this store with this password, from this server or taken over from another. */
  async resume(id: bigint, password: Uint8Array, timeoutMs: number): Promise<ServedSession | undefined> {
    const here = this.#sessions.get(id);
    if (here && !here.ended) return samePassword(here.password, password) ? here : undefined;
    const taken: { session?: ServedSession } = {};
    const store = await this.#store.resumeSession(id, password, this.#listener(() => taken.session, () => {}), { sessionTimeoutMs: timeoutMs });
    if (store === undefined) return undefined;
    return (taken.session = this.#add(store, password));
  }

  #add(store: ServerSession, password: Uint8Array): ServedSession {
    const session = new ServedSession(this, store, password);
    this.#sessions.set(session.id, session);
    return session;
  }

  #listener(session: () => ServedSession | undefined, opening: (event: SessionEvent) => void): SessionListener {
    return {
      onWatch: (event) => {
        const s = session();
        s?.shadow?.event(event);
        s?.sink?.notify(event);
      },
      onSessionEvent: (event) => {
        const s = session();
        if (s && (event === "expired" || event === "auth-failed" || event === "moved")) s.lost(event);
        else opening(event);
      },
    };
  }

  forget(session: ServedSession, why?: SessionEvent): void {
    if (this.#sessions.get(session.id) === session) this.#sessions.delete(session.id);
    if (why) this.#onLost(session, why);
  }
}

function samePassword(a: Uint8Array, b: Uint8Array | null): boolean {
  return b !== null && a.length === b.length && a.every((v, i) => v === b[i]);
}
