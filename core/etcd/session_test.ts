import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createEtcdStore } from "./etcd_store.ts";
import { FakeEtcd } from "../testing/fake_etcd.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { OPEN_ACL_UNSAFE } from "../api/acl.ts";
import { CreateMode } from "../api/create_mode.ts";
import { ErrorCode } from "../errors.ts";
import type { SessionEvent, StoreReply } from "../store.ts";
import type { Request } from "../api/requests.ts";
import { EventType, type WatchEvent } from "../api/events.ts";

/** Lets every pending promise chain run (the fake answers in microtasks). */
async function settle(rounds = 300): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

describe("EtcdSession while connecting", () => {
  it("a request queued during a connect attempt fails with ConnectionLoss when that attempt fails; later ones wait for the next", async () => {
    const etcd = new FakeEtcd();
    const clock = new FakeClock();
    const api = etcd.api();
    api.down();
    const store = createEtcdStore({ api, clock, prefix: "t/" });
    const events: SessionEvent[] = [];
    const session = store.openSession({ onSessionEvent: (e) => events.push(e), onWatch: () => {} }, { sessionTimeoutMs: 6000 });
    await settle(); // the first attempt failed; the next one starts after a pause
    const replies: (StoreReply | undefined)[] = [undefined, undefined];
    void session.submit({ type: "exists", path: "/" }, false).then((r) => (replies[0] = r));
    void session.submit({ type: "create", path: "/a", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent }, false)
      .then((r) => (replies[1] = r));
    await settle();
    assert.equal(replies.filter((r) => r !== undefined).length, 0, "answered before the attempt they wait for");
    clock.advance(500);
    await settle();
    assert.deepEqual(replies.map((r) => r?.resultCode), [ErrorCode.ConnectionLoss, ErrorCode.ConnectionLoss]);
    assert.deepEqual(events, [], "a failed connect attempt is no session event");

    api.up();
    const later = session.submit({ type: "exists", path: "/a" }, false);
    clock.advance(500);
    await settle();
    assert.equal((await later).resultCode, ErrorCode.NoNode, "a create answered ConnectionLoss was applied");
    assert.deepEqual(events, ["connected"]);
  });
});

describe("EtcdSession reads", () => {
  it("a read answered from before an event the session was told of is read again: the watch it arms cannot fire that event twice", async () => {
    const etcd = new FakeEtcd();
    const clock = new FakeClock();
    // Read Txns answered from the revision they reached etcd at, but handed back only on release().
    const held: (() => void)[] = [];
    let holding = false;
    const api = etcd.api();
    const readerApi = {
      ...api,
      txn: (r: Parameters<typeof api.txn>[0]) => {
        if (!holding || !r.success.every((op) => "range" in op)) return api.txn(r);
        const answer = api.txn(r);
        return new Promise<Awaited<typeof answer>>((resolve) => held.push(() => resolve(answer)));
      },
    };
    const watches: WatchEvent[] = [];
    const reader = createEtcdStore({ api: readerApi, clock, prefix: "t/" })
      .openSession({ onSessionEvent() {}, onWatch: (w) => watches.push(w) }, { sessionTimeoutMs: 6000 });
    const writer = createEtcdStore({ api: etcd.api(), clock, prefix: "t/" })
      .openSession({ onSessionEvent() {}, onWatch() {} }, { sessionTimeoutMs: 6000 });
    await settle();
    const send = async (session: typeof reader, r: Request, watch = false) => {
      const p = session.submit(r, watch);
      await settle();
      return await p;
    };
    await send(writer, { type: "create", path: "/a", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent });
    assert.equal((await send(reader, { type: "getData", path: "/a" }, true)).resultCode, ErrorCode.Ok);

    holding = true;
    const second = reader.submit({ type: "getData", path: "/a" }, true);
    await settle();
    assert.equal(held.length, 1, "the second read reached etcd before the change");
    holding = false;
    await send(writer, { type: "setData", path: "/a", data: new Uint8Array([1]), version: -1 });
    await settle();
    assert.deepEqual(watches, [{ type: EventType.NodeDataChanged, path: "/a" }], "the first watch fired");
    held.shift()!();
    await settle();
    const reply = await second;
    assert.equal(reply.resultCode, ErrorCode.Ok);
    assert.deepEqual(reply.resultCode === ErrorCode.Ok && "data" in reply ? reply.data : undefined, new Uint8Array([1]), "answered with the data after the event");
    await send(writer, { type: "setData", path: "/a", data: new Uint8Array([2]), version: -1 });
    await settle();
    assert.deepEqual(watches, [{ type: EventType.NodeDataChanged, path: "/a" }, { type: EventType.NodeDataChanged, path: "/a" }], "one event per change");
  });
});
