// The ZooKeeper store against a scripted in-process server: no sockets, time from FakeClock.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode, isKeeperError, type KeeperError } from "../errors.ts";
import { createChannelPair } from "../testing/channel_pair.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import type { SessionEvent, SessionListener } from "../store.ts";
import type { Dial } from "../transport.ts";
import { createMetastore } from "../client/metastore_client.ts";
import { OPEN_ACL_UNSAFE } from "../api/acl.ts";
import { createFrameDecoder } from "./frames.ts";
import { OpCode, Xid } from "./opcodes.ts";
import { decodeRequest, type DecodedRequest, encodeReply, type ZkWireResponse } from "./records.ts";
import { encodeConnectResponse } from "./records_session.ts";
import { createZooKeeperStore, type ZooKeeperStoreOptions } from "./zk_store.ts";
import { SET_WATCHES_MAX_PATH_BYTES } from "./watches.ts";
import { STAT } from "../../tests/fixtures/zk/samples.ts";

/** Lets promise chains (channel reads, the driver's flush) run; FakeClock timers do not move. */
async function settle(): Promise<void> {
  for (let i = 0; i < 200; i++) await Promise.resolve();
}

type Answer = (request: DecodedRequest) => Uint8Array[];

/** A ZooKeeper that accepts every handshake, answers closeSession (unless `silentClose`) and the rest with `answer`. */
function fakeServer(answer: Answer, options: { silentClose?: boolean } = {}) {
  const chunks: Uint8Array[][] = []; // per connection, every chunk received
  const requests: DecodedRequest[][] = []; // per connection, after the handshake
  const connections: { close(): void }[] = [];
  const dial: Dial = () => {
    const { client, server } = createChannelPair();
    const mine: Uint8Array[] = [];
    const decoded: DecodedRequest[] = [];
    chunks.push(mine);
    requests.push(decoded);
    connections.push(server);
    void (async () => {
      const decoder = createFrameDecoder();
      let handshaken = false;
      for await (const chunk of server.incoming) {
        mine.push(chunk);
        for (const frame of decoder.push(chunk)) {
          if (!handshaken) {
            handshaken = true;
            server.write(encodeConnectResponse({ protocolVersion: 0, timeoutMs: 6000, sessionId: 77n, passwd: new Uint8Array(16), readOnly: false }));
            continue;
          }
          const request = decodeRequest(frame);
          decoded.push(request);
          if (request.request.type === OpCode.CloseSession && !options.silentClose) {
            server.write(ok(request.header.xid));
            server.close();
            return;
          }
          for (const bytes of answer(request)) server.write(bytes);
        }
      }
    })();
    return Promise.resolve(client);
  };
  return { dial, chunks, requests, connections };
}

const ok = (xid: number, body: ZkWireResponse | null = null, zxid = 10n): Uint8Array => encodeReply({ xid, zxid, err: 0 }, body);

function listener() {
  const events: SessionEvent[] = [];
  const l: SessionListener = { onWatch() {}, onSessionEvent: (e) => void events.push(e) };
  return { events, listener: l };
}

function storeWith(dial: Dial, clock: FakeClock, extra: Partial<ZooKeeperStoreOptions> = {}) {
  const errors: KeeperError[] = [];
  const store = createZooKeeperStore({ hosts: [{ host: "zk", port: 2181 }], dial, clock, onConnectionError: (e) => void errors.push(e), ...extra });
  return { store, errors };
}

const getData = (path: string) => ({ type: "getData" as const, path });

describe("createZooKeeperStore()", () => {
  it("sends one tick's requests in one write and maps replies as the memory store does", async () => {
    const clock = new FakeClock();
    const server = fakeServer(({ header, request }) => {
      if (request.type === OpCode.GetData) return [ok(header.xid, { type: OpCode.GetData, data: new Uint8Array([1]), stat: STAT })];
      if (request.type === OpCode.Create2) return [ok(header.xid, { type: OpCode.Create2, path: request.path, stat: STAT })];
      if (request.type === OpCode.Multi) {
        return [ok(header.xid, { type: OpCode.Multi, results: [{ type: OpCode.Create, path: "/m" }, { type: OpCode.Check }] })];
      }
      return [encodeReply({ xid: header.xid, zxid: 11n, err: ErrorCode.NoNode }, null)];
    }, { silentClose: true });
    const { store } = storeWith(server.dial, clock);
    const { events, listener: l } = listener();
    const session = store.openSession(l, { sessionTimeoutMs: 6000 });
    await settle();
    assert.deepEqual(events, ["connected"]);
    assert.equal(session.sessionId, 77n);
    const replies = Promise.all([
      session.submit(getData("/a"), false),
      session.submit({ type: "create", path: "/c", data: null, acl: OPEN_ACL_UNSAFE, mode: 0 }, false),
      session.submit({ type: "delete", path: "/x", version: -1 }, false),
      session.submit({
        type: "multi",
        ops: [{ type: "create", path: "/m", data: null, acl: OPEN_ACL_UNSAFE, mode: 0 }, { type: "check", path: "/m", version: 0 }],
      }, false),
    ]);
    await settle();
    const [get, created, deleted, multi] = await replies;
    assert.equal(server.chunks[0]!.length, 2, "the handshake, then one chunk for the batch");
    assert.deepEqual(server.requests[0]!.map((r) => r.request.type), [OpCode.GetData, OpCode.Create2, OpCode.Delete, OpCode.Multi]);
    assert.deepEqual(get, { resultCode: 0, data: new Uint8Array([1]), stat: STAT });
    assert.deepEqual(created, { resultCode: 0, name: "/c", stat: STAT });
    assert.deepEqual(deleted, { resultCode: ErrorCode.NoNode });
    assert.deepEqual(multi, { resultCode: 0, opResults: [{ resultCode: 0, name: "/m" }, { resultCode: 0 }] });
    const closing = session.close(); // the fake server never answers closeSession: the clock bounds it
    await settle();
    clock.advance(4000);
    await closing;
    assert.equal(clock.pendingTimers, 0);
  });

  for (const [what, bad] of [
    ["an oversized frame", new Uint8Array([0, 0x50, 0, 0])], // announces 5 MiB, over the 4 MiB default
    ["a negative frame length", new Uint8Array([0xff, 0xff, 0xff, 0xfe])],
    ["a truncated reply", new Uint8Array([0, 0, 0, 6, 0, 0, 0, 1, 0, 0])],
  ] as const) {
    it(`drops the connection on ${what}: MarshallingError, ConnectionLoss for in-flight requests, then reconnects`, async () => {
      const clock = new FakeClock();
      let answered = 0;
      const server = fakeServer(({ header }) => (answered++ === 0 ? [bad] : [ok(header.xid, { type: OpCode.GetData, data: null, stat: STAT })]));
      const { store, errors } = storeWith(server.dial, clock);
      const { events, listener: l } = listener();
      const session = store.openSession(l, { sessionTimeoutMs: 6000 });
      await settle();
      const lost = session.submit(getData("/a"), false);
      await settle();
      assert.deepEqual(await lost, { resultCode: ErrorCode.ConnectionLoss });
      assert.deepEqual(events, ["connected", "disconnected"]);
      assert.ok(isKeeperError(errors[0], ErrorCode.MarshallingError), String(errors[0]));
      clock.advance(1000); // Java's spin before retrying the only host
      await settle();
      assert.deepEqual(events, ["connected", "disconnected", "connected"]);
      assert.equal((await session.submit(getData("/a"), false)).resultCode, 0);
      await store.close();
      clock.advance(10_000);
      assert.equal(clock.pendingTimers, 0);
    });
  }

  it("answers ConnectionLoss to every in-flight request when a reply's xid is out of order", async () => {
    const clock = new FakeClock();
    const held: DecodedRequest[] = [];
    const server = fakeServer((request) => {
      held.push(request);
      return held.length === 2 ? [ok(held[1]!.header.xid)] : []; // answers the second first
    });
    const { store, errors } = storeWith(server.dial, clock);
    const session = store.openSession(listener().listener, { sessionTimeoutMs: 6000 });
    await settle();
    const replies = Promise.all([session.submit(getData("/a"), false), session.submit(getData("/b"), false)]);
    await settle();
    assert.deepEqual(await replies, [{ resultCode: ErrorCode.ConnectionLoss }, { resultCode: ErrorCode.ConnectionLoss }]);
    assert.match(errors[0]!.message, /out of order/);
    await store.close();
  });

  it("re-arms watches on reconnect with setWatches frames of at most 128 KiB of paths", async () => {
    const clock = new FakeClock();
    const server = fakeServer(({ header, request }) =>
      request.type === OpCode.GetData ? [ok(header.xid, { type: OpCode.GetData, data: null, stat: STAT }, 500n)] : []
    );
    const { store } = storeWith(server.dial, clock);
    const session = store.openSession(listener().listener, { sessionTimeoutMs: 6000 });
    await settle();
    const paths = Array.from({ length: 300 }, (_, i) => `/${String(i).padStart(4, "0")}/${"x".repeat(1000)}`);
    const armed = Promise.all(paths.map((p) => session.submit(getData(p), true)));
    await settle();
    await armed;
    server.connections[0]!.close();
    await settle();
    clock.advance(1000);
    await settle();
    const rearm = server.requests[1]!.filter((r) => r.header.xid === Xid.SetWatches);
    assert.equal(rearm.length, 3);
    const seen: string[] = [];
    for (const { request } of rearm) {
      assert.equal(request.type, OpCode.SetWatches);
      if (request.type !== OpCode.SetWatches) continue;
      assert.equal(request.relativeZxid, 500n);
      const bytes = request.dataWatches.reduce((n, p) => n + p.length, 0);
      assert.ok(bytes <= SET_WATCHES_MAX_PATH_BYTES, `${bytes} bytes of paths in one frame`);
      seen.push(...request.dataWatches);
    }
    assert.deepEqual(seen, paths);
    await store.close();
  });

  it("bounds connecting to an unreachable host: waitUntilConnected times out, close leaves no timers", async () => {
    const clock = new FakeClock();
    let dials = 0;
    const dial: Dial = () => {
      dials++;
      return Promise.reject(new Error("connection refused"));
    };
    const { store } = storeWith(dial, clock);
    const client = createMetastore({ store, clock, ownsStore: true }, { sessionTimeoutMs: 6000 });
    const waiting = client.waitUntilConnected(2500).catch((e: unknown) => e);
    for (let t = 0; t < 3000; t += 100) {
      clock.advance(100);
      await settle();
    }
    assert.ok(isKeeperError(await waiting, ErrorCode.OperationTimeout));
    assert.ok(dials >= 2, `retried (${dials} dials)`);
    const queued = client.handleRequest(getData("/a"));
    clock.advance(3000); // the next attempt fails, and with it what waited for it
    await settle();
    assert.equal((await queued).resultCode, ErrorCode.ConnectionLoss);
    await client.close();
    assert.equal(clock.pendingTimers, 0);
  });
});
