import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createEtcdStore } from "./etcd_store.ts";
import { FakeEtcd } from "../testing/fake_etcd.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { OPEN_ACL_UNSAFE } from "../api/acl.ts";
import { CreateMode } from "../api/create_mode.ts";
import { ErrorCode } from "../errors.ts";
import type { SessionEvent, StoreReply } from "../store.ts";

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
