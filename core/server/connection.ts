// One client connection of the ZooKeeper-protocol server: frames in, frames out. The handshake
// creates or resumes a session; then requests go to the store in arrival order and their replies
// leave in that order; watch notifications leave as soon as the store reports them, so they precede
// any later reply that shows the change.
import type { Id } from "../api/acl.ts";
import type { WatchEvent } from "../api/events.ts";
import { ErrorCode, isKeeperError } from "../errors.ts";
import type { StoreReply } from "../store.ts";
import type { ServerChannel } from "../transport.ts";
import { createFrameDecoder, type FrameDecoder } from "../zk/frames.ts";
import { KeeperState, OpCode, Xid } from "../zk/opcodes.ts";
import { decodeRequest, decodeRequestHeader, encodeReply, type ZkWireRequest, type ZkWireResponse } from "../zk/records.ts";
import type { WireAuthRequest } from "../zk/records_ops.ts";
import type { WireMultiReadRequest } from "../zk/records_multi.ts";
import { decodeConnectRequest, encodeConnectResponse } from "../zk/records_session.ts";
import { encodeJavaUtf8 } from "../zk/utf8.ts";
import { authenticate, clientInfos, plainAddress } from "./identity.ts";
import { fourLetterWordOf } from "./four_letter.ts";
import { multiReadCalls, multiReadResult, toStoreCall, toWireReply } from "./requests.ts";
import type { ServedSession, SessionSink } from "./sessions.ts";
import type { ServerCore } from "./server.ts";

type State = "new" | "handshaking" | "open" | "closed";

/** A reply's place in the output: replies leave in request order, whenever each is ready. */
interface Slot {
  frame?: Uint8Array;
  /** The store has answered (the frame may still be a few promise turns away). */
  answered?: boolean;
  /** Close the connection once this slot has been written (or, without a frame, reached). */
  thenClose?: boolean;
  ready: boolean;
}

export class ServerConnection implements SessionSink {
  readonly channel: ServerChannel;
  readonly address: string;
  readonly #server: ServerCore;
  readonly #decoder: FrameDecoder;
  #state: State = "new";
  #head = new Uint8Array(0);
  #early: Uint8Array[] = [];
  #session: ServedSession | undefined;
  /** ZooKeeper gives every connection ip:<address>; auth packets add to it. */
  readonly #ids: Id[];
  #slots: Slot[] = [];
  #first = 0;
  #outstanding = 0;
  readonly openedAt: number;
  received = 0;
  sent = 0;

  constructor(server: ServerCore, channel: ServerChannel) {
    this.#server = server;
    this.channel = channel;
    this.address = plainAddress(channel.remoteAddress);
    this.#ids = [{ scheme: "ip", id: this.address }];
    this.#decoder = createFrameDecoder({ maxFrameBytes: server.options.maxFrameBytes });
    this.openedAt = server.clock.now();
  }

  get sessionId(): bigint | undefined {
    return this.#session?.id;
  }

  get outstanding(): number {
    return this.#outstanding;
  }

  /** Reads until the peer goes; then the session lives on without a connection. */
  async run(): Promise<void> {
    try {
      // Not left early on close: leaving would drop the socket under a reply still being written.
      for await (const chunk of this.channel.incoming) if (this.#state !== "closed") this.#onBytes(chunk);
    } catch {
      // A reset or a socket error: the same as the peer going.
    }
    this.close();
  }

  /** Drops the connection; the session stays for its timeout, its watches go (the client re-arms them). */
  close(): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    const session = this.#session;
    if (session?.sink === this) {
      session.sink = undefined;
      if (!session.ended) session.store.dropWatches();
    }
    this.channel.close();
    this.#server.removed(this);
  }

  /**
   * A watch fired. It leaves after the replies the store gave before it, and before those it has not
   * given yet: the order the store produced them in (a read's reply before a later write's event for
   * the watch it armed; a write's events before its reply).
   */
  notify(event: WatchEvent): void {
    if (this.#state !== "open") return;
    const frame = encodeReply(
      { xid: Xid.Notification, zxid: -1n, err: 0 },
      { type: OpCode.Notification, event: { type: event.type, state: KeeperState.SyncConnected, path: event.path } },
    );
    this.#server.stats.watchEvents++;
    let at = this.#first;
    while (at < this.#slots.length && this.#slots[at]!.answered) at++;
    this.#slots.splice(at, 0, { frame, ready: true, answered: true });
    this.#flush();
  }

  ended(): void {
    this.#flushThenClose();
  }

  #onBytes(chunk: Uint8Array): void {
    if (this.#state === "new" && this.received === 0) {
      // Before the handshake, a known four-letter word in place of a length prefix is a command.
      const head = new Uint8Array(this.#head.length + chunk.length);
      head.set(this.#head);
      head.set(chunk, this.#head.length);
      if (head.length < 4) {
        this.#head = head;
        return;
      }
      this.#head = new Uint8Array(0);
      const word = fourLetterWordOf(head);
      if (word !== undefined) {
        this.#answerFourLetterWord(word);
        return;
      }
      chunk = head;
    }
    let frames: Uint8Array[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (e) {
      this.#server.log("warn", `Closing connection from ${this.address}: ${(e as Error).message}`);
      this.close();
      return;
    }
    for (const frame of frames) {
      this.received++;
      this.#server.stats.packetsReceived++;
      if (this.#state === "new") void this.#handshake(frame);
      else if (this.#state === "handshaking") this.#early.push(frame);
      else if (this.#state === "open") this.#dispatch(frame);
    }
  }

  #answerFourLetterWord(word: string): void {
    this.#state = "closed";
    void this.#server.fourLetterWord(word).then((text) => {
      this.channel.write(encodeJavaUtf8(text));
      this.channel.close();
      this.#server.removed(this);
    });
  }

  async #handshake(frame: Uint8Array): Promise<void> {
    this.#state = "handshaking";
    const server = this.#server;
    let request;
    try {
      request = decodeConnectRequest(frame);
    } catch (e) {
      server.log("warn", `Closing connection from ${this.address}: malformed ConnectRequest (${(e as Error).message})`);
      this.close();
      return;
    }
    const oldClient = request.readOnly === undefined;
    let session: ServedSession | undefined;
    try {
      const zxid = await server.currentZxid();
      if (request.lastZxidSeen > zxid) {
        server.log(
          "info",
          `Refusing session request for client ${this.address} as it has seen zxid 0x${request.lastZxidSeen.toString(16)}` +
            ` our last zxid is 0x${zxid.toString(16)} client must try another server`,
        );
        this.close();
        return;
      }
      const timeoutMs = server.negotiateTimeout(request.timeoutMs);
      if (request.sessionId === 0n) {
        session = await server.sessions.open(timeoutMs);
        const opened = session;
        session.shadow = server.oracle?.open(() => opened.id, timeoutMs);
      } else {
        // As ZooKeeper: another connection of this session is closed first, even if the password is wrong.
        server.closeOtherConnections(request.sessionId, this);
        session = await server.sessions.resume(request.sessionId, request.passwd ?? new Uint8Array(0), timeoutMs);
        if (!session) server.log("info", `Invalid session 0x${request.sessionId.toString(16)} or password from ${this.address}`);
      }
    } catch (e) {
      server.log("warn", `Cannot open a session for ${this.address}: ${(e as Error).message}`);
      this.close();
      return;
    }
    if ((this.#state as State) === "closed") return;
    const readOnly = oldClient ? undefined : false;
    if (session === undefined) {
      this.#write(encodeConnectResponse({ protocolVersion: 0, timeoutMs: 0, sessionId: 0n, passwd: new Uint8Array(16), readOnly }));
      this.#flushThenClose();
      return;
    }
    session.store.touch();
    session.sink = this;
    session.store.setIdentities(this.#ids);
    this.#session = session;
    this.#write(encodeConnectResponse({
      protocolVersion: 0,
      timeoutMs: session.timeoutMs,
      sessionId: session.id,
      passwd: session.password,
      readOnly,
    }));
    this.#state = "open";
    for (const early of this.#early.splice(0)) this.#dispatch(early);
  }

  #dispatch(frame: Uint8Array): void {
    const session = this.#session!;
    session.store.touch();
    let header;
    try {
      header = decodeRequestHeader(frame);
    } catch {
      this.close();
      return;
    }
    const { xid } = header;
    const server = this.#server;
    server.stats.count(header.type);
    switch (header.type) {
      case OpCode.Ping:
        this.#reply(xid, Promise.resolve({ err: 0, body: null }));
        return;
      case OpCode.CloseSession: {
        // The close's own events (its ephemerals' watches) leave before its reply.
        const closed = session.close();
        this.#reply(xid, closed.then(() => ({ err: 0, body: null })), true, closed);
        return;
      }
      case OpCode.WhoAmI:
        this.#reply(xid, Promise.resolve({ err: 0, body: { type: OpCode.WhoAmI, clientInfo: clientInfos(this.#ids) } }));
        return;
      case OpCode.Reconfig:
        this.#reply(xid, Promise.resolve({ err: ErrorCode.ReconfigDisabled, body: null }));
        return;
    }
    let request: ZkWireRequest;
    try {
      request = decodeRequest(frame).request;
    } catch (e) {
      if (isKeeperError(e) && e.code === ErrorCode.Unimplemented) {
        // ZooKeeper's UnimplementedRequestProcessor: an error reply, then the connection closes.
        server.log("warn", `Closing connection from ${this.address}: unknown op code ${header.type}`);
        this.#reply(xid, Promise.resolve({ err: ErrorCode.Unimplemented, body: null }), true);
      } else {
        server.log("warn", `Closing connection from ${this.address}: malformed request (${(e as Error).message})`);
        this.#flushThenClose();
      }
      return;
    }
    if (request.type === OpCode.Auth) {
      this.#auth(xid, request);
      return;
    }
    if (request.type === OpCode.MultiRead) {
      this.#reply(xid, this.#multiRead(request));
      return;
    }
    const call = toStoreCall(request);
    if (typeof call === "number") {
      this.#reply(xid, Promise.resolve({ err: call, body: null }));
      return;
    }
    const started = server.clock.now();
    const replied = session.store.submit(call.request, call.watch);
    session.shadow?.shadow(call.request, call.watch, replied);
    this.#reply(
      xid,
      replied.then((reply) => {
        server.stats.latency(server.clock.now() - started);
        return this.#answer(reply, () => toWireReply(request, reply));
      }),
      false,
      replied,
    );
  }

  // A store that lost its own link answers ConnectionLoss: the client is told by losing this
  // connection (it reconnects and resumes the session), as it would be by a failing ZooKeeper server.
  #answer(reply: StoreReply, wire: () => { err: number; body: ZkWireResponse | null }): Answer {
    if (reply.zxid !== undefined) this.#server.noteZxid(reply.zxid);
    if (reply.resultCode === ErrorCode.ConnectionLoss) return { err: ErrorCode.ConnectionLoss, body: null, lost: true };
    return wire();
  }

  async #multiRead(request: WireMultiReadRequest): Promise<Answer> {
    const store = this.#session!.store;
    const calls = multiReadCalls(request.ops);
    const replies: StoreReply[] = await Promise.all(
      calls.map((call) => typeof call === "number" ? { resultCode: call } : store.submit(call.request, call.watch)),
    );
    const lost = replies.find((r) => r.resultCode === ErrorCode.ConnectionLoss);
    if (lost) return this.#answer(lost, () => ({ err: 0, body: null }));
    for (const r of replies) if (r.zxid !== undefined) this.#server.noteZxid(r.zxid);
    return { err: 0, body: { type: OpCode.MultiRead, results: request.ops.map((op, i) => multiReadResult(op, replies[i]!)) } };
  }

  #auth(xid: number, request: WireAuthRequest): void {
    const ids = authenticate(request.scheme, request.auth, this.address, this.#server.options.superDigest);
    if (ids === undefined) {
      this.#server.log("warn", `Authentication failed for ${this.address}: scheme "${request.scheme}"`);
      this.#reply(xid, Promise.resolve({ err: ErrorCode.AuthFailed, body: null }), true);
      return;
    }
    for (const id of ids) {
      if (!this.#ids.some((known) => known.scheme === id.scheme && known.id === id.id)) this.#ids.push(id);
    }
    this.#session!.store.setIdentities([...this.#ids]);
    this.#session!.store.forwardAuth?.({ scheme: request.scheme, auth: request.auth ?? new Uint8Array(0) });
    this.#session!.shadow?.auth(request.scheme, request.auth ?? new Uint8Array(0));
    this.#reply(xid, Promise.resolve({ err: 0, body: null }));
  }

  /**
   * Queues the reply to `xid`; it leaves after every earlier reply. `stored`: the store's own answer
   * the reply is made from (absent: the server answers at once).
   */
  #reply(xid: number, answer: Promise<Answer>, thenClose = false, stored?: Promise<unknown>): void {
    const slot: Slot = { ready: false, answered: stored === undefined };
    this.#slots.push(slot);
    stored?.then(() => (slot.answered = true), () => (slot.answered = true));
    this.#outstanding++;
    answer.then(
      ({ err, body, lost }) => {
        if (lost) {
          slot.thenClose = true;
        } else {
          slot.frame = encodeReply({ xid, zxid: this.#server.lastZxid, err }, body);
          slot.thenClose = thenClose;
        }
      },
      (e) => {
        this.#server.log("error", `Request xid ${xid} from ${this.address} failed: ${(e as Error).message}`);
        slot.thenClose = true;
      },
    ).finally(() => {
      slot.ready = true;
      this.#outstanding--;
      this.#flush();
    });
  }

  #flush(): void {
    while (this.#first < this.#slots.length && this.#slots[this.#first]!.ready) {
      const slot = this.#slots[this.#first++]!;
      if (slot.frame) this.#write(slot.frame);
      if (slot.thenClose) {
        this.close();
        return;
      }
    }
    if (this.#first === this.#slots.length) {
      this.#slots = [];
      this.#first = 0;
    }
  }

  /** Closes once every queued reply has left. */
  #flushThenClose(): void {
    this.#slots.push({ ready: true, thenClose: true });
    this.#flush();
  }

  #write(frame: Uint8Array): void {
    if (this.#state === "closed") return;
    this.channel.write(frame);
    this.sent++;
    this.#server.stats.packetsSent++;
    // A client that does not read cannot hold the server's memory: it loses the connection, not the session.
    if (this.channel.bufferedBytes > this.#server.options.maxOutputBytes) {
      this.#server.log("warn", `Closing connection from ${this.address}: ${this.channel.bufferedBytes} bytes unread`);
      this.close();
    }
  }
}

interface Answer {
  err: number;
  body: ZkWireResponse | null;
  /** The store lost its link: close instead of answering. */
  lost?: boolean;
}
