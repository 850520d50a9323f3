// Kafka's ZooKeeperClient behaviour over any Store: handler maps, read-armed watches, pipelined
// batches, and the re-initialisation that replaces an expired session.
import type { Clock, Timer } from "../clock.ts";
import type { Request } from "../api/requests.ts";
import type { Response, ResponseFor } from "../api/responses.ts";
import type { StateChangeHandler, ZNodeChangeHandler, ZNodeChildChangeHandler } from "../api/handlers.ts";
import type { ConnectionState, KafkaMetastore, MetastoreOptions } from "../api/metastore.ts";
import type { SessionEvent, Store, StoreSession } from "../store.ts";
import type { Credentials } from "../api/acl.ts";
import { EventType, type WatchEvent } from "../api/events.ts";
import { ClientClosedError, ErrorCode, KeeperError } from "../errors.ts";
import { type Chroot, createChroot } from "./chroot.ts";
import { checkCredentials, validateRequest } from "./validate.ts";
import { MAX_REQUEST_FRAME_BYTES, requestFrameBytes } from "./frame_size.ts";
import { runWindowed } from "./window.ts";
import { asConnectionLoss, buildResponse } from "./responses.ts";

/** Kafka's defaults. */
export const DEFAULT_SESSION_TIMEOUT_MS = 18000;
export const DEFAULT_MAX_IN_FLIGHT_REQUESTS = 10;
/** 1 MiB, the order of ZooKeeper's jute.maxbuffer. */
export const DEFAULT_MAX_DATA_BYTES: number = 1024 * 1024;
/** Kafka's pause before re-initialising after an authentication failure. */
const RETRY_BACKOFF_MS = 1000;

/** What a client needs besides its options: the store, time, and where errors in user handlers go. */
export interface MetastoreDeps {
  store: Store;
  clock: Clock;
  /** Client paths live under this store path ("/" for none). */
  chroot?: string;
  /**
   * Receives exceptions thrown (or promises rejected) by registered handlers, with the handler's
   * path or name; they never stop the client. Default: none (connect() passes the runtime's logger).
   */
  onHandlerError?: (error: unknown, handler: string) => void;
  /** Close the store with the client (a network store opened for it, not a shared memory store). */
  ownsStore?: boolean;
}

/** Creates a client; it starts connecting at once (see `waitUntilConnected`). */
export function createMetastore(deps: MetastoreDeps, options: MetastoreOptions = {}): KafkaMetastore {
  return new MetastoreClient(deps, options);
}

class MetastoreClient implements KafkaMetastore {
  readonly #store: Store;
  readonly #ownsStore: boolean;
  readonly #clock: Clock;
  readonly #chroot: Chroot;
  readonly #onHandlerError: (error: unknown, handler: string) => void;
  readonly #sessionTimeoutMs: number;
  readonly #maxInFlight: number;
  readonly #maxDataBytes: number;

  readonly #nodeHandlers = new Map<string, ZNodeChangeHandler>();
  readonly #childHandlers = new Map<string, ZNodeChildChangeHandler>();
  readonly #stateHandlers = new Map<string, StateChangeHandler>();

  #session!: StoreSession;
  /** Every credential given (options and addAuth), presented again to each new session. */
  readonly #credentials: Credentials[] = [];
  /** Bumped per session so late events of a replaced session are ignored. */
  #generation = 0;
  #state: ConnectionState = "CONNECTING";
  #closed = false;
  #firstConnected = false;
  readonly #stateWaiters = new Set<() => void>();
  /** Set while a new session replaces an expired one: sends wait for it (Kafka's write lock). */
  #reinitializing: Promise<void> | undefined;
  #reinitTimer: Timer | undefined;
  /** The whole running re-initialisation, handlers included: close() waits for it, as Kafka's does. */
  #reinitTask: Promise<void> | undefined;
  /** Watch callbacks run one at a time, in arrival order. */
  #dispatch: Promise<void> = Promise.resolve();

  constructor(deps: MetastoreDeps, options: MetastoreOptions) {
    this.#store = deps.store;
    this.#ownsStore = deps.ownsStore ?? false;
    this.#clock = deps.clock;
    this.#chroot = createChroot(deps.chroot ?? "/");
    this.#onHandlerError = deps.onHandlerError ?? (() => {});
    this.#sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.#maxInFlight = options.maxInFlightRequests ?? DEFAULT_MAX_IN_FLIGHT_REQUESTS;
    this.#maxDataBytes = options.maxDataBytes ?? DEFAULT_MAX_DATA_BYTES;
    if (!(this.#maxInFlight >= 1)) {
      throw new KeeperError(ErrorCode.BadArguments, `maxInFlightRequests must be >= 1, got ${this.#maxInFlight}`);
    }
    for (const c of options.auth ?? []) this.#credentials.push(checkCredentials(c));
    this.#openSession();
  }

  get sessionId(): bigint {
    return this.#session.sessionId;
  }

  get connectionState(): ConnectionState {
    return this.#state;
  }

  registerZNodeChangeHandler(handler: ZNodeChangeHandler): void {
    this.#nodeHandlers.set(handler.path, handler);
  }
  unregisterZNodeChangeHandler(path: string): void {
    this.#nodeHandlers.delete(path);
  }
  registerZNodeChildChangeHandler(handler: ZNodeChildChangeHandler): void {
    this.#childHandlers.set(handler.path, handler);
  }
  unregisterZNodeChildChangeHandler(path: string): void {
    this.#childHandlers.delete(path);
  }
  registerStateChangeHandler(handler: StateChangeHandler): void {
    if (handler) this.#stateHandlers.set(handler.name, handler);
  }
  unregisterStateChangeHandler(name: string): void {
    this.#stateHandlers.delete(name);
  }

  addAuth(credentials: Credentials): void {
    if (this.#closed) throw new ClientClosedError("The client is closed: open a new one with connect()");
    const checked = checkCredentials(credentials);
    this.#present(this.#session, checked);
    this.#credentials.push(checked);
  }

  /** Gives the session credentials; a store that cannot authenticate at all refuses them. */
  #present(session: StoreSession, credentials: Credentials): void {
    if (!session.addAuth) throw new KeeperError(ErrorCode.Unimplemented, "This store does not authenticate clients");
    session.addAuth(credentials);
  }

  // What handleRequests does for a batch of one, without its window: a single read or write then
  // costs one async call of ours (#send), not five.
  handleRequest<R extends Request>(request: R): Promise<ResponseFor<R>> {
    try {
      if (this.#closed) throw new ClientClosedError("The client is closed: open a new one with connect()");
      validateRequest(request, this.#maxDataBytes);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#send(request) as Promise<ResponseFor<R>>;
  }

  async handleRequests(requests: readonly Request[]): Promise<Response[]> {
    if (this.#closed) throw new ClientClosedError("The client is closed: open a new one with connect()");
    for (const request of requests) validateRequest(request, this.#maxDataBytes);
    // A lost link fails everything sent after it, as one ZooKeeper connection's FIFO order would; so
    // after the first ConnectionLoss the rest of the batch is not sent at all (it could only fail, or
    // worse, apply on a new connection while reported as lost).
    const lostLink = (r: Response) => r.resultCode === ErrorCode.ConnectionLoss;
    const window = this.#maxInFlight * (this.#session.requestsPerRoundTrip ?? 1);
    const results = await runWindowed(requests.length, window, (i) => this.#send(requests[i]!), lostLink);
    const lost = results.findIndex((r) => r !== undefined && lostLink(r));
    const now = this.#clock.now();
    return results.map((r, i) => {
      if (lost < 0 || i <= lost) return r!;
      if (r !== undefined) return asConnectionLoss(r);
      return buildResponse(requests[i]!, { resultCode: ErrorCode.ConnectionLoss }, { sendTimeMs: now, receivedTimeMs: now });
    });
  }

  async waitUntilConnected(timeoutMs: number = Infinity): Promise<void> {
    const deadline = this.#clock.now() + timeoutMs;
    for (;;) {
      if (this.#closed) throw new ClientClosedError("The client is closed: open a new one with connect()");
      switch (this.#state) {
        case "CONNECTED":
          return;
        case "AUTH_FAILED":
          throw new KeeperError(ErrorCode.AuthFailed, "Authentication with the store failed");
        case "CLOSED":
          throw new KeeperError(ErrorCode.SessionExpired, "Client is closed or its session expired");
      }
      const remaining = deadline - this.#clock.now();
      if (remaining <= 0) {
        throw new KeeperError(ErrorCode.OperationTimeout, `Timed out waiting for connection while in state: ${this.#state}`);
      }
      await this.#stateChange(remaining);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#reinitTimer?.cancel();
    await this.#reinitTask;
    this.#nodeHandlers.clear();
    this.#childHandlers.clear();
    this.#stateHandlers.clear();
    this.#generation++;
    this.#setState("CLOSED");
    try {
      await this.#session.close();
    } finally {
      if (this.#ownsStore) await this.#store.close?.();
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // Not an async function: its frame and await cost about 300 bytes a request (of ~4.2 KB a getData
  // allocates at 10 in flight), and its CPU with them.
  #send(request: Request): Promise<Response> {
    const reinitializing = this.#reinitializing;
    if (reinitializing) return reinitializing.then(() => this.#send(request));
    const sendTimeMs = this.#clock.now();
    try {
      const stored = this.#chroot.request(request);
      // Refused alike by every store: what would escape the chroot, and what a ZooKeeper server could
      // not read (a frame over its jute.maxbuffer, which it answers by dropping the connection).
      if (this.#chroot.escapes(request) || requestFrameBytes(stored) > (this.#session.maxRequestBytes ?? MAX_REQUEST_FRAME_BYTES)) {
        return Promise.resolve(buildResponse(request, { resultCode: ErrorCode.BadArguments }, { sendTimeMs, receivedTimeMs: sendTimeMs }));
      }
      return this.#session.submit(stored, this.#shouldWatch(request)).then((reply) => {
        if (request.type === "create" && reply.name !== undefined) reply.name = this.#chroot.fromStore(reply.name) ?? reply.name;
        for (const r of reply.opResults ?? []) if (r.name !== undefined) r.name = this.#chroot.fromStore(r.name) ?? r.name;
        return buildResponse(request, reply, { sendTimeMs, receivedTimeMs: this.#clock.now() });
      });
    } catch (e) {
      return Promise.reject(e); // as the async function did: a throw rejects, never escapes
    }
  }

  /** Kafka's shouldWatch: a watch is armed only where a handler waits for it. */
  #shouldWatch(request: Request): boolean {
    switch (request.type) {
      case "exists":
      case "getData":
        return this.#nodeHandlers.has(request.path);
      case "getChildren":
        return request.registerWatch && this.#childHandlers.has(request.path);
      default:
        return false;
    }
  }

  #openSession(): void {
    const generation = ++this.#generation;
    this.#session = this.#store.openSession(
      {
        onWatch: (event) => generation === this.#generation && this.#onWatch(event),
        onSessionEvent: (event) => generation === this.#generation && this.#onSessionEvent(event),
      },
      { sessionTimeoutMs: this.#sessionTimeoutMs },
    );
    // Before any request: ZooKeeper's client sends its auth packets first on every connection.
    try {
      for (const c of this.#credentials) this.#present(this.#session, c);
    } catch (e) {
      // Credentials this store refuses outright (only ever the first session's): leave nothing open.
      void this.#session.close().catch(() => {});
      throw e;
    }
  }

  #onSessionEvent(event: SessionEvent): void {
    switch (event) {
      case "connected":
        this.#firstConnected = true;
        this.#setState("CONNECTED");
        break;
      case "disconnected":
        this.#setState("CONNECTING");
        break;
      case "expired":
        this.#setState("CLOSED");
        this.#startReinitialize();
        break;
      case "auth-failed":
        this.#setState("AUTH_FAILED");
        for (const h of this.#stateHandlers.values()) this.#guard(h.name, () => h.onAuthFailure?.());
        // During start-up an auth failure is final; later, Kafka retries after a pause.
        if (this.#firstConnected) {
          this.#reinitTimer = this.#clock.setTimer(RETRY_BACKOFF_MS, () => this.#startReinitialize());
        }
        break;
    }
  }

  #startReinitialize(): void {
    if (this.#reinitTask) return;
    this.#reinitTask = this.#reinitialize().finally(() => (this.#reinitTask = undefined));
  }

  /** Kafka's reinitialize(): before handlers, a new session, after handlers; one handler's failure stops none. */
  async #reinitialize(): Promise<void> {
    if (this.#closed) return;
    for (const h of [...this.#stateHandlers.values()]) {
      // Awaited only when asynchronous, so synchronous handlers leave no window for sends to the dead session.
      const result = this.#guard(h.name, () => h.beforeInitializingSession?.());
      if (result instanceof Promise) await result.catch((e) => this.#onHandlerError(e, h.name));
    }
    if (this.#closed) return;
    let release!: () => void;
    this.#reinitializing = new Promise((resolve) => (release = resolve));
    try {
      const old = this.#session;
      this.#setState("CONNECTING");
      this.#openSession();
      await old.close().catch(() => {});
    } finally {
      this.#reinitializing = undefined;
      release();
    }
    for (const h of [...this.#stateHandlers.values()]) {
      const result = this.#guard(h.name, () => h.afterInitializingSession?.());
      if (result instanceof Promise) await result.catch((e) => this.#onHandlerError(e, h.name));
    }
  }

  #onWatch(event: WatchEvent): void {
    const path = this.#chroot.fromStore(event.path);
    if (path === undefined) return;
    this.#dispatch = this.#dispatch.then(() => {
      if (event.type === EventType.NodeChildrenChanged) {
        const h = this.#childHandlers.get(path);
        if (h) this.#report(h.path, this.#guard(h.path, () => h.handleChildChange?.()));
        return;
      }
      const h = this.#nodeHandlers.get(path);
      if (!h) return;
      if (event.type === EventType.NodeCreated) this.#report(path, this.#guard(path, () => h.handleCreation?.()));
      else if (event.type === EventType.NodeDeleted) this.#report(path, this.#guard(path, () => h.handleDeletion?.()));
      else if (event.type === EventType.NodeDataChanged) this.#report(path, this.#guard(path, () => h.handleDataChange?.()));
    });
  }

  /** A watch handler typed as returning void may still return a promise: its rejection is reported, not lost. */
  #report(name: string, result: unknown): void {
    if (result instanceof Promise) result.catch((e) => this.#onHandlerError(e, name));
  }

  #guard<T>(name: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      this.#onHandlerError(e, name);
      return undefined;
    }
  }

  #setState(state: ConnectionState): void {
    if (this.#closed && state !== "CLOSED") return;
    this.#state = state;
    for (const wake of [...this.#stateWaiters]) wake();
  }

  /** Resolves at the next state change, or after `ms`. */
  #stateChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        timer?.cancel();
        this.#stateWaiters.delete(done);
        resolve();
      };
      this.#stateWaiters.add(done);
      const timer = Number.isFinite(ms) ? this.#clock.setTimer(ms, done) : undefined;
    });
  }
}
