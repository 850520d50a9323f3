// The ZooKeeper store: drives one session state machine per StoreSession over an injected Dial and
// Clock. Everything runtime-specific (sockets, TLS, timers) comes in through the options.
import { concatBytes } from "../bytes.ts";
import type { Clock, Timer } from "../clock.ts";
import type { HostPort } from "../connect_string.ts";
import type { Request } from "../api/requests.ts";
import type { SessionListener, SessionOptions, Store, StoreReply } from "../store.ts";
import type { ByteChannel, Dial, TlsOptions } from "../transport.ts";
import type { KeeperError } from "../errors.ts";
import { type AuthInfo, createSession, DEFAULT_MAX_REQUEST_BYTES, type Session, type SessionCredentials, type SessionOutput } from "./session.ts";
import { toWireRequest } from "./records_api.ts";
import type { ZkWireRequest, ZkWireResponse } from "./records.ts";
import { toStoreReply } from "./zk_replies.ts";
import { encodeJavaUtf8 } from "./utf8.ts";

/** Credentials for addAuth; a string is sent as its UTF-8 bytes (digest: `user:password`). */
export interface ZooKeeperAuth {
  scheme: string;
  auth: string | Uint8Array;
}

/** ZooKeeper settings a connection string cannot carry (`connect(url, { zk: ... })`). */
export interface ZooKeeperConnectOptions {
  /** Sent on every connection, before any request (Java's addAuthInfo). */
  auth?: readonly ZooKeeperAuth[];
  /** Dial with TLS (ZooKeeper's secureClientPort). */
  tls?: TlsOptions;
  /** Bound on one connect attempt; default the session timeout divided by the number of hosts. */
  connectTimeoutMs?: number;
  /** Largest reply frame accepted (default 4 MiB, as Kafka sets jute.maxbuffer). */
  maxFrameBytes?: number;
  /**
   * Largest request frame sent (default 0xFFFFF, a server's default jute.maxbuffer): a larger
   * request (a Multi of many writes, data near 1 MiB) answers BadArguments instead of making the
   * server drop the connection. Raise it with the servers' jute.maxbuffer.
   */
  maxRequestBytes?: number;
}

export interface ZooKeeperStoreOptions extends ZooKeeperConnectOptions {
  hosts: readonly HostPort[];
  dial: Dial;
  clock: Clock;
  /** Uniform in [0, 1): shuffles the hosts per session and jitters reconnects, as Java's client does. */
  random?: () => number;
  /**
   * Told why each connection attempt failed or a connection was dropped: a KeeperError naming the
   * host (`host`) and what happened there (`failure`: refused, timeout, protocol, ...).
   */
  onConnectionError?: (error: KeeperError) => void;
  /** How long the caller waits for the first session over all hosts (see SessionConfig). */
  connectionTimeoutMs?: number;
}

/** Session options of the ZooKeeper store. */
export interface ZooKeeperSessionOptions extends SessionOptions {
  /** Resume an existing session (its id and password) instead of creating one. */
  resume?: SessionCredentials;
}

/** A reply as the ZooKeeper server sent it: `body` only when `err` is 0; `zxid` when a server answered. */
export interface WireReply {
  err: number;
  body: ZkWireResponse | null;
  zxid?: bigint;
}

/** A session of the ZooKeeper store. */
export interface ZooKeeperSession {
  readonly sessionId: bigint;
  /** Id and password another connection can resume this session with; undefined before the first handshake. */
  readonly credentials: SessionCredentials | undefined;
  /** The timeout the server granted; 0 before the first handshake. */
  readonly timeoutMs: number;
  submit(request: Request, watch: boolean): Promise<StoreReply>;
  /** Sends any request of the protocol as it is (what a server passing requests on needs). */
  send(request: ZkWireRequest): Promise<WireReply>;
  /** Lets go of the session without ending it: the ZooKeeper servers time it out unless it is resumed. */
  detach(): Promise<void>;
  /** Adds credentials to the live session and to every reconnect; a refusal ends it with `auth-failed`. */
  addAuth(auth: ZooKeeperAuth): void;
  close(): Promise<void>;
}

/** The ZooKeeper store: sessions over ZooKeeper's own protocol. */
export interface ZooKeeperStore extends Store {
  openSession(listener: SessionListener, options: ZooKeeperSessionOptions): ZooKeeperSession;
  /** The open session with this id, if this store holds it. */
  session(sessionId: bigint): ZooKeeperSession | undefined;
  /** Closes whatever sessions are still open; leaves no timer or socket behind. */
  close(): Promise<void>;
}

/**
 * Creates a ZooKeeper store over the given hosts.
 * @example
 * ```ts ignore
 * const store = createZooKeeperStore({ hosts: [{ host: "127.0.0.1", port: 2181 }], dial, clock });
 * const client = createMetastore({ store, clock, ownsStore: true });
 * await client.waitUntilConnected(10000);
 * ```
 */
export function createZooKeeperStore(options: ZooKeeperStoreOptions): ZooKeeperStore {
  const sessions = new Set<ZkStoreSession>();
  return {
    openSession(listener, sessionOptions) {
      const session: ZkStoreSession = new ZkStoreSession(options, listener, sessionOptions, () => sessions.delete(session));
      sessions.add(session);
      session.start();
      return session;
    },
    session(sessionId) {
      for (const s of sessions) if (s.sessionId === sessionId && sessionId !== 0n) return s;
      return undefined;
    },
    async close() {
      await Promise.all([...sessions].map((s) => s.close()));
    },
  };
}


/** One session: feeds the machine, performs its outputs, keeps one timer armed for its deadline. */
class ZkStoreSession implements ZooKeeperSession {
  readonly #options: ZooKeeperStoreOptions;
  readonly #listener: SessionListener;
  readonly #clock: Clock;
  readonly #machine: Session;
  readonly #onEnd: () => void;
  readonly #replies = new Map<number, (reply: WireReply) => void>();
  #nextId = 1;
  #channel: ByteChannel | undefined;
  /** Bumped whenever the channel is dropped or a new dial starts, so late callbacks of the old one are ignored. */
  #generation = 0;
  #outbox: Uint8Array[] = [];
  #timer: Timer | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #closed: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;
  #ended = false;

  constructor(options: ZooKeeperStoreOptions, listener: SessionListener, sessionOptions: ZooKeeperSessionOptions, onEnd: () => void) {
    this.#options = options;
    this.#listener = listener;
    this.#clock = options.clock;
    this.#onEnd = onEnd;
    const random = options.random;
    this.#machine = createSession({
      hosts: random ? shuffled(options.hosts, random) : options.hosts,
      sessionTimeoutMs: sessionOptions.sessionTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs,
      connectionTimeoutMs: options.connectionTimeoutMs,
      maxFrameBytes: options.maxFrameBytes,
      maxRequestBytes: options.maxRequestBytes,
      auth: (options.auth ?? []).map(toAuthInfo),
      resume: sessionOptions.resume,
      random,
    });
  }

  get sessionId(): bigint {
    return this.#machine.sessionId;
  }

  get credentials(): SessionCredentials | undefined {
    return this.#machine.credentials;
  }

  start(): void {
    this.#step({ kind: "tick", at: this.#clock.now() });
  }

  get timeoutMs(): number {
    return this.#machine.timeoutMs;
  }

  submit(request: Request, watch: boolean): Promise<StoreReply> {
    return new Promise((resolve, reject) => {
      let wire: ZkWireRequest;
      try {
        wire = toWireRequest(request, watch);
      } catch (e) {
        reject(e);
        return;
      }
      this.#enqueue(wire, (r) => resolve(toStoreReply(r.err, r.body)), reject);
    });
  }

  send(request: ZkWireRequest): Promise<WireReply> {
    return new Promise((resolve, reject) => this.#enqueue(request, resolve, reject));
  }

  #enqueue(request: ZkWireRequest, resolve: (reply: WireReply) => void, reject: (e: unknown) => void): void {
    const id = this.#nextId++;
    try {
      this.#replies.set(id, resolve);
      this.#step({ kind: "submit", id, request, at: this.#clock.now() });
    } catch (e) {
      this.#replies.delete(id);
      reject(e);
    }
  }

  get maxRequestBytes(): number {
    return this.#options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  }

  addAuth(auth: ZooKeeperAuth): void {
    this.#step({ kind: "add-auth", auth: toAuthInfo(auth), at: this.#clock.now() });
  }

  close(): Promise<void> {
    return this.#finish("close");
  }

  detach(): Promise<void> {
    return this.#finish("detach");
  }

  #finish(kind: "close" | "detach"): Promise<void> {
    this.#closed ??= new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#step({ kind, at: this.#clock.now() });
    return this.#closed;
  }

  #step(input: Parameters<Session["step"]>[0]): void {
    const outputs = this.#machine.step(input);
    for (const output of outputs) this.#perform(output);
    this.#arm();
  }

  #perform(output: SessionOutput): void {
    switch (output.kind) {
      case "dial":
        this.#dial(output.host, output.port, output.timeoutMs);
        break;
      case "send":
        this.#queueSend(output.bytes);
        break;
      case "close-channel": {
        const channel = this.#channel;
        this.#channel = undefined;
        this.#generation++;
        this.#outbox = [];
        channel?.close();
        if (output.error) this.#options.onConnectionError?.(output.error);
        break;
      }
      case "event":
        this.#listener.onSessionEvent(output.event);
        if (output.event === "expired" || output.event === "auth-failed") this.#end();
        break;
      case "reply": {
        const resolve = this.#replies.get(output.id);
        if (!resolve) break;
        this.#replies.delete(output.id);
        resolve(output);
        break;
      }
      case "watch":
        this.#listener.onWatch(output.event);
        break;
      case "closed":
        this.#end();
        this.#resolveClosed?.();
        break;
    }
  }

  #dial(host: string, port: number, timeoutMs: number): void {
    const generation = ++this.#generation;
    this.#options.dial(host, port, { tls: this.#options.tls, timeoutMs }).then(
      (channel) => {
        if (generation !== this.#generation) {
          channel.close(); // abandoned: timed out or closed meanwhile
          return;
        }
        this.#channel = channel;
        this.#step({ kind: "channel-open", at: this.#clock.now() });
        void this.#read(channel, generation);
      },
      (error) => {
        if (generation === this.#generation) this.#step({ kind: "channel-closed", error, at: this.#clock.now() });
      },
    );
  }

  async #read(channel: ByteChannel, generation: number): Promise<void> {
    let error: unknown;
    try {
      for await (const chunk of channel.incoming) {
        if (generation !== this.#generation) return;
        this.#step({ kind: "data", chunk, at: this.#clock.now() });
      }
    } catch (e) {
      error = e;
    }
    if (generation === this.#generation) this.#step({ kind: "channel-closed", error, at: this.#clock.now() });
  }

  // Frames produced in one tick (a pipelined batch, auth + setWatches + queued requests) leave in one write.
  #queueSend(bytes: Uint8Array): void {
    this.#outbox.push(bytes);
    if (this.#outbox.length > 1) return;
    const generation = this.#generation;
    void Promise.resolve().then(() => {
      if (generation !== this.#generation || this.#outbox.length === 0) return;
      const parts = this.#outbox;
      this.#outbox = [];
      this.#channel?.write(concatBytes(parts));
    });
  }

  // One timer for the machine's next deadline. Deadlines move later with every frame, so a timer that
  // fires early is kept and simply re-armed after its tick; only an earlier deadline replaces it.
  #arm(): void {
    const deadline = this.#ended ? undefined : this.#machine.deadline();
    if (deadline === undefined) {
      this.#timer?.cancel();
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.#timer && this.#timerAt <= deadline) return;
    this.#timer?.cancel();
    this.#timerAt = deadline;
    this.#timer = this.#clock.setTimer(Math.max(0, deadline - this.#clock.now()), () => {
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.#step({ kind: "tick", at: this.#clock.now() });
    });
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onEnd();
  }
}

function toAuthInfo(auth: ZooKeeperAuth): AuthInfo {
  return { scheme: auth.scheme, auth: typeof auth.auth === "string" ? encodeJavaUtf8(auth.auth) : auth.auth };
}

/** A Fisher-Yates shuffle: Java's client shuffles its host list so clients spread over servers. */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

