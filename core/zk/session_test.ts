import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode, isKeeperError } from "../errors.ts";
import { EventType } from "../api/events.ts";
import { OpCode, Xid } from "./opcodes.ts";
import { decodeRequest, encodeReply, type ZkWireRequest, type ZkWireResponse } from "./records.ts";
import { decodeConnectRequest, encodeConnectResponse } from "./records_session.ts";
import { createSession, type Session, type SessionConfig, type SessionOutput } from "./session.ts";
import { STAT } from "../../tests/fixtures/zk/samples.ts";

const HOSTS = [{ host: "a", port: 1 }, { host: "b", port: 2 }];
const PASSWORD = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const SESSION_ID = 0x1234n;

const getData = (path: string, watch = false): ZkWireRequest => ({ type: OpCode.GetData, path, watch });
const exists = (path: string, watch = false): ZkWireRequest => ({ type: OpCode.Exists, path, watch });

function connectResponse(timeoutMs = 6000, readOnly: boolean | undefined = false): Uint8Array {
  return encodeConnectResponse({ protocolVersion: 0, timeoutMs, sessionId: timeoutMs > 0 ? SESSION_ID : 0n, passwd: PASSWORD, readOnly });
}

const reply = (xid: number, zxid: bigint, err: number, body: ZkWireResponse | null = null): Uint8Array =>
  encodeReply({ xid, zxid, err }, body);

const notification = (type: number, path: string): Uint8Array =>
  reply(Xid.Notification, -1n, 0, { type: OpCode.Notification, event: { type, state: 3, path } });

/** The frames a step sent, decoded (the handshake's ConnectRequest excluded). */
function sentRequests(outputs: SessionOutput[]): { xid: number; request: ZkWireRequest }[] {
  return outputs.flatMap((o) => {
    if (o.kind !== "send") return [];
    const { header, request } = decodeRequest(o.bytes.subarray(4));
    return [{ xid: header.xid, request }];
  });
}

const kinds = (outputs: SessionOutput[]): string[] =>
  outputs.map((o) => (o.kind === "event" ? `event:${o.event}` : o.kind === "reply" ? `reply:${o.id}:${o.err}` : o.kind));

/** A session connected at t=0 with a negotiated timeout of 6000 ms. */
function connected(config: Partial<SessionConfig> = {}): Session {
  const s = createSession({ hosts: HOSTS, sessionTimeoutMs: 6000, ...config });
  s.step({ kind: "tick", at: 0 });
  s.step({ kind: "channel-open", at: 0 });
  s.step({ kind: "data", chunk: connectResponse(), at: 0 });
  assert.equal(s.state, "connected");
  return s;
}

describe("createSession()", () => {
  it("dials the first host on the first tick, bounded by the session timeout split over the hosts", () => {
    const s = createSession({ hosts: HOSTS, sessionTimeoutMs: 6000 });
    assert.equal(s.state, "connecting");
    assert.deepEqual(s.step({ kind: "tick", at: 100 }), [{ kind: "dial", host: "a", port: 1, timeoutMs: 3000 }]);
    assert.equal(s.deadline(), 3100);
  });

  it("sends a ConnectRequest with the readOnly byte for a new session", () => {
    const s = createSession({ hosts: HOSTS, sessionTimeoutMs: 6000 });
    s.step({ kind: "tick", at: 0 });
    const [out] = s.step({ kind: "channel-open", at: 5 });
    assert.equal(out?.kind, "send");
    const bytes = (out as { bytes: Uint8Array }).bytes;
    assert.equal(bytes.length, 4 + 45, "44-byte record + the readOnly byte");
    const request = decodeConnectRequest(bytes.subarray(4));
    assert.equal(request.sessionId, 0n);
    assert.equal(request.timeoutMs, 6000);
    assert.deepEqual(request.passwd, new Uint8Array(16));
    assert.equal(request.readOnly, false);
  });

  for (const readOnly of [false, undefined]) {
    it(`accepts a ConnectResponse ${readOnly === undefined ? "without" : "with"} the readOnly byte`, () => {
      const s = createSession({ hosts: HOSTS, sessionTimeoutMs: 6000 });
      s.step({ kind: "tick", at: 0 });
      s.step({ kind: "channel-open", at: 0 });
      const out = s.step({ kind: "data", chunk: connectResponse(4000, readOnly), at: 10 });
      assert.deepEqual(kinds(out), ["event:connected"]);
      assert.equal(s.sessionId, SESSION_ID);
      assert.deepEqual(s.credentials, { sessionId: SESSION_ID, password: PASSWORD });
    });
  }

  it("takes a ConnectResponse split at every byte", () => {
    const s = createSession({ hosts: HOSTS, sessionTimeoutMs: 6000 });
    s.step({ kind: "tick", at: 0 });
    s.step({ kind: "channel-open", at: 0 });
    const frame = connectResponse();
    const out: SessionOutput[] = [];
    for (let i = 0; i < frame.length; i++) out.push(...s.step({ kind: "data", chunk: frame.subarray(i, i + 1), at: i }));
    assert.deepEqual(kinds(out), ["event:connected"]);
  });

  it("reports expired for a ConnectResponse with timeout 0 and fails what was queued with SessionExpired", () => {
    const s = createSession({ hosts: HOSTS, sessionTimeoutMs: 6000, resume: { sessionId: SESSION_ID, password: PASSWORD } });
    s.step({ kind: "tick", at: 0 });
    s.step({ kind: "submit", id: 7, request: getData("/a"), at: 0 });
    const [hello] = s.step({ kind: "channel-open", at: 0 });
    const request = decodeConnectRequest((hello as { bytes: Uint8Array }).bytes.subarray(4));
    assert.equal(request.sessionId, SESSION_ID, "resumes the given session");
    assert.deepEqual(request.passwd, PASSWORD);
    const out = s.step({ kind: "data", chunk: connectResponse(0), at: 1 });
    assert.deepEqual(kinds(out), ["close-channel", `reply:7:${ErrorCode.SessionExpired}`, "event:expired"]);
    assert.equal(s.state, "expired");
    assert.equal(s.deadline(), undefined);
    assert.deepEqual(kinds(s.step({ kind: "submit", id: 8, request: getData("/a"), at: 2 })), [`reply:8:${ErrorCode.SessionExpired}`]);
  });

  it("queues requests while connecting and sends them, in order with xids 1, 2, after the handshake", () => {
    const s = createSession({ hosts: HOSTS, sessionTimeoutMs: 6000 });
    s.step({ kind: "tick", at: 0 });
    assert.deepEqual(s.step({ kind: "submit", id: 1, request: getData("/a"), at: 0 }), []);
    assert.deepEqual(s.step({ kind: "submit", id: 2, request: getData("/b"), at: 0 }), []);
    s.step({ kind: "channel-open", at: 0 });
    const out = s.step({ kind: "data", chunk: connectResponse(), at: 1 });
    assert.deepEqual(sentRequests(out), [{ xid: 1, request: getData("/a") }, { xid: 2, request: getData("/b") }]);
    assert.equal(kinds(out).at(-1), "event:connected");
  });

  it("answers BadArguments, sending nothing, for a request frame over the server's jute.maxbuffer", () => {
    // setData "/a": xid, type, path (4 + 2), data (4 + n), version: 22 bytes around the data.
    const setData = (n: number): ZkWireRequest => ({ type: OpCode.SetData, path: "/a", data: new Uint8Array(n), version: -1 });
    const s = connected();
    assert.deepEqual(kinds(s.step({ kind: "submit", id: 1, request: setData(0xfffff - 22 + 1), at: 1 })), [`reply:1:${ErrorCode.BadArguments}`]);
    assert.deepEqual(kinds(s.step({ kind: "submit", id: 2, request: setData(0xfffff - 22), at: 1 })), ["send"]);
    assert.equal(s.state, "connected");
    const raised = connected({ maxRequestBytes: 2 * 0xfffff });
    assert.deepEqual(kinds(raised.step({ kind: "submit", id: 3, request: setData(0xfffff), at: 1 })), ["send"]);
  });

  it("matches replies to requests in FIFO order, with each header's zxid, and tracks the highest", () => {
    const s = connected();
    s.step({ kind: "submit", id: 10, request: getData("/a"), at: 1 });
    s.step({ kind: "submit", id: 11, request: exists("/b"), at: 1 });
    const both = new Uint8Array([
      ...reply(1, 40n, 0, { type: OpCode.GetData, data: null, stat: STAT }),
      ...reply(2, 41n, ErrorCode.NoNode),
    ]);
    const out = s.step({ kind: "data", chunk: both, at: 2 });
    assert.deepEqual(out, [
      { kind: "reply", id: 10, err: 0, body: { type: OpCode.GetData, data: null, stat: STAT }, zxid: 40n },
      { kind: "reply", id: 11, err: ErrorCode.NoNode, body: null, zxid: 41n },
    ]);
    assert.equal(s.lastZxid, 41n);
  });

  it("detach closes the channel and fails what is in flight, without closeSession or a reconnect", () => {
    const s = connected();
    s.step({ kind: "submit", id: 1, request: getData("/a"), at: 1 });
    const out = s.step({ kind: "detach", at: 2 });
    assert.deepEqual(kinds(out), ["close-channel", "reply:1:-4", "closed"]);
    assert.equal(s.state, "closed");
    assert.equal(s.deadline(), undefined);
    assert.equal(s.timeoutMs, 6000, "the negotiated timeout");
  });

  it("drops the link on a reply xid out of order: every in-flight request gets ConnectionLoss, in order", () => {
    const s = connected();
    for (const id of [1, 2, 3]) s.step({ kind: "submit", id, request: getData(`/${id}`), at: 1 });
    const out = s.step({ kind: "data", chunk: reply(2, 5n, 0), at: 2 });
    assert.deepEqual(kinds(out), ["close-channel", "reply:1:-4", "reply:2:-4", "reply:3:-4", "event:disconnected"]);
    const error = (out[0] as { error?: unknown }).error;
    assert.ok(isKeeperError(error, ErrorCode.MarshallingError), String(error));
    assert.equal(s.state, "connecting");
  });

  it("drops the link with MarshallingError on an oversized frame or a reply nothing waits for", () => {
    const big = connected({ maxFrameBytes: 100 });
    const prefix = new Uint8Array([0, 0, 1, 0]); // 256 bytes announced
    const [closed] = big.step({ kind: "data", chunk: prefix, at: 1 });
    assert.ok(isKeeperError((closed as { error?: unknown }).error, ErrorCode.MarshallingError));
    const stray = connected();
    const [dropped] = stray.step({ kind: "data", chunk: reply(9, 1n, 0), at: 1 });
    assert.equal(dropped?.kind, "close-channel");
    assert.ok(isKeeperError((dropped as { error?: unknown }).error, ErrorCode.MarshallingError));
  });

  it("pings after a third of the negotiated timeout without sends, and gives up after two thirds without replies", () => {
    const s = connected();
    assert.equal(s.deadline(), 2000);
    assert.deepEqual(s.step({ kind: "tick", at: 1999 }), []);
    const ping = s.step({ kind: "tick", at: 2000 });
    assert.deepEqual(sentRequests(ping), [{ xid: Xid.Ping, request: { type: OpCode.Ping } }]);
    s.step({ kind: "data", chunk: reply(Xid.Ping, 1n, 0), at: 2010 });
    assert.equal(s.deadline(), 4000);
    s.step({ kind: "tick", at: 4000 });
    s.step({ kind: "tick", at: 6000 });
    assert.equal(s.deadline(), 2010 + 4000, "read timeout: 2/3 of 6000 after the last reply");
    const out = s.step({ kind: "tick", at: 6010 });
    assert.deepEqual(kinds(out), ["close-channel", "event:disconnected"]);
    assert.ok(isKeeperError((out[0] as { error?: unknown }).error, ErrorCode.ConnectionLoss));
  });

  it("reconnects to the next host with the session id, password and last zxid, then re-arms watches", () => {
    const s = connected({ random: () => 0.25 });
    s.step({ kind: "submit", id: 1, request: exists("/gone", true), at: 1 });
    s.step({ kind: "submit", id: 2, request: getData("/d", true), at: 1 });
    s.step({ kind: "submit", id: 3, request: { type: OpCode.GetChildren2, path: "/p", watch: true }, at: 1 });
    s.step({ kind: "data", chunk: reply(1, 50n, ErrorCode.NoNode), at: 2 });
    s.step({ kind: "data", chunk: reply(2, 51n, 0, { type: OpCode.GetData, data: null, stat: STAT }), at: 2 });
    s.step({ kind: "data", chunk: reply(3, 52n, 0, { type: OpCode.GetChildren2, children: [], stat: STAT }), at: 2 });
    s.step({ kind: "channel-closed", at: 100 });
    assert.equal(s.deadline(), 100 + 250, "jitter only: the next host has not been tried yet");
    assert.deepEqual(s.step({ kind: "tick", at: 350 }), [{ kind: "dial", host: "b", port: 2, timeoutMs: 3000 }]);
    const [hello] = s.step({ kind: "channel-open", at: 360 });
    const request = decodeConnectRequest((hello as { bytes: Uint8Array }).bytes.subarray(4));
    assert.equal(request.sessionId, SESSION_ID);
    assert.deepEqual(request.passwd, PASSWORD);
    assert.equal(request.lastZxidSeen, 52n);
    const out = s.step({ kind: "data", chunk: connectResponse(), at: 370 });
    assert.deepEqual(sentRequests(out), [{
      xid: Xid.SetWatches,
      request: { type: OpCode.SetWatches, relativeZxid: 52n, dataWatches: ["/d"], existWatches: ["/gone"], childWatches: ["/p"] },
    }]);
  });

  it("forgets a watch once its notification arrives, and delivers the event", () => {
    const s = connected();
    s.step({ kind: "submit", id: 1, request: getData("/d", true), at: 1 });
    s.step({ kind: "data", chunk: reply(1, 5n, 0, { type: OpCode.GetData, data: null, stat: STAT }), at: 2 });
    const out = s.step({ kind: "data", chunk: notification(EventType.NodeDataChanged, "/d"), at: 3 });
    assert.deepEqual(out, [{ kind: "watch", event: { type: EventType.NodeDataChanged, path: "/d" } }]);
    s.step({ kind: "channel-closed", at: 4 });
    s.step({ kind: "tick", at: 10_000 });
    s.step({ kind: "channel-open", at: 10_000 });
    assert.deepEqual(sentRequests(s.step({ kind: "data", chunk: connectResponse(), at: 10_001 })), [], "nothing to re-arm");
  });

  it("arms no watch for a getData that found no node", () => {
    const s = connected();
    s.step({ kind: "submit", id: 1, request: getData("/none", true), at: 1 });
    s.step({ kind: "data", chunk: reply(1, 5n, ErrorCode.NoNode), at: 2 });
    s.step({ kind: "channel-closed", at: 3 });
    s.step({ kind: "tick", at: 10_000 });
    s.step({ kind: "channel-open", at: 10_000 });
    assert.deepEqual(sentRequests(s.step({ kind: "data", chunk: connectResponse(), at: 10_001 })), []);
  });

  it("fails requests queued during a failed connect attempt with ConnectionLoss and tries the next host", () => {
    const s = connected();
    s.step({ kind: "channel-closed", at: 10 });
    s.step({ kind: "tick", at: 10 });
    s.step({ kind: "submit", id: 5, request: getData("/a"), at: 11 });
    assert.equal(s.deadline(), 10 + 3000, "the attempt is bounded by the negotiated timeout / hosts");
    const out = s.step({ kind: "tick", at: 3010 });
    assert.deepEqual(kinds(out), ["close-channel", "reply:5:-4"]);
    assert.ok(isKeeperError((out[0] as { error?: unknown }).error, ErrorCode.ConnectionLoss));
    assert.equal(s.deadline(), 3010 + 1000, "back at the host it was connected to: Java's 1 s spin");
    assert.deepEqual(s.step({ kind: "tick", at: 4010 }), [{ kind: "dial", host: "a", port: 1, timeoutMs: 3000 }]);
  });

  it("sends auth packets first after every handshake; AUTHFAILED ends the session", () => {
    const auth = { scheme: "digest", auth: new Uint8Array([117, 58, 112]) };
    const s = createSession({ hosts: HOSTS, sessionTimeoutMs: 6000, auth: [auth] });
    s.step({ kind: "tick", at: 0 });
    s.step({ kind: "submit", id: 1, request: getData("/a"), at: 0 });
    s.step({ kind: "channel-open", at: 0 });
    const out = s.step({ kind: "data", chunk: connectResponse(), at: 1 });
    assert.deepEqual(sentRequests(out).map((r) => r.xid), [Xid.Auth, 1]);
    assert.deepEqual(sentRequests(out)[0]!.request, { type: OpCode.Auth, authType: 0, scheme: "digest", auth: auth.auth });
    const failed = s.step({ kind: "data", chunk: reply(Xid.Auth, 0n, ErrorCode.AuthFailed), at: 2 });
    assert.deepEqual(kinds(failed), ["close-channel", `reply:1:${ErrorCode.AuthFailed}`, "event:auth-failed"]);
    assert.equal(s.state, "auth-failed");
    assert.deepEqual(kinds(s.step({ kind: "submit", id: 2, request: getData("/a"), at: 3 })), [`reply:2:${ErrorCode.AuthFailed}`]);
  });

  it("add-auth sends at once on a live session", () => {
    const s = connected();
    const out = s.step({ kind: "add-auth", auth: { scheme: "nope", auth: new Uint8Array([1]) }, at: 5 });
    assert.deepEqual(sentRequests(out).map((r) => r.request.type), [OpCode.Auth]);
  });

  it("close sends closeSession after what is in flight and ends on its reply", () => {
    const s = connected();
    s.step({ kind: "submit", id: 1, request: getData("/a"), at: 1 });
    const out = s.step({ kind: "close", at: 2 });
    assert.deepEqual(sentRequests(out), [{ xid: 2, request: { type: OpCode.CloseSession } }]);
    assert.equal(s.state, "closing");
    assert.deepEqual(kinds(s.step({ kind: "submit", id: 9, request: getData("/b"), at: 3 })), ["reply:9:-4"]);
    const done = s.step({
      kind: "data",
      chunk: new Uint8Array([...reply(1, 7n, ErrorCode.NoNode), ...reply(2, 8n, 0)]),
      at: 4,
    });
    assert.deepEqual(kinds(done), [`reply:1:${ErrorCode.NoNode}`, "close-channel", "closed"]);
    assert.equal(s.state, "closed");
    assert.equal(s.deadline(), undefined);
    assert.deepEqual(kinds(s.step({ kind: "close", at: 5 })), ["closed"], "closing twice is harmless");
  });

  it("close gives up waiting for the closeSession reply after the read timeout", () => {
    const s = connected();
    s.step({ kind: "close", at: 100 });
    assert.equal(s.deadline(), 4100);
    assert.deepEqual(kinds(s.step({ kind: "tick", at: 4100 })), ["close-channel", "closed"]);
  });

  it("close while connecting ends at once and fails the queue with ConnectionLoss", () => {
    const s = createSession({ hosts: HOSTS, sessionTimeoutMs: 6000 });
    s.step({ kind: "tick", at: 0 });
    s.step({ kind: "submit", id: 1, request: getData("/a"), at: 0 });
    assert.deepEqual(kinds(s.step({ kind: "close", at: 1 })), ["close-channel", "reply:1:-4", "closed"]);
    assert.deepEqual(kinds(s.step({ kind: "channel-open", at: 2 })), [], "a late channel is ignored");
  });

  it("refuses a request it cannot encode without changing state", () => {
    const s = connected();
    assert.throws(
      () => s.step({ kind: "submit", id: 1, request: { type: 999 } as unknown as ZkWireRequest, at: 1 }),
      (e) => isKeeperError(e, ErrorCode.BadArguments),
    );
    s.step({ kind: "submit", id: 2, request: getData("/a"), at: 2 });
    assert.deepEqual(kinds(s.step({ kind: "data", chunk: reply(1, 3n, ErrorCode.NoNode), at: 3 })), [`reply:2:${ErrorCode.NoNode}`]);
  });

  it("splits connectionTimeoutMs over the hosts before the first session, so one silent host cannot use it up", () => {
    const s = createSession({ hosts: HOSTS, sessionTimeoutMs: 18000, connectionTimeoutMs: 4000 });
    // 90 % of it, shared: the rest is for the reconnect jitter, and reports a failure before the wait ends.
    assert.deepEqual(s.step({ kind: "tick", at: 0 }), [{ kind: "dial", host: "a", port: 1, timeoutMs: 1800 }]);
    s.step({ kind: "channel-open", at: 10 }); // a accepts and stays silent
    const lost = s.step({ kind: "tick", at: 1800 });
    const error = lost.find((o) => o.kind === "close-channel")?.error;
    assert.equal(error?.failure, "timeout");
    assert.equal(error?.host, "a:1");
    assert.match(error!.message, /a:1: it accepted the connection but sent no ZooKeeper handshake reply within 1800 ms/);
    // The next host is dialled after the reconnect jitter (none here), within what is left.
    const next = s.step({ kind: "tick", at: s.deadline()! });
    assert.deepEqual(next, [{ kind: "dial", host: "b", port: 2, timeoutMs: 1800 }]);
  });

  it("names the host and what happened when a connect attempt fails", () => {
    const failureOf = (feed: (s: Session) => SessionOutput[]) => {
      const s = createSession({ hosts: HOSTS, sessionTimeoutMs: 6000 });
      s.step({ kind: "tick", at: 0 });
      const error = feed(s).find((o) => o.kind === "close-channel")?.error;
      return { failure: error?.failure, host: error?.host, message: error?.message };
    };
    const closed = failureOf((s) => (s.step({ kind: "channel-open", at: 1 }), s.step({ kind: "channel-closed", at: 2 })));
    assert.deepEqual([closed.failure, closed.host], ["closed", "a:1"]);
    assert.match(closed.message!, /accepted the connection and closed it without a ZooKeeper handshake reply/);
    const http = Uint8Array.from("HTTP/1.1 400 Bad Request\r\n\r\n", (c) => c.charCodeAt(0)); // no TextEncoder in QuickJS
    const garbage = failureOf((s) => (s.step({ kind: "channel-open", at: 1 }), s.step({ kind: "data", chunk: http, at: 2 })));
    assert.deepEqual([garbage.failure, garbage.host], ["protocol", "a:1"]);
    assert.match(garbage.message!, /a:1: not a ZooKeeper server \(its handshake reply starts "HTTP\/1.1 400 Bad"\)/);
    const silent = failureOf((s) => s.step({ kind: "tick", at: 3000 }));
    assert.deepEqual([silent.failure, silent.host], ["timeout", "a:1"]);
    assert.match(silent.message!, /a:1: no connection within 3000 ms/);
  });
});
