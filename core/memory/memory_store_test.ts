import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createMemoryStore, type MemoryStore } from "./memory_store.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { OPEN_ACL_UNSAFE } from "../api/acl.ts";
import { CreateMode } from "../api/create_mode.ts";
import { ErrorCode } from "../errors.ts";
import type { Request } from "../api/requests.ts";
import type { SessionEvent, StoreSession } from "../store.ts";
import type { WatchEvent } from "../api/events.ts";

function open(store: MemoryStore, timeoutMs = 6000) {
  const events: SessionEvent[] = [];
  const watches: WatchEvent[] = [];
  const session: StoreSession = store.openSession(
    { onSessionEvent: (e) => events.push(e), onWatch: (w) => watches.push(w) },
    { sessionTimeoutMs: timeoutMs },
  );
  return { session, events, watches };
}

const mk = (path: string, mode: CreateMode = CreateMode.Persistent, ttlMs?: number): Request => ({
  type: "create",
  path,
  data: null,
  acl: OPEN_ACL_UNSAFE,
  mode,
  ...(ttlMs === undefined ? {} : { ttlMs }),
});
const exists = (path: string): Request => ({ type: "exists", path });

describe("createMemoryStore()", () => {
  it("starts with ZooKeeper's built-in nodes and their stats", async () => {
    const store = createMemoryStore({ clock: new FakeClock() });
    const { session } = open(store);
    const root = await session.submit({ type: "getChildren", path: "/", registerWatch: false }, false);
    assert.deepEqual(root.children, ["zookeeper"]);
    assert.equal(root.stat?.cversion, -1);
    const zk = await session.submit({ type: "getChildren", path: "/zookeeper", registerWatch: false }, false);
    assert.deepEqual([...zk.children!].sort(), ["config", "quota"]);
    assert.equal(zk.stat?.cversion, -2);
    assert.equal((await session.submit(exists("/zookeeper/config"), false)).stat?.aversion, -1);
    assert.equal((await session.submit(mk("/"), false)).resultCode, ErrorCode.NodeExists);
    assert.equal((await session.submit({ type: "delete", path: "/", version: -1 }, false)).resultCode, ErrorCode.BadArguments);
  });

  it("reports connected after opening, asynchronously", async () => {
    const store = createMemoryStore({ clock: new FakeClock() });
    const { events } = open(store);
    assert.deepEqual(events, []);
    await Promise.resolve();
    assert.deepEqual(events, ["connected"]);
  });

  it("expires a partitioned session after its timeout, removing its ephemerals", async () => {
    const clock = new FakeClock();
    const store = createMemoryStore({ clock });
    const a = open(store, 6000);
    const b = open(store);
    await a.session.submit(mk("/eph", CreateMode.Ephemeral), false);
    await b.session.submit(exists("/eph"), true);
    store.partition(a.session.sessionId);
    assert.equal((await a.session.submit(exists("/eph"), false)).resultCode, ErrorCode.ConnectionLoss);
    clock.advance(5999);
    assert.equal((await b.session.submit(exists("/eph"), false)).resultCode, ErrorCode.Ok);
    clock.advance(1);
    assert.equal((await b.session.submit(exists("/eph"), false)).resultCode, ErrorCode.NoNode);
    assert.deepEqual(b.watches, [{ type: 2, path: "/eph" }]);
    store.heal(a.session.sessionId);
    await Promise.resolve();
    assert.deepEqual(a.events, ["connected", "disconnected", "expired"]);
    assert.equal((await a.session.submit(exists("/"), false)).resultCode, ErrorCode.SessionExpired);
  });

  it("keeps a session healed within its timeout and delivers the events it missed", async () => {
    const clock = new FakeClock();
    const store = createMemoryStore({ clock });
    const a = open(store);
    const b = open(store);
    await a.session.submit(exists("/x"), true);
    store.partition(a.session.sessionId);
    await b.session.submit(mk("/x"), false);
    assert.deepEqual(a.watches, []);
    clock.advance(3000);
    store.heal(a.session.sessionId);
    await Promise.resolve();
    assert.deepEqual(a.events, ["connected", "disconnected", "connected"]);
    assert.deepEqual(a.watches, [{ type: 1, path: "/x" }]);
    clock.advance(60000);
    assert.equal((await a.session.submit(exists("/x"), false)).resultCode, ErrorCode.Ok);
  });

  it("clamps the session timeout to the store's bounds", async () => {
    const clock = new FakeClock();
    const store = createMemoryStore({ clock, minSessionTimeoutMs: 4000 });
    const a = open(store, 100);
    await a.session.submit(mk("/e", CreateMode.Ephemeral), false);
    store.partition(a.session.sessionId);
    clock.advance(3999);
    const b = open(store);
    assert.equal((await b.session.submit(exists("/e"), false)).resultCode, ErrorCode.Ok);
    clock.advance(1);
    assert.equal((await b.session.submit(exists("/e"), false)).resultCode, ErrorCode.NoNode);
  });

  it("removes a container once it had children and has none, at the check interval", async () => {
    const clock = new FakeClock();
    const store = createMemoryStore({ clock, containerCheckIntervalMs: 1000 });
    const { session } = open(store);
    await session.submit(mk("/empty", CreateMode.Container), false);
    await session.submit(mk("/box", CreateMode.Container), false);
    await session.submit(mk("/box/a"), false);
    clock.advance(1000);
    assert.equal((await session.submit(exists("/box"), false)).resultCode, ErrorCode.Ok);
    await session.submit({ type: "delete", path: "/box/a", version: -1 }, false);
    clock.advance(1000);
    assert.equal((await session.submit(exists("/box"), false)).resultCode, ErrorCode.NoNode);
    assert.equal((await session.submit(exists("/empty"), false)).resultCode, ErrorCode.Ok, "never had children");
  });

  it("accepts TTL nodes only with extended types, and removes them when idle and empty", async () => {
    const clock = new FakeClock();
    const plain = createMemoryStore({ clock });
    assert.equal((await open(plain).session.submit(mk("/t", CreateMode.PersistentWithTtl, 500), false)).resultCode, ErrorCode.Unimplemented);
    const store = createMemoryStore({ clock, extendedTypesEnabled: true, containerCheckIntervalMs: 1000 });
    const { session } = open(store);
    const created = await session.submit(mk("/t", CreateMode.PersistentWithTtl, 1500), false);
    assert.equal(created.resultCode, ErrorCode.Ok);
    assert.equal(created.stat?.ephemeralOwner, 0n, "the TTL marker is not reported, as ZooKeeper 3.8");
    clock.advance(1000);
    assert.equal((await session.submit(exists("/t"), false)).resultCode, ErrorCode.Ok);
    clock.advance(1000);
    assert.equal((await session.submit(exists("/t"), false)).resultCode, ErrorCode.NoNode);
  });

  it("consumes a zxid for every write, failed or not, and for session start and close", async () => {
    const store = createMemoryStore({ clock: new FakeClock() });
    const start = store.lastZxid;
    const { session } = open(store);
    assert.equal(store.lastZxid, start + 1n);
    await session.submit(mk("/a"), false);
    await session.submit(mk("/a"), false);
    await session.submit(exists("/a"), false);
    assert.equal(store.lastZxid, start + 3n);
    await session.close();
    assert.equal(store.lastZxid, start + 4n);
  });

  it("delivers a closing session's own notifications before close completes", async () => {
    const store = createMemoryStore({ clock: new FakeClock() });
    const a = open(store);
    await a.session.submit(mk("/e", CreateMode.Ephemeral), false);
    await a.session.submit(exists("/e"), true);
    await a.session.close();
    assert.deepEqual(a.watches, [{ type: 2, path: "/e" }]);
  });

  it("formats negative sequence numbers as Java's %010d", async () => {
    const { sequenceSuffix } = await import("../tree/data_tree.ts");
    assert.equal(sequenceSuffix(0), "0000000000");
    assert.equal(sequenceSuffix(2147483647), "2147483647");
    assert.equal(sequenceSuffix(-2147483648), "-2147483648");
    assert.equal(sequenceSuffix(-5), "-000000005");
  });

  it("dump() lists every node depth-first without /zookeeper", async () => {
    const store = createMemoryStore({ clock: new FakeClock() });
    const { session } = open(store);
    for (const p of ["/b", "/a", "/a/c"]) await session.submit(mk(p), false);
    assert.deepEqual(store.dump().map((n) => n.path), ["/a", "/a/c", "/b"]);
  });
});

describe("createMemoryStore() under a starved macrotask queue", () => {
  it("tells a watch event after the reply to the read that armed it, however long replies are held back", async () => {
    // A clock whose 0 ms probe timer runs only when the test says: the macrotask queue is starved.
    let now = 0;
    const due: (() => void)[] = [];
    const store = createMemoryStore({ clock: { now: () => now, wallMs: () => now, setTimer: (_ms, fn) => (due.push(fn), { cancel() {} }) } });
    const order: string[] = [];
    const a = store.openSession({ onSessionEvent: () => {}, onWatch: (e) => order.push(`event ${e.path}`) }, { sessionTimeoutMs: 6000 });
    const b = open(store);
    await a.submit(exists("/x"), false); // starts the probe
    now += 20; // ... which has not run 20 ms later: replies now wait for it
    const read = a.submit({ type: "getChildren", path: "/", registerWatch: true }, true).then(() => order.push("reply"));
    const created = b.session.submit(mk("/y"), false); // fires a's child watch now
    await Promise.resolve();
    assert.deepEqual(order, [], "nothing is told while replies wait");
    for (const fn of due.splice(0)) fn(); // the macrotask queue runs at last
    await Promise.all([read, created]);
    for (let turn = 0; turn < 5; turn++) await Promise.resolve(); // core runs without timers (QuickJS too)
    assert.deepEqual(order, ["reply", "event /"]);
    await store.close();
  });
});
