import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createEtcdStore } from "./etcd_store.ts";
import { FakeEtcd } from "../testing/fake_etcd.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { OPEN_ACL_UNSAFE } from "../api/acl.ts";
import { ErrorCode } from "../errors.ts";
import type { Request } from "../api/requests.ts";
import type { SessionEvent, StoreReply } from "../store.ts";
import { zxidOf } from "./zxid.ts";
import { KeyLayout } from "./keys.ts";
import { EtcdLayoutError } from "./layout_version.ts";
import { encodeJavaUtf8 } from "../zk/utf8.ts";
import type { EtcdApi, TxnRequest } from "./api.ts";

async function settle(rounds = 300): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

const create = (path: string): Request => ({ type: "create", path, data: null, acl: OPEN_ACL_UNSAFE, mode: 0 });
const setData = (path: string, version: number): Request => ({ type: "setData", path, data: new Uint8Array([1]), version });

async function connected(etcd: FakeEtcd) {
  const store = createEtcdStore({ api: etcd.api(), clock: new FakeClock(), prefix: "t/" });
  const events: SessionEvent[] = [];
  const session = store.openSession({ onSessionEvent: (e) => events.push(e), onWatch() {} }, { sessionTimeoutMs: 6000 });
  await settle();
  return { store, session, events };
}

describe("write pipeline", () => {
  it("commits a session's queued writes in one Txn, each with its own zxid in request order", async () => {
    const etcd = new FakeEtcd();
    const { session } = await connected(etcd);
    const r0 = etcd.revision;
    const requests = [
      create("/p"),
      create("/p/a"),
      create("/p/b"),
      create("/p/a"),
      { type: "delete", path: "/p/c", version: -1 } as Request,
      // Writes /p/a's node key again: the next Txn.
      setData("/p/a", 0),
      setData("/p/b", 0),
    ];
    const pending = requests.map((r) => session.submit(r, false));
    await settle();
    const replies: StoreReply[] = await Promise.all(pending);
    assert.equal(etcd.revision, r0 + 2n, "two Txns");
    const [first, second] = [r0 + 1n, r0 + 2n];
    assert.deepEqual(replies.slice(0, 5).map((r) => r.resultCode), [0, 0, 0, ErrorCode.NodeExists, ErrorCode.NoNode]);
    assert.deepEqual(replies.slice(1, 3).map((r) => r.name), ["/p/a", "/p/b"]);
    assert.equal(replies[5]!.stat!.czxid, zxidOf(first, 1));
    assert.equal(replies[5]!.stat!.mzxid, zxidOf(second, 0));
    assert.equal(replies[6]!.stat!.czxid, zxidOf(first, 2));
    assert.equal(replies[6]!.stat!.mzxid, zxidOf(second, 1));
    const p = await session.submit({ type: "exists", path: "/p" }, false).then((r) => r.stat!);
    assert.deepEqual([p.czxid, p.mzxid, p.pzxid, p.cversion, p.numChildren], [zxidOf(first, 0), zxidOf(first, 0), zxidOf(first, 2), 2, 2]);
    await session.close();
  });

  it("a namespace of another key layout is refused with EtcdLayoutError, its sessions answer SystemError", async () => {
    const etcd = new FakeEtcd();
    // A namespace written by the first layout: a root, no version key.
    etcd.txn({ compare: [], success: [{ put: { key: new KeyLayout("t/").node("/"), value: new Uint8Array(4) } }], failure: [] });
    const store = createEtcdStore({ api: etcd.api(), clock: new FakeClock(), prefix: "t/" }) as unknown as { ready(): Promise<void> };
    await assert.rejects(store.ready(), (e) => e instanceof EtcdLayoutError && e.found === "1" && /layout 1.*layout 2/.test(e.message));
    const { session, events } = await connected(etcd);
    assert.deepEqual(events, ["auth-failed"]);
    assert.equal((await session.submit(create("/x"), false)).resultCode, ErrorCode.SystemError);
  });
});

describe("write pipeline: a burst longer than one Txn", () => {
  const isWrite = (r: TxnRequest) => r.success.some((op) => "put" in op || "deleteRange" in op);

  /** A store on `etcd` whose write Txns run `before(n)` first (n counts from 1) and are counted in flight. */
  async function hooked(etcd: FakeEtcd, before: (n: number) => Promise<void> | void = () => {}) {
    const inner = etcd.api();
    const seen = { writes: 0, reads: 0, inFlight: 0, maxInFlight: 0, maxCompares: 0 };
    const api: EtcdApi = {
      ...inner,
      txn: async (r) => {
        if (!isWrite(r)) {
          seen.reads++;
          return inner.txn(r);
        }
        seen.maxInFlight = Math.max(seen.maxInFlight, ++seen.inFlight);
        seen.maxCompares = Math.max(seen.maxCompares, r.compare.length);
        try {
          await before(++seen.writes);
          return await inner.txn(r);
        } finally {
          seen.inFlight--;
        }
      },
    };
    const store = createEtcdStore({ api, clock: new FakeClock(), prefix: "t/" });
    const session = store.openSession({ onSessionEvent() {}, onWatch() {} }, { sessionTimeoutMs: 6000 });
    await settle();
    return { session, seen };
  }

  const burst = (n: number) => [create("/p"), ...Array.from({ length: n }, (_, i) => create(`/p/n${String(i).padStart(4, "0")}`)), setData("/p/n0000", 0)];

  function assertInOrder(replies: StoreReply[]): void {
    for (let i = 1; i < replies.length; i++) assert.ok(replies[i]!.zxid! > replies[i - 1]!.zxid!, `zxid of write ${i} after write ${i - 1}'s`);
  }

  it("goes as Txns one after another, planned ahead, with one read for the whole burst and zxids in request order", async () => {
    const etcd = new FakeEtcd();
    const { session, seen } = await hooked(etcd);
    const before = { ...seen };
    const replies = await Promise.all(burst(500).map((r) => session.submit(r, false)));
    assert.deepEqual(new Set(replies.map((r) => r.resultCode)), new Set([0]));
    assertInOrder(replies);
    assert.equal(seen.maxInFlight, 1, "one write Txn in flight at a time");
    assert.equal(seen.writes - before.writes, 4, "502 writes as Txns of up to 126 creates (one compare each)");
    assert.equal(seen.reads - before.reads, 1, "the head's read and the reads ahead share one Txn");
    const p = (await session.submit({ type: "exists", path: "/p" }, false)).stat!;
    assert.deepEqual([p.numChildren, p.cversion], [500, 500]);
    // The setData's stat is what a read finds afterwards.
    assert.deepEqual((await session.submit({ type: "exists", path: "/p/n0000" }, false)).stat, replies.at(-1)!.stat);
    await session.close();
  });

  it("a short burst that writes its nodes again (Txns of one or two writes) is planned ahead on its one read", async () => {
    const etcd = new FakeEtcd();
    const { session, seen } = await hooked(etcd);
    await session.submit(create("/x"), false);
    const before = { ...seen };
    // Each node created, set and deleted in order: each rewrite of a node key ends a Txn.
    const requests = Array.from({ length: 4 }, (_, i) => `/x/n${i}`).flatMap((path): Request[] => [create(path), setData(path, 0), { type: "delete", path, version: 1 }]);
    const replies = await Promise.all(requests.map((r) => session.submit(r, false)));
    assert.deepEqual(replies.map((r) => r.resultCode), requests.map(() => 0), "each applied in request order");
    assertInOrder(replies);
    assert.equal(seen.maxInFlight, 1, "one write Txn in flight at a time");
    assert.equal(seen.writes - before.writes, 9, "c | s | d c | s | d c | s | d c | s | d");
    assert.equal(seen.reads - before.reads, 3, "one read per head batch and the three planned behind it, not one per Txn");
    // At most a delete and a create: the node and children keys of both and of their parent.
    assert.ok(seen.maxCompares <= 6, `each Txn guards what its writes read, not the whole read (${seen.maxCompares} compares)`);
    await session.close();
  });

  it("guards the children keys of its setData targets as one range: a child created under one since fails the Txn, and its stat shows the child", async () => {
    const etcd = new FakeEtcd();
    const other = createEtcdStore({ api: etcd.api(), clock: new FakeClock(), prefix: "t/" });
    const rival = other.openSession({ onSessionEvent() {}, onWatch() {} }, { sessionTimeoutMs: 6000 });
    await settle();
    const targets = Array.from({ length: 200 }, (_, i) => `/p/n${String(i).padStart(4, "0")}`);
    for (const r of [create("/p"), ...targets.map(create)]) assert.equal((await rival.submit(r, false)).resultCode, 0);
    let first = Infinity;
    const { session, seen } = await hooked(etcd, async (n) => {
      if (n === first) assert.equal((await rival.submit(create("/p/n0100/child"), false)).resultCode, 0);
    });
    first = seen.writes + 1;
    const replies = await Promise.all(targets.map((path) => session.submit(setData(path, 0), false)));
    assert.deepEqual(new Set(replies.map((r) => r.resultCode)), new Set([0]));
    assert.deepEqual([replies[100]!.stat!.numChildren, replies[100]!.stat!.cversion], [1, 1], "the child the rival created");
    assert.equal(replies[99]!.stat!.numChildren, 0);
    // 127 setData a Txn (a compare each and one for the range; 63 with two each), the first lost to the rival.
    assert.equal(seen.writes - first + 1, 3);
    assertInOrder(replies);
    await Promise.all([session.close(), rival.close()]);
  });

  it("is planned again when etcd's revision moved under it, and reads afresh when another writer came between", async () => {
    const etcd = new FakeEtcd();
    const other = createEtcdStore({ api: etcd.api(), clock: new FakeClock(), prefix: "t/" });
    const rival = other.openSession({ onSessionEvent() {}, onWatch() {} }, { sessionTimeoutMs: 6000 });
    await settle();
    const outside = encodeJavaUtf8("elsewhere");
    const { session, seen } = await hooked(etcd, async (n) => {
      // Before the burst's second Txn: a write outside the namespace (the predicted revision is
      // taken); before its fourth: another session creates a name the burst creates later.
      if (n === 2) etcd.txn({ compare: [], success: [{ put: { key: outside, value: outside } }], failure: [] });
      if (n === 4) assert.equal((await rival.submit(create("/p/n0450"), false)).resultCode, 0);
    });
    const replies = await Promise.all(burst(500).map((r) => session.submit(r, false)));
    const codes = replies.map((r) => r.resultCode);
    assert.deepEqual(codes.map((c, i) => [i, c]).filter(([, c]) => c !== 0), [[451, ErrorCode.NodeExists]]);
    assert.ok(seen.writes >= 6, `the Txn that lost to the rival and the one after it, again (${seen.writes} write Txns)`);
    assertInOrder(replies);
    const p = (await session.submit({ type: "exists", path: "/p" }, false)).stat!;
    assert.deepEqual([p.numChildren, p.cversion], [500, 500]);
    assert.deepEqual((await session.submit({ type: "exists", path: "/p/n0000" }, false)).stat, replies.at(-1)!.stat);
    await Promise.all([session.close(), rival.close()]);
  });
});
