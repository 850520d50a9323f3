// The ZooKeeper client session as a state machine without I/O (after Java's ClientCnxn): inputs are
// stamped with the time, outputs are work for a driver (dial, send, close, deliver). Protocol notes:
// /work/shared/reference/zookeeper-protocol.md §2, §3, §13.
import { type HostPort, hostPort } from "../connect_string.ts";
import type { SessionEvent } from "../store.ts";
import { ErrorCode, KeeperError } from "../errors.ts";
import { EventType, type WatchEvent } from "../api/events.ts";
import { Fifo } from "./fifo.ts";
import { createFrameDecoder, type FrameDecoder } from "./frames.ts";
import { OpCode, Xid } from "./opcodes.ts";
import { decodeReply, encodeRequest, type ZkWireRequest, type ZkWireResponse } from "./records.ts";
import { decodeConnectResponse, encodeConnectRequest } from "./records_session.ts";
import { type WatchKind, WatchRegistry } from "./watches.ts";

/** Kafka's jute.maxbuffer for clients (KafkaZkClient raises ZooKeeper's 1 MiB default to 4 MiB). */
export const DEFAULT_MAX_FRAME_BYTES: number = 4 * 1024 * 1024;
/**
 * A ZooKeeper server's default jute.maxbuffer (0xFFFFF), which bounds each request frame after its
 * length prefix: a server drops the connection on a larger one, failing every request in flight.
 */
export const DEFAULT_MAX_REQUEST_BYTES: number = 0xfffff;
/** Java's ClientCnxn pings at least this often, whatever the session timeout. */
const MAX_PING_INTERVAL_MS = 10_000;
/** Java's StaticHostProvider waits this long before trying a host list again from where it connected last. */
const RECONNECT_SPIN_MS = 1000;
/** Java's ClientCnxn sleeps up to this long (at random) before each reconnect. */
const RECONNECT_JITTER_MS = 1000;
/** The part of connectionTimeoutMs the first connect attempts share. */
const FIRST_CONNECT_SHARE = 0.9;
const PASSWORD_BYTES = 16;
const MAX_XID = 0x7fffffff;

/** Credentials of an established session: another connection can resume it with them. */
export interface SessionCredentials {
  sessionId: bigint;
  password: Uint8Array;
}

/** One addAuth packet: a scheme and its credentials (digest: the bytes of `user:password`). */
export interface AuthInfo {
  scheme: string;
  auth: Uint8Array;
}

export interface SessionConfig {
  /** Tried in order, round robin; shuffle before if the hosts are equivalent. */
  hosts: readonly HostPort[];
  /** Requested; the server clamps it and the negotiated value drives pings and read timeouts. */
  sessionTimeoutMs: number;
  /**
   * Bound on one connect attempt (dial and handshake); default: the session timeout / number of
   * hosts, and before the first session at most `connectionTimeoutMs` / number of hosts.
   */
  connectTimeoutMs?: number;
  /**
   * How long the caller waits for the first session over all hosts (connect()'s `connectionTimeoutMs`):
   * each attempt before it gets its share, so one silent host cannot use up the whole wait.
   */
  connectionTimeoutMs?: number;
  /** Sent after each handshake, before anything else. */
  auth?: readonly AuthInfo[];
  /** Resume this session instead of creating one. */
  resume?: SessionCredentials;
  /** Largest reply frame accepted (default DEFAULT_MAX_FRAME_BYTES). */
  maxFrameBytes?: number;
  /** Largest request frame sent (default DEFAULT_MAX_REQUEST_BYTES, the server's jute.maxbuffer). */
  maxRequestBytes?: number;
  /** Uniform in [0, 1): the jitter before a reconnect (default: none). */
  random?: () => number;
}

/**
 * The session's state, as the caller sees it:
 * - `connecting`: waiting to dial, dialing, or handshaking; requests are queued. A failed attempt fails
 *   the queue with ConnectionLoss and schedules the next host. Leaves on a ConnectResponse.
 * - `connected`: requests are sent at once. Leaves on a lost link, a read timeout or a protocol error
 *   (to `connecting`), on an AUTHFAILED reply (`auth-failed`), or on `close` (`closing`).
 * - `closing`: closeSession sent; leaves on its reply, a lost link or the close timeout (`closed`).
 * - `expired` (the server refused to resume), `auth-failed`, `closed`: final.
 */
export type SessionState = "connecting" | "connected" | "closing" | "closed" | "expired" | "auth-failed";

export type SessionInput =
  /** Time passed; due dials, pings and timeouts happen. The first tick starts the first connect attempt. */
  | { kind: "tick"; at: number }
  /** The channel asked for by the last `dial` output is open. */
  | { kind: "channel-open"; at: number }
  /** Bytes from the open channel, in any split. */
  | { kind: "data"; chunk: Uint8Array; at: number }
  /** The dial failed, or the open channel ended. */
  | { kind: "channel-closed"; at: number; error?: unknown }
  /** A request; `id` comes back in its `reply` output. */
  | { kind: "submit"; id: number; request: ZkWireRequest; at: number }
  /** Adds credentials now (when connected) and after every reconnect. */
  | { kind: "add-auth"; auth: AuthInfo; at: number }
  /** Ends the session: closeSession when connected, at once otherwise. */
  | { kind: "close"; at: number }
  /**
   * Lets go of the session without ending it: the channel closes and nothing reconnects, so the
   * servers time the session out unless another connection resumes it.
   */
  | { kind: "detach"; at: number };

export type SessionOutput =
  | { kind: "dial"; host: string; port: number; timeoutMs: number }
  | { kind: "send"; bytes: Uint8Array }
  /** Close the channel (or abandon the dial in progress); `error` says why, when it was not asked for. */
  | { kind: "close-channel"; error?: KeeperError }
  | { kind: "event"; event: SessionEvent }
  /**
   * The answer to a submitted request: `err` is 0 or a ZooKeeper code; `body` is set only when 0;
   * `zxid` is the reply header's (absent when no server answered).
   */
  | { kind: "reply"; id: number; err: number; body: ZkWireResponse | null; zxid?: bigint }
  | { kind: "watch"; event: WatchEvent }
  /** `close` finished; nothing more will be asked of the driver. */
  | { kind: "closed" };

export interface Session {
  readonly state: SessionState;
  /** 0n until the first handshake. */
  readonly sessionId: bigint;
  /** Undefined until the first handshake. */
  readonly credentials: SessionCredentials | undefined;
  /** The highest zxid seen in a reply. */
  readonly lastZxid: bigint;
  /** The session timeout the server granted; 0 until the first handshake. */
  readonly timeoutMs: number;
  /**
   * Feeds one input and returns the work it causes, in order.
   * @throws KeeperError BadArguments when a submitted request cannot be encoded (nothing changes)
   */
  step(input: SessionInput): SessionOutput[];
  /** When the next `tick` is due, or undefined when no time-driven work is left. */
  deadline(): number | undefined;
}

/** Creates a session; feed it a first `tick` to start connecting. */
export function createSession(config: SessionConfig): Session {
  return new ZkSession(config);
}

type Phase = "waiting" | "dialing" | "handshaking" | "connected" | "closing" | "closed" | "expired" | "auth-failed";

/** A request sent and not yet answered. */
interface Pending {
  xid: number;
  /** Undefined for closeSession. */
  id: number | undefined;
  opCode: number;
  /** The watch the server arms when this read succeeds (exists also on NoNode). */
  watch?: { path: string; kind: WatchKind };
}

/** A request waiting for a connection, encoded with xid 0 (patched when sent). */
interface Queued {
  id: number;
  frame: Uint8Array;
  opCode: number;
  watch?: Pending["watch"];
}

class ZkSession implements Session {
  readonly #config: SessionConfig;
  readonly #random: () => number;
  readonly #maxFrameBytes: number;
  readonly #maxRequestBytes: number;
  readonly #auth: AuthInfo[];
  readonly #watches = new WatchRegistry();
  #phase: Phase = "waiting";
  #out: SessionOutput[] = [];

  #sessionId: bigint;
  #password: Uint8Array;
  #negotiatedMs = 0;
  #lastZxid = 0n;
  #nextXid = 1;

  #hostIndex = 0;
  /** The host a reconnect cycle started from: coming back to it means every host was tried. */
  #anchorIndex = 0;
  #retryAt = Number.NEGATIVE_INFINITY;
  #attemptDeadline = 0;
  #closeDeadline = 0;
  #lastSendAt = 0;
  #lastRecvAt = 0;
  #decoder: FrameDecoder | undefined;
  readonly #pending = new Fifo<Pending>();
  #queued: Queued[] = [];

  constructor(config: SessionConfig) {
    if (config.hosts.length === 0) throw new KeeperError(ErrorCode.BadArguments, "A ZooKeeper session needs at least one host");
    this.#config = config;
    this.#random = config.random ?? (() => 0);
    this.#maxFrameBytes = config.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#maxRequestBytes = config.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    this.#auth = [...(config.auth ?? [])];
    this.#sessionId = config.resume?.sessionId ?? 0n;
    this.#password = config.resume?.password ?? new Uint8Array(PASSWORD_BYTES);
  }

  get state(): SessionState {
    const phase = this.#phase;
    return phase === "waiting" || phase === "dialing" || phase === "handshaking" ? "connecting" : phase;
  }

  get sessionId(): bigint {
    return this.#negotiatedMs > 0 ? this.#sessionId : 0n;
  }

  get credentials(): SessionCredentials | undefined {
    return this.#negotiatedMs > 0 ? { sessionId: this.#sessionId, password: this.#password.slice() } : undefined;
  }

  get lastZxid(): bigint {
    return this.#lastZxid;
  }

  get timeoutMs(): number {
    return this.#negotiatedMs;
  }

  step(input: SessionInput): SessionOutput[] {
    this.#out = [];
    switch (input.kind) {
      case "tick":
        this.#tick(input.at);
        break;
      case "channel-open":
        if (this.#phase === "dialing") this.#handshake(input.at);
        break;
      case "data":
        this.#data(input.chunk, input.at);
        break;
      case "channel-closed":
        if (this.#hasChannel()) this.#lose(input.at, this.#closedError(input.error));
        break;
      case "submit":
        this.#submit(input.id, input.request, input.at);
        break;
      case "add-auth":
        this.#auth.push(input.auth);
        if (this.#phase === "connected") this.#sendAuth(input.auth, input.at);
        break;
      case "close":
        this.#close(input.at);
        break;
      case "detach":
        if (this.#phase === "closed" || this.#phase === "expired" || this.#phase === "auth-failed") this.#out.push({ kind: "closed" });
        else this.#finishClose();
        break;
    }
    return this.#out;
  }

  deadline(): number | undefined {
    switch (this.#phase) {
      case "waiting":
        return this.#retryAt;
      case "dialing":
      case "handshaking":
        return this.#attemptDeadline;
      case "connected":
        return Math.min(this.#lastSendAt + this.#pingIntervalMs(), this.#lastRecvAt + this.#readTimeoutMs());
      case "closing":
        return this.#closeDeadline;
      default:
        return undefined;
    }
  }

  // Java: readTimeout = 2/3 of the negotiated timeout; a ping goes out after half of it without sends.
  #readTimeoutMs(): number {
    return Math.floor((this.#negotiatedMs * 2) / 3);
  }

  #pingIntervalMs(): number {
    return Math.min(Math.floor(this.#negotiatedMs / 3), MAX_PING_INTERVAL_MS);
  }

  #connectTimeoutMs(): number {
    if (this.#config.connectTimeoutMs !== undefined) return this.#config.connectTimeoutMs;
    const hosts = this.#config.hosts.length;
    if (this.#negotiatedMs > 0) return Math.max(1, Math.floor(this.#negotiatedMs / hosts));
    const wait = this.#config.connectionTimeoutMs;
    if (wait === undefined || wait >= this.#config.sessionTimeoutMs) return Math.max(1, Math.floor(this.#config.sessionTimeoutMs / hosts));
    // Within the caller's wait: a tenth is kept for reconnect jitter, and so that a failed attempt is
    // reported (with its host) before the wait ends rather than racing it.
    return Math.max(1, Math.floor((wait * FIRST_CONNECT_SHARE) / hosts));
  }

  /** The host of the current attempt, as `host:port`. */
  #where(): string {
    const host = this.#config.hosts[this.#hostIndex]!;
    return hostPort(host.host, host.port);
  }

  #hasChannel(): boolean {
    return this.#phase === "dialing" || this.#phase === "handshaking" || this.#phase === "connected" || this.#phase === "closing";
  }

  #tick(at: number): void {
    switch (this.#phase) {
      case "waiting":
        if (at >= this.#retryAt) this.#dial(at);
        break;
      case "dialing":
      case "handshaking":
        if (at >= this.#attemptDeadline) {
          const where = this.#where();
          const ms = this.#connectTimeoutMs();
          const message = this.#phase === "dialing"
            ? `Cannot connect to ${where}: no connection within ${ms} ms (the host is down, or a firewall drops the packets)`
            : `Cannot connect to ${where}: it accepted the connection but sent no ZooKeeper handshake reply within ${ms} ms ` +
              "(not a ZooKeeper server, or an overloaded one)";
          this.#lose(at, new KeeperError(ErrorCode.ConnectionLoss, message, { host: where, failure: "timeout" }));
        }
        break;
      case "connected":
        if (at >= this.#lastRecvAt + this.#readTimeoutMs()) {
          this.#lose(at, new KeeperError(ErrorCode.ConnectionLoss, `Connection lost: nothing heard for ${this.#readTimeoutMs()} ms`));
        } else if (at >= this.#lastSendAt + this.#pingIntervalMs()) {
          this.#send(encodeRequest(Xid.Ping, { type: OpCode.Ping }), at);
        }
        break;
      case "closing":
        if (at >= this.#closeDeadline) this.#finishClose();
        break;
    }
  }

  #dial(at: number): void {
    const host = this.#config.hosts[this.#hostIndex]!;
    const timeoutMs = this.#connectTimeoutMs();
    this.#phase = "dialing";
    this.#attemptDeadline = at + timeoutMs;
    this.#out.push({ kind: "dial", host: host.host, port: host.port, timeoutMs });
  }

  #handshake(at: number): void {
    this.#phase = "handshaking";
    // Views: each reply is decoded as soon as it is cut, and what is kept of it is copied out.
    this.#decoder = createFrameDecoder({ maxFrameBytes: this.#maxFrameBytes, views: true });
    this.#send(
      encodeConnectRequest({
        protocolVersion: 0,
        lastZxidSeen: this.#lastZxid,
        timeoutMs: this.#config.sessionTimeoutMs,
        sessionId: this.#sessionId,
        passwd: this.#password,
        // Always sent: servers answer in the client's style, and old ones need it (protocol §2).
        readOnly: false,
      }),
      at,
    );
  }

  #data(chunk: Uint8Array, at: number): void {
    if (this.#phase !== "handshaking" && this.#phase !== "connected" && this.#phase !== "closing") return;
    let frames: Uint8Array[];
    try {
      frames = this.#decoder!.push(chunk);
    } catch (e) {
      this.#lose(at, this.#phase === "handshaking" ? this.#notZooKeeper(chunk, e) : asMarshallingError(e));
      return;
    }
    this.#lastRecvAt = at;
    for (const frame of frames) {
      // A frame may end the connection (expiry, protocol error); the rest of the chunk is then moot.
      if (this.#phase === "handshaking") this.#connectResponse(frame, at);
      else if (this.#phase === "connected" || this.#phase === "closing") this.#reply(frame, at);
      else return;
    }
  }

  #connectResponse(frame: Uint8Array, at: number): void {
    let response;
    try {
      response = decodeConnectResponse(frame);
    } catch (e) {
      this.#lose(at, this.#notZooKeeper(frame, e));
      return;
    }
    if (response.timeoutMs <= 0) {
      this.#end("expired", ErrorCode.SessionExpired);
      return;
    }
    this.#sessionId = response.sessionId;
    this.#password = response.passwd ?? new Uint8Array(PASSWORD_BYTES);
    this.#negotiatedMs = response.timeoutMs;
    this.#phase = "connected";
    this.#anchorIndex = this.#hostIndex;
    // Java's order after a handshake: auth packets, then setWatches, then what waited for the link.
    for (const auth of this.#auth) this.#sendAuth(auth, at);
    for (const request of this.#watches.setWatchesRequests(this.#lastZxid)) this.#send(encodeRequest(Xid.SetWatches, request), at);
    const queued = this.#queued;
    this.#queued = [];
    for (const q of queued) this.#sendRequest(q, at);
    this.#out.push({ kind: "event", event: "connected" });
  }

  #reply(frame: Uint8Array, at: number): void {
    const xid = frame.length >= 4 ? (frame[0]! << 24) | (frame[1]! << 16) | (frame[2]! << 8) | frame[3]! : undefined;
    const special = xid === Xid.Notification || xid === Xid.Ping || xid === Xid.Auth || xid === Xid.SetWatches;
    const head = this.#pending.peek();
    if (!special && xid !== undefined && head?.xid !== xid) {
      // FIFO is the protocol's promise; a reply out of order means we no longer know what answers what.
      const expected = head === undefined ? "no request is pending" : `expected xid ${head.xid}`;
      this.#lose(at, new KeeperError(ErrorCode.MarshallingError, `Protocol error: reply xid ${xid} out of order, ${expected}`));
      return;
    }
    let reply;
    try {
      reply = decodeReply(frame, special ? undefined : head?.opCode as OpCode | undefined);
    } catch (e) {
      this.#lose(at, asMarshallingError(e));
      return;
    }
    const { header, body } = reply;
    switch (header.xid) {
      case Xid.Notification: {
        if (body?.type !== OpCode.Notification || body.event.type === EventType.None) return;
        const event: WatchEvent = { type: body.event.type as EventType, path: body.event.path };
        this.#watches.consume(event);
        this.#out.push({ kind: "watch", event });
        return;
      }
      case Xid.Auth:
        if (header.err === ErrorCode.AuthFailed) this.#end("auth-failed", ErrorCode.AuthFailed);
        return;
      case Xid.Ping:
      case Xid.SetWatches:
        return;
    }
    const pending = this.#pending.shift()!;
    if (header.zxid > this.#lastZxid) this.#lastZxid = header.zxid;
    if (pending.watch && (header.err === ErrorCode.Ok || (header.err === ErrorCode.NoNode && pending.opCode === OpCode.Exists))) {
      // exists arms a data watch on a node that exists and an exist watch on one that does not (Java's ExistsWatchRegistration).
      const kind = pending.opCode === OpCode.Exists && header.err === ErrorCode.NoNode ? "exist" : pending.watch.kind;
      this.#watches.add(kind, pending.watch.path);
    }
    if (pending.id === undefined) {
      this.#finishClose();
      return;
    }
    this.#out.push({ kind: "reply", id: pending.id, err: header.err, body, zxid: header.zxid });
  }

  #submit(id: number, request: ZkWireRequest, at: number): void {
    switch (this.#phase) {
      case "closing":
        this.#out.push({ kind: "reply", id, err: ErrorCode.ConnectionLoss, body: null });
        return;
      case "closed":
      case "expired":
        this.#out.push({ kind: "reply", id, err: ErrorCode.SessionExpired, body: null });
        return;
      case "auth-failed":
        this.#out.push({ kind: "reply", id, err: ErrorCode.AuthFailed, body: null });
        return;
    }
    const queued: Queued = { id, frame: encodeRequest(0, request), opCode: request.type, watch: watchOf(request) };
    // Refused here rather than by the server, which would drop the connection and everything on it.
    if (queued.frame.length - 4 > this.#maxRequestBytes) {
      this.#out.push({ kind: "reply", id, err: ErrorCode.BadArguments, body: null });
      return;
    }
    // Java's client queues while disconnected; the next connect attempt sends the queue or fails it.
    if (this.#phase === "connected") this.#sendRequest(queued, at);
    else this.#queued.push(queued);
  }

  #sendRequest(q: Queued, at: number): void {
    const xid = this.#nextXid;
    this.#nextXid = xid === MAX_XID ? 1 : xid + 1;
    // By hand: a DataView over the frame would cost an object per request.
    const frame = q.frame;
    frame[4] = xid >>> 24;
    frame[5] = xid >>> 16;
    frame[6] = xid >>> 8;
    frame[7] = xid;
    this.#pending.push({ xid, id: q.id, opCode: q.opCode, watch: q.watch });
    this.#send(q.frame, at);
  }

  #sendAuth(auth: AuthInfo, at: number): void {
    this.#send(encodeRequest(Xid.Auth, { type: OpCode.Auth, authType: 0, scheme: auth.scheme, auth: auth.auth }), at);
  }

  #send(bytes: Uint8Array, at: number): void {
    this.#lastSendAt = at;
    this.#out.push({ kind: "send", bytes });
  }

  #close(at: number): void {
    switch (this.#phase) {
      case "connected": {
        this.#phase = "closing";
        // Bounded: a server that stopped answering would be given up on after a read timeout anyway.
        this.#closeDeadline = at + this.#readTimeoutMs();
        const xid = this.#nextXid;
        this.#nextXid = xid === MAX_XID ? 1 : xid + 1;
        this.#pending.push({ xid, id: undefined, opCode: OpCode.CloseSession });
        this.#send(encodeRequest(xid, { type: OpCode.CloseSession }), at);
        return;
      }
      case "closing":
        return;
      case "waiting":
      case "dialing":
      case "handshaking":
        this.#finishClose();
        return;
      default:
        this.#out.push({ kind: "closed" });
    }
  }

  #finishClose(error?: KeeperError): void {
    this.#out.push(error ? { kind: "close-channel", error } : { kind: "close-channel" });
    this.#phase = "closed";
    this.#failAll(ErrorCode.ConnectionLoss);
    this.#watches.clear();
    this.#out.push({ kind: "closed" });
  }

  /** Ends the session for good: expired (the server said so) or auth-failed. */
  #end(phase: "expired" | "auth-failed", code: number): void {
    this.#out.push({ kind: "close-channel" });
    this.#phase = phase;
    this.#failAll(code);
    this.#watches.clear();
    this.#out.push({ kind: "event", event: phase });
  }

  /** Why the channel ended, by phase: a failed dial (the shim's own error), a refused handshake, a lost link. */
  #closedError(error: unknown): KeeperError {
    const where = this.#where();
    if (this.#phase === "dialing") {
      if (error instanceof KeeperError && error.failure !== undefined) return error;
      return new KeeperError(ErrorCode.ConnectionLoss, `Cannot connect to ${where}: ${describe(error)}`, {
        cause: error,
        host: where,
        failure: "error",
      });
    }
    if (this.#phase === "handshaking") {
      return new KeeperError(
        ErrorCode.ConnectionLoss,
        `Cannot connect to ${where}: it accepted the connection and closed it without a ZooKeeper handshake reply ` +
          `(not a ZooKeeper server, or one not serving clients: see its log)${error === undefined ? "" : `: ${describe(error)}`}`,
        { cause: error, host: where, failure: "closed" },
      );
    }
    return new KeeperError(ErrorCode.ConnectionLoss, `Connection to ${where} lost: ${error === undefined ? "closed by peer" : describe(error)}`, {
      cause: error,
      host: where,
      failure: "lost",
    });
  }

  /** A handshake reply that is not one: the port is some other server's (etcd answers HTTP, for instance). */
  #notZooKeeper(bytes: Uint8Array, error: unknown): KeeperError {
    const where = this.#where();
    return new KeeperError(
      ErrorCode.ConnectionLoss,
      `Cannot connect to ${where}: not a ZooKeeper server (its handshake reply starts ${printable(bytes)}): ${describe(error)}`,
      { cause: error, host: where, failure: "protocol" },
    );
  }

  /** The link is gone: in-flight requests fail in order and the next host is tried, unless closing. */
  #lose(at: number, error: KeeperError): void {
    const phase = this.#phase;
    this.#decoder = undefined;
    if (phase === "closing") {
      this.#finishClose(error);
      return;
    }
    this.#out.push({ kind: "close-channel", error });
    for (const p of this.#pending.drain()) this.#failOne(p.id, ErrorCode.ConnectionLoss);
    // A failed connect attempt also fails what waited for it (Java's cleanup of the outgoing queue).
    if (phase !== "connected") for (const q of this.#queued.splice(0)) this.#failOne(q.id, ErrorCode.ConnectionLoss);
    this.#phase = "waiting";
    this.#hostIndex = (this.#hostIndex + 1) % this.#config.hosts.length;
    const spin = this.#hostIndex === this.#anchorIndex ? RECONNECT_SPIN_MS : 0;
    this.#retryAt = at + spin + Math.floor(this.#random() * RECONNECT_JITTER_MS);
    if (phase === "connected") this.#out.push({ kind: "event", event: "disconnected" });
  }

  #failAll(code: number): void {
    for (const p of this.#pending.drain()) this.#failOne(p.id, code);
    for (const q of this.#queued.splice(0)) this.#failOne(q.id, code);
  }

  #failOne(id: number | undefined, code: number): void {
    if (id !== undefined) this.#out.push({ kind: "reply", id, err: code, body: null });
  }
}

/** The watch a read arms when it succeeds; exists turns into an exist watch on NoNode. */
function watchOf(request: ZkWireRequest): Pending["watch"] {
  switch (request.type) {
    case OpCode.Exists:
    case OpCode.GetData:
      return request.watch ? { path: request.path, kind: "data" } : undefined;
    case OpCode.GetChildren:
    case OpCode.GetChildren2:
      return request.watch ? { path: request.path, kind: "child" } : undefined;
    default:
      return undefined;
  }
}

function asMarshallingError(e: unknown): KeeperError {
  if (e instanceof KeeperError) return e;
  return new KeeperError(ErrorCode.MarshallingError, `Cannot read reply: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}

function describe(e: unknown): string {
  return (e as Error)?.message ?? String(e);
}

/** Up to 16 bytes as text where printable ("HTTP/1.1 400 Bad"), else as hex. */
function printable(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 16);
  if (head.every((b) => b >= 0x20 && b < 0x7f)) return JSON.stringify(String.fromCharCode(...head));
  return `0x${[...head].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}
