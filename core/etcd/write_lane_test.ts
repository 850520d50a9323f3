import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createEtcdStore } from "./etcd_store.ts";
import { FakeEtcd } from "../testing/fake_etcd.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { OPEN_ACL_UNSAFE } from "../api/acl.ts";
import { CreateMode } from "../api/create_mode.ts";
import { ErrorCode } from "../errors.ts";
import type { Request } from "../api/requests.ts";
import type { StoreReply, StoreSession } from "../store.ts";
import type { EtcdApi, TxnRequest } from "./api.ts";

async function settle(rounds = 300): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

const create = (path: string, mode: CreateMode = CreateMode.Persistent): Request => ({ type: "create", path, data: null, acl: OPEN_ACL_UNSAFE, mode });
const isWrite = (r: TxnRequest) => r.success.some((op) => "put" in op || "deleteRange" in op);

/** `n` sessions of one store on `etcd`, its write Txns counted. */
async function sessions(etcd: FakeEtcd, n: number) {
  const inner = etcd.api();
  const seen = { writes: 0, failed: 0 };
  const api: EtcdApi = {
    ...inner,
    txn: async (r) => {
      const response = await inner.txn(r);
      if (isWrite(r)) {
        seen.writes++;
        if (!response.succeeded) seen.failed++;
      }
      return response;
    },
  };
  const store = createEtcdStore({ api, clock: new FakeClock(), prefix: "t/" });
  const out: StoreSession[] = [];
  for (let i = 0; i < n; i++) out.push(store.openSession({ onSessionEvent() {}, onWatch() {} }, { sessionTimeoutMs: 6000 }));
  await settle();
  return { sessions: out, seen };
}

function assertInOrder(replies: StoreReply[]): void {
  for (let i = 1; i < replies.length; i++) assert.ok(replies[i]!.zxid! > replies[i - 1]!.zxid!, `zxid of write ${i} after write ${i - 1}'s`);
}

describe("write lane", () => {
  it("merges the writes of a store's sessions into shared Txns, each session's in its order, none lost to the others' guards", async () => {
    const etcd = new FakeEtcd();
    const { sessions: [first, ...rest], seen } = await sessions(etcd, 4);
    assert.equal((await first!.submit(create("/p"), false)).resultCode, 0);
    const before = { ...seen };
    // The first session's create goes alone (the lane was idle); the others' queue behind it and share one Txn.
    const lead = first!.submit(create("/p/first"), false);
    const bursts = rest.map((s, k) => Promise.all(Array.from({ length: 30 }, (_, i) => s.submit(create(`/p/s${k}-${i}`), false))));
    assert.equal((await lead).resultCode, 0);
    for (const replies of await Promise.all(bursts)) {
      assert.deepEqual(new Set(replies.map((r) => r.resultCode)), new Set([0]));
      assertInOrder(replies);
    }
    assert.equal(seen.writes - before.writes, 2, "one Txn for the lead, one for the 90 merged creates");
    assert.equal(seen.failed, 0, "no Txn lost to another session's");
    const p = (await first!.submit({ type: "exists", path: "/p" }, false)).stat!;
    assert.deepEqual([p.numChildren, p.cversion], [91, 91]);
    await Promise.all([first!, ...rest].map((s) => s.close()));
  });

  it("a session whose lease is gone fails alone: the others' writes in the Txn it refused go on", async () => {
    const etcd = new FakeEtcd();
    const { sessions: [lead, doomed, other] } = await sessions(etcd, 3);
    const ahead = lead!.submit(create("/lead"), false);
    const lost = doomed!.submit(create("/doomed", CreateMode.Ephemeral), false);
    const kept = other!.submit(create("/kept"), false);
    // Gone behind the session's back, before its ephemeral create reaches etcd.
    etcd.revoke(doomed!.sessionId);
    assert.equal((await ahead).resultCode, 0);
    assert.equal((await lost).resultCode, ErrorCode.SessionExpired);
    assert.equal((await kept).resultCode, 0);
    assert.equal((await other!.submit({ type: "exists", path: "/kept" }, false)).resultCode, 0);
    assert.equal((await other!.submit({ type: "exists", path: "/doomed" }, false)).resultCode, ErrorCode.NoNode);
    await Promise.all([lead!.close(), other!.close()]);
  });
});
