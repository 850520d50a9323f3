import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createEtcdStore, leaseTtlSeconds } from "./etcd_store.ts";
import { FakeEtcd } from "../testing/fake_etcd.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { OPEN_ACL_UNSAFE } from "../api/acl.ts";
import { CreateMode } from "../api/create_mode.ts";
import { EventType, type WatchEvent } from "../api/events.ts";
import { ErrorCode } from "../errors.ts";
import type { CreateRequest, Request, ZkOp } from "../api/requests.ts";
import type { SessionEvent, Store, StoreReply, StoreSession } from "../store.ts";

/** Lets every pending promise chain run (the fake answers in microtasks). */
async function settle(rounds = 300): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

const mk = (path: string, mode: CreateMode = CreateMode.Persistent, data: Uint8Array | null = null): CreateRequest & ZkOp => ({
  type: "create",
  path,
  data,
  acl: OPEN_ACL_UNSAFE,
  mode,
});

function setup() {
  const etcd = new FakeEtcd();
  const clock = new FakeClock();
  const stores: Store[] = [];
  const store = () => {
    const s = createEtcdStore({ api: etcd.api(), clock, prefix: "t/" });
    stores.push(s);
    return s;
  };
  const open = async (s: Store = store()) => {
    const events: SessionEvent[] = [];
    const watches: WatchEvent[] = [];
    const session: StoreSession = s.openSession(
      { onSessionEvent: (e) => events.push(e), onWatch: (w) => watches.push(w) },
      { sessionTimeoutMs: 6000 },
    );
    await settle();
    assert.deepEqual(events, ["connected"]);
    const send = async (r: Request, watch = false): Promise<StoreReply> => {
      const p = session.submit(r, watch);
      await settle();
      return await p;
    };
    return { session, events, watches, send, store: s };
  };
  return { etcd, clock, store, open };
}

describe("createEtcdStore()", () => {
  it("leaseTtlSeconds() clamps like ZooKeeper and rounds up to seconds", () => {
    assert.equal(leaseTtlSeconds(100), 4);
    assert.equal(leaseTtlSeconds(18000), 18);
    assert.equal(leaseTtlSeconds(18001), 19);
    assert.equal(leaseTtlSeconds(600000), 40);
  });

  it("answers creates, reads and stats like ZooKeeper, with the lease as session id", async () => {
    const { open } = setup();
    const { session, send } = await open();
    assert.ok(session.sessionId > 0n);
    assert.equal((await send(mk("/a", 0, new Uint8Array([7])))).name, "/a");
    assert.equal((await send(mk("/a"))).resultCode, ErrorCode.NodeExists);
    assert.equal((await send(mk("/x/y"))).resultCode, ErrorCode.NoNode);
    assert.equal((await send(mk("/a/s-", CreateMode.PersistentSequential))).name, "/a/s-0000000000");
    assert.equal((await send({ type: "delete", path: "/a/s-0000000000", version: -1 })).resultCode, 0);
    assert.equal((await send(mk("/a/s-", CreateMode.EphemeralSequential))).name, "/a/s-0000000001");
    const a = await send({ type: "getData", path: "/a" });
    assert.deepEqual(a.data, new Uint8Array([7]));
    assert.equal(a.stat!.cversion, 3);
    assert.equal(a.stat!.numChildren, 1);
    assert.equal(a.stat!.version, 0);
    const e = await send({ type: "exists", path: "/a/s-0000000001" });
    assert.equal(e.stat!.ephemeralOwner, session.sessionId);
    assert.equal((await send(mk("/a/s-0000000001/c"))).resultCode, ErrorCode.NoChildrenForEphemerals);
    assert.equal((await send({ type: "delete", path: "/a", version: -1 })).resultCode, ErrorCode.NotEmpty);
    assert.equal((await send({ type: "setData", path: "/a", data: null, version: 5 })).resultCode, ErrorCode.BadVersion);
    const set = await send({ type: "setData", path: "/a", data: null, version: 0 });
    assert.equal(set.stat!.version, 1);
    assert.ok(set.stat!.mzxid > set.stat!.czxid);
    const acl = await send({ type: "setAcl", path: "/a", acl: [{ perms: 1, id: { scheme: "world", id: "anyone" } }], version: 0 });
    assert.equal(acl.stat!.aversion, 1);
    assert.equal(acl.stat!.mzxid, set.stat!.mzxid, "setAcl is not a data change");
    assert.deepEqual((await send({ type: "getChildren", path: "/", registerWatch: false })).children, ["a", "zookeeper"]);
    assert.equal((await send({ ...mk("/ttl"), mode: CreateMode.PersistentWithTtl, ttlMs: 5 })).resultCode, ErrorCode.Unimplemented);
  });

  it("Multi: one revision, folded writes, ZooKeeper's per-op results on failure", async () => {
    const { open } = setup();
    const { send } = await open();
    const ok = await send({
      type: "multi",
      ops: [mk("/m"), { type: "setData", path: "/m", data: new Uint8Array([1]), version: 0 }, mk("/m/k"), { type: "delete", path: "/m/k", version: 0 }],
    });
    assert.deepEqual(ok.opResults!.map((r) => r.resultCode), [0, 0, 0, 0]);
    const m = await send({ type: "exists", path: "/m" });
    assert.equal(m.stat!.version, 1);
    assert.equal(m.stat!.czxid, m.stat!.mzxid);
    assert.equal(m.stat!.cversion, 2);
    const failed = await send({ type: "multi", ops: [mk("/n"), { type: "check", path: "/m", version: 9 }, mk("/o")] });
    assert.deepEqual(failed.opResults!.map((r) => r.resultCode), [0, ErrorCode.BadVersion, ErrorCode.RuntimeInconsistency]);
    assert.equal((await send({ type: "exists", path: "/n" })).resultCode, ErrorCode.NoNode);
  });

  it("refuses a Multi that cannot be one etcd Txn with BadArguments", async () => {
    const { open } = setup();
    const { send } = await open();
    const ops = Array.from({ length: 130 }, (_, i) => mk(`/n${i}`));
    assert.deepEqual(await send({ type: "multi", ops }), { resultCode: ErrorCode.BadArguments });
  });

  it("two stores racing for sequential names get distinct ones (compare-and-swap retry)", async () => {
    const { open } = setup();
    const one = await open();
    const two = await open();
    await one.send(mk("/q"));
    const replies = await Promise.all([
      one.session.submit(mk("/q/i-", CreateMode.PersistentSequential), false),
      two.session.submit(mk("/q/i-", CreateMode.PersistentSequential), false),
      settle(2000),
    ]);
    const names = [replies[0].name, replies[1].name].sort();
    assert.deepEqual(names, ["/q/i-0000000000", "/q/i-0000000001"]);
  });

  it("a long race for one parent neither fails nor grows: every create gets its own name", async () => {
    const { open } = setup();
    const clients = await Promise.all([open(), open(), open(), open()]);
    await clients[0]!.send(mk("/r"));
    const pending = clients.flatMap((c) => Array.from({ length: 5 }, () => c.session.submit(mk("/r/", CreateMode.PersistentSequential), false)));
    await settle(20000);
    const names = (await Promise.all(pending)).map((r) => r.name);
    assert.equal(new Set(names).size, 20);
    assert.ok(names.every((n) => n !== undefined));
    assert.equal((await clients[0]!.send({ type: "exists", path: "/r" })).stat!.cversion, 20);
  });

  it("a sequential name that already exists is NodeExists, as on ZooKeeper", async () => {
    const { open } = setup();
    const { send } = await open();
    await send(mk("/s"));
    await send(mk("/s/x0000000001"));
    // One creation so far: the next suffix is 0000000001, which is taken.
    assert.equal((await send(mk("/s/x", CreateMode.PersistentSequential))).resultCode, ErrorCode.NodeExists);
    assert.equal((await send(mk("/s/y", CreateMode.PersistentSequential))).name, "/s/y0000000001");
    await send(mk("/u"));
    await send(mk("/u/x0000000001"));
    const failed = await send({ type: "multi", ops: [mk("/u/x", CreateMode.PersistentSequential), { type: "check", path: "/u", version: 3 }] });
    assert.deepEqual(failed.opResults!.map((r) => r.resultCode), [ErrorCode.NodeExists, ErrorCode.RuntimeInconsistency]);
  });

  it("removes containers that had children and have none, every containerCheckIntervalMs", async () => {
    const { open, clock } = setup();
    const { send, watches } = await open();
    await send(mk("/box", CreateMode.Container));
    await send(mk("/fresh", CreateMode.Container));
    await send(mk("/box/x"));
    await send({ type: "delete", path: "/box/x", version: -1 });
    await send({ type: "exists", path: "/box" }, true);
    clock.advance(60000);
    await settle(1000);
    assert.equal((await send({ type: "exists", path: "/box" })).resultCode, ErrorCode.NoNode);
    assert.equal((await send({ type: "exists", path: "/fresh" })).resultCode, 0, "a container that never had children stays");
    assert.deepEqual(watches, [{ type: EventType.NodeDeleted, path: "/box" }]);
  });

  it("watches: read-armed, one-shot, across stores; setAcl fires nothing", async () => {
    const { open } = setup();
    const watcher = await open();
    const writer = await open();
    await watcher.send({ type: "exists", path: "/w" }, true);
    await writer.send(mk("/w"));
    await settle();
    assert.deepEqual(watcher.watches, [{ type: EventType.NodeCreated, path: "/w" }]);
    await watcher.send({ type: "getData", path: "/w" }, true);
    await watcher.send({ type: "getChildren", path: "/w", registerWatch: true }, true);
    await writer.send({ type: "setAcl", path: "/w", acl: OPEN_ACL_UNSAFE, version: -1 });
    await writer.send({ type: "setData", path: "/w", data: null, version: -1 });
    await writer.send({ type: "setData", path: "/w", data: null, version: -1 });
    await writer.send(mk("/w/c"));
    await writer.send(mk("/w/d"));
    await settle();
    assert.deepEqual(watcher.watches.slice(1), [
      { type: EventType.NodeDataChanged, path: "/w" },
      { type: EventType.NodeChildrenChanged, path: "/w" },
    ]);
  });

  it("an outside revocation expires the session and removes its ephemerals", async () => {
    const { open, etcd } = setup();
    const owner = await open();
    const other = await open();
    await owner.send(mk("/e", CreateMode.Ephemeral));
    await other.send({ type: "exists", path: "/e" }, true);
    etcd.revoke(owner.session.sessionId);
    await settle();
    assert.deepEqual(owner.events, ["connected", "expired"]);
    assert.deepEqual(other.watches, [{ type: EventType.NodeDeleted, path: "/e" }]);
    assert.equal((await owner.send({ type: "exists", path: "/" })).resultCode, ErrorCode.SessionExpired);
  });

  it("close() deletes the session's ephemerals with a request, so the parent's pzxid moves", async () => {
    const { open } = setup();
    const owner = await open();
    const other = await open();
    await owner.send(mk("/p"));
    await owner.send(mk("/p/e", CreateMode.Ephemeral));
    const before = (await other.send({ type: "exists", path: "/p" })).stat!;
    const closing = owner.session.close();
    await settle();
    await closing;
    const after = (await other.send({ type: "exists", path: "/p" })).stat!;
    assert.equal(after.numChildren, 0);
    assert.equal(after.cversion, 2);
    assert.ok(after.pzxid > before.pzxid);
  });

  it("a lost link: ConnectionLoss and disconnected, then connected again on the same session", async () => {
    const etcd = new FakeEtcd();
    const clock = new FakeClock();
    const api = etcd.api();
    const store = createEtcdStore({ api, clock, prefix: "t/" });
    const events: SessionEvent[] = [];
    const session = store.openSession({ onSessionEvent: (e) => events.push(e), onWatch: () => {} }, { sessionTimeoutMs: 6000 });
    await settle();
    const id = session.sessionId;
    api.down();
    const lost = session.submit({ type: "exists", path: "/" }, false);
    await settle();
    assert.equal((await lost).resultCode, ErrorCode.ConnectionLoss);
    assert.deepEqual(events, ["connected", "disconnected"]);
    // Meanwhile requests wait for the next probe of the link: this one fails, so they fail with it.
    const waiting = session.submit({ type: "exists", path: "/" }, false);
    clock.advance(0);
    await settle();
    assert.equal((await waiting).resultCode, ErrorCode.ConnectionLoss);
    // The next probe gets through: the request waiting for it goes.
    const queued = session.submit({ type: "exists", path: "/" }, false);
    api.up();
    clock.advance(300);
    await settle();
    assert.deepEqual(events, ["connected", "disconnected", "connected"]);
    assert.equal((await queued).resultCode, 0);
    assert.equal(session.sessionId, id);
    const ok = session.submit({ type: "exists", path: "/" }, false);
    await settle();
    assert.equal((await ok).resultCode, 0);
  });

  it("a link down for a whole TTL gives up: expired", async () => {
    const etcd = new FakeEtcd();
    const clock = new FakeClock();
    const api = etcd.api();
    const store = createEtcdStore({ api, clock, prefix: "t/" });
    const events: SessionEvent[] = [];
    store.openSession({ onSessionEvent: (e) => events.push(e), onWatch: () => {} }, { sessionTimeoutMs: 4000 });
    await settle();
    api.down();
    for (let t = 0; t < 5000; t += 250) {
      clock.advance(250);
      await settle(50);
    }
    assert.deepEqual(events, ["connected", "disconnected", "expired"]);
  });

  it("a watch stream resumed past a compaction re-checks armed watches by reading, as ZooKeeper's SetWatches", async () => {
    const etcd = new FakeEtcd();
    const clock = new FakeClock();
    const watcherApi = etcd.api();
    const store = createEtcdStore({ api: watcherApi, clock, prefix: "t/" });
    const watches: WatchEvent[] = [];
    const session = store.openSession({ onSessionEvent: () => {}, onWatch: (w) => watches.push(w) }, { sessionTimeoutMs: 6000 });
    await settle();
    const writer = createEtcdStore({ api: etcd.api(), clock, prefix: "t/" }).openSession({ onSessionEvent: () => {}, onWatch: () => {} }, { sessionTimeoutMs: 6000 });
    await settle();
    const write = async (r: Request) => {
      const p = writer.submit(r, false);
      await settle();
      return await p;
    };
    for (const path of ["/c", "/d", "/u"]) await write(mk(path));
    const reads = [
      session.submit({ type: "getData", path: "/c" }, true),
      session.submit({ type: "getData", path: "/d" }, true),
      session.submit({ type: "getChildren", path: "/d", registerWatch: true }, true),
      session.submit({ type: "getData", path: "/u" }, true),
    ];
    await settle();
    for (const r of await Promise.all(reads)) assert.equal(r.resultCode, 0);
    watcherApi.down();
    await settle();
    await write({ type: "setData", path: "/c", data: null, version: -1 });
    // Deleted and created again unseen: ZooKeeper's catch-up judges the node as it is now.
    await write({ type: "delete", path: "/d", version: -1 });
    await write(mk("/d"));
    etcd.compact(etcd.revision);
    watcherApi.up();
    clock.advance(5000);
    await settle(2000);
    const seen = watches.map((w) => `${w.type} ${w.path}`).sort();
    assert.deepEqual(seen, [
      `${EventType.NodeDataChanged} /c`,
      `${EventType.NodeDataChanged} /d`,
      `${EventType.NodeChildrenChanged} /d`,
    ].sort());
  });
});
