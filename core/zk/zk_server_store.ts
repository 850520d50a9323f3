// `kmeta serve --store zk://`: a ZooKeeper-protocol server passing its clients' sessions on to a real
// ZooKeeper ensemble. Each client connection is one connection there, with the ensemble's own session
// id and password: ZooKeeper judges every request, ACL and session timeout itself, and any server in
// front of the same ensemble can resume a session, so several of them need no shared state.
//
// A session is held here only while its client is connected. When the client goes (or the link to
// ZooKeeper does), this side lets go without closing the session, exactly as a client's own
// connection to ZooKeeper would end: ZooKeeper's session timer runs, and the client resumes wherever
// it reconnects, re-arming its watches (persistent ones included) with setWatches.
import type { Clock, Timer } from "../clock.ts";
import type { Credentials } from "../api/acl.ts";
import { ErrorCode, KeeperError } from "../errors.ts";
import {
  isServerRequest,
  type ServerSession,
  type ServerSessionOptions,
  type ServerStore,
  type SessionEvent,
  type SessionListener,
  type StoreReply,
  type StoreRequest,
} from "../store.ts";
import { toWireRequest, toWireServerRequest } from "./records_api.ts";
import { OpCode } from "./opcodes.ts";
import { toStoreReply } from "./zk_replies.ts";
import {
  createZooKeeperStore,
  type ZooKeeperSession,
  type ZooKeeperSessionOptions,
  type ZooKeeperStore,
  type ZooKeeperStoreOptions,
} from "./zk_store.ts";
import { encodeJavaUtf8 } from "./utf8.ts";

/** How long a session may take to reach the ensemble before the client's handshake is given up on. */
const DEFAULT_REACH_MS = 10000;

/** The timeout of the session that answers handshakes' zxid questions. */
const PROBE_TIMEOUT_MS = 30000;

export interface ZooKeeperServerStoreOptions extends Omit<ZooKeeperStoreOptions, "connectionTimeoutMs" | "auth"> {
  /** Bound on reaching the ensemble for one client's session (default 10 s). */
  reachMs?: number;
}

/** A ServerStore whose sessions are a ZooKeeper ensemble's. */
export function createZooKeeperServerStore(options: ZooKeeperServerStoreOptions): ServerStore & { close(): Promise<void> } {
  const reachMs = options.reachMs ?? DEFAULT_REACH_MS;
  const upstream = createZooKeeperStore({ ...options, connectionTimeoutMs: reachMs });
  const held = new Set<PassThroughSession>();
  let probe: ZooKeeperSession | undefined;
  const start = (listener: SessionListener, sessionOptions: ZooKeeperSessionOptions) => {
    const session: PassThroughSession = new PassThroughSession(listener, options.clock, reachMs, () => held.delete(session));
    held.add(session);
    session.open(upstream, sessionOptions);
    return session;
  };
  return {
    openSession(listener: SessionListener, sessionOptions: ServerSessionOptions): ServerSession {
      // The ensemble chooses the id and password (the server's proposal is not used): see `password`.
      return start(listener, { sessionTimeoutMs: sessionOptions.sessionTimeoutMs });
    },
    async resumeSession(sessionId, password, listener, resumeOptions) {
      const session = start(listener, { sessionTimeoutMs: resumeOptions?.sessionTimeoutMs ?? PROBE_TIMEOUT_MS, resume: { sessionId, password } });
      const reached = await session.reached;
      if (reached === "unreachable") throw new KeeperError(ErrorCode.ConnectionLoss, `No ZooKeeper server answered within ${reachMs} ms`);
      return reached === "connected" ? session : undefined;
    },
    async currentZxid() {
      // A read's reply header carries the zxid its server has applied.
      probe ??= upstream.openSession({ onWatch: () => {}, onSessionEvent: () => {} }, { sessionTimeoutMs: PROBE_TIMEOUT_MS });
      const reply = await probe.send({ type: OpCode.Exists, path: "/", watch: false });
      if (reply.err === ErrorCode.SessionExpired) probe = undefined;
      if (reply.zxid === undefined) throw new KeeperError(reply.err, "No ZooKeeper server answered");
      return reply.zxid;
    },
    async close() {
      // Sessions stay in ZooKeeper for their clients to resume on another server.
      await Promise.all([...held].map((s) => s.letGo()));
      await upstream.close();
    },
  };
}

/** How a session's first handshake with the ensemble went. */
type Reached = "connected" | "ended" | "unreachable";

/** One client's session while its client is connected here. */
class PassThroughSession implements ServerSession {
  listener: SessionListener;
  /** Settles with the first handshake's outcome, or "unreachable" when none came within reachMs. */
  readonly reached: Promise<Reached>;
  #settle!: (reached: Reached) => void;
  #inner: ZooKeeperSession | undefined;
  #state: "reaching" | "held" | "gone" = "reaching";
  readonly #timer: Timer;
  readonly #forget: () => void;

  constructor(listener: SessionListener, clock: Clock, reachMs: number, forget: () => void) {
    this.listener = listener;
    this.#forget = forget;
    this.reached = new Promise((resolve) => (this.#settle = resolve));
    this.#timer = clock.setTimer(reachMs, () => {
      if (this.#state !== "reaching") return;
      this.#gone();
      void this.#inner?.detach(); // no more attempts on an ensemble that did not answer
      this.#settle("unreachable");
      // The server is waiting for the session to open: this ends that wait.
      this.listener.onSessionEvent("expired");
    });
  }

  open(upstream: ZooKeeperStore, options: ZooKeeperSessionOptions): void {
    this.#inner = upstream.openSession({
      onWatch: (event) => this.listener.onWatch(event),
      onSessionEvent: (event) => this.#event(event),
    }, options);
  }

  get sessionId(): bigint {
    return this.#inner?.sessionId ?? 0n;
  }

  get timeoutMs(): number {
    return this.#inner?.timeoutMs ?? 0;
  }

  get password(): Uint8Array | undefined {
    return this.#inner?.credentials?.password;
  }

  submit(request: StoreRequest, watch: boolean): Promise<StoreReply> {
    const inner = this.#inner!;
    const wire = isServerRequest(request) ? toWireServerRequest(request) : toWireRequest(request, watch);
    // zxids matter to the server (handshakes, sync): the reply header carries them.
    return inner.send(wire).then((r) => {
      const reply = toStoreReply(r.err, r.body);
      if (r.zxid !== undefined && r.zxid >= 0n) reply.zxid = r.zxid;
      return reply;
    });
  }

  /** ZooKeeper knows this side's address, not the client's: ip ACLs are judged there against it. */
  setIdentities(): void {}

  forwardAuth(credentials: Credentials): void {
    const auth = typeof credentials.auth === "string" ? encodeJavaUtf8(credentials.auth) : credentials.auth;
    this.#inner!.addAuth({ scheme: credentials.scheme, auth });
  }

  /** The client left: so does this side's link, and ZooKeeper times the session from now. */
  dropWatches(): void {
    if (this.#state !== "held") return;
    void this.letGo();
    this.listener.onSessionEvent("moved");
  }

  /** ZooKeeper hears from this side's link on its own (pings). */
  touch(): void {}

  close(): Promise<void> {
    this.#gone();
    return this.#inner!.close();
  }

  /** Closes the link without closing the session. */
  letGo(): Promise<void> {
    this.#gone();
    return this.#inner!.detach();
  }

  #event(event: SessionEvent): void {
    if (this.#state === "gone") return;
    if (this.#state === "reaching") {
      this.#timer.cancel();
      this.#state = event === "connected" ? "held" : "gone";
      if (this.#state === "gone") this.#forget();
      this.#settle(event === "connected" ? "connected" : "ended");
      this.listener.onSessionEvent(event);
      return;
    }
    // A lost link is not re-established here: the client's reconnect resumes the session wherever it goes.
    if (event === "disconnected") {
      this.dropWatches();
      return;
    }
    if (event === "expired" || event === "auth-failed") this.#gone();
    this.listener.onSessionEvent(event);
  }

  #gone(): void {
    if (this.#state === "gone") return;
    this.#state = "gone";
    this.#timer.cancel();
    this.#forget();
  }
}
