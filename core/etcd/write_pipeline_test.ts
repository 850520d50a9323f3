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
