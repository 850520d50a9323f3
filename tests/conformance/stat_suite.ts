// Stat fields as ZooKeeper 3.8 maintains them, and the create modes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateMode, ErrorCode, OPEN_ACL_UNSAFE, type Stat } from "../../core/mod.ts";
import type { ConformanceTarget } from "./target.ts";
import { assertCode, bytes, create, withClient } from "./helpers.ts";

export function statSuite(target: ConformanceTarget): void {
  describe(`${target.name}: stat and create modes`, () => {
    it("a new node's stat: versions 0, czxid = mzxid = pzxid, ctime = mtime, no owner", () =>
      withClient(target, async (c) => {
        await c.handleRequest(create("/foo", bytes("hello")));
        const { stat } = await c.handleRequest({ type: "exists", path: "/foo" });
        const s = stat!;
        assert.equal(s.version, 0);
        assert.equal(s.cversion, 0);
        assert.equal(s.aversion, 0);
        assert.equal(s.czxid, s.mzxid);
        assert.equal(s.czxid, s.pzxid);
        assert.equal(s.ctime, s.mtime);
        assert.ok(s.czxid > 0n);
        assert.ok(s.ctime > 1_500_000_000_000n, `ctime ${s.ctime} should be epoch milliseconds`);
        assert.equal(s.ephemeralOwner, 0n);
        assert.equal(s.dataLength, 5);
        assert.equal(s.numChildren, 0);
      }));

    it("setData moves version and mzxid but not czxid, even with identical bytes", () =>
      withClient(target, async (c) => {
        const created = await c.handleRequest({ ...create("/foo", bytes("same")), type: "create" });
        assertCode(created, ErrorCode.Ok);
        const before = (await c.handleRequest({ type: "exists", path: "/foo" })).stat!;
        const after = (await c.handleRequest({ type: "setData", path: "/foo", data: bytes("same"), version: 0 })).stat!;
        assert.equal(after.version, 1);
        assert.equal(after.czxid, before.czxid);
        assert.ok(after.mzxid > before.mzxid);
        assert.ok(after.mtime >= before.mtime);
        assert.equal(after.pzxid, before.pzxid);
      }));

    it("cversion counts child creations plus deletions; pzxid follows child changes", () =>
      withClient(target, async (c) => {
        await c.handleRequest(create("/p"));
        const p0 = (await c.handleRequest({ type: "exists", path: "/p" })).stat!;
        await c.handleRequest(create("/p/a"));
        const p1 = (await c.handleRequest({ type: "exists", path: "/p" })).stat!;
        assert.equal(p1.cversion, 1);
        assert.equal(p1.numChildren, 1);
        assert.ok(p1.pzxid > p0.pzxid);
        assert.equal(p1.mzxid, p0.mzxid, "a child change is not a data change");
        await c.handleRequest({ type: "delete", path: "/p/a", version: -1 });
        const p2 = (await c.handleRequest({ type: "exists", path: "/p" })).stat!;
        assert.equal(p2.cversion, 2);
        assert.equal(p2.numChildren, 0);
        assert.ok(p2.pzxid > p1.pzxid);
        assert.equal(p2.version, 0);
      }));

    it("zxids grow with every write, in order", () =>
      withClient(target, async (c) => {
        const rs = await c.handleRequests([create("/a"), create("/b"), create("/c")]);
        const stats: Stat[] = [];
        for (const p of ["/a", "/b", "/c"]) stats.push((await c.handleRequest({ type: "exists", path: p })).stat!);
        assert.equal(rs.length, 3);
        assert.ok(stats[0]!.czxid < stats[1]!.czxid && stats[1]!.czxid < stats[2]!.czxid);
      }));

    it("sequential names use the parent's creation counter, %010d, never reused after deletes", () =>
      withClient(target, async (c) => {
        await c.handleRequest(create("/q"));
        const first = await c.handleRequest(create("/q/item-", null, CreateMode.PersistentSequential));
        assert.equal(first.name, "/q/item-0000000000");
        await c.handleRequest({ type: "delete", path: first.name!, version: -1 });
        assert.equal((await c.handleRequest({ type: "exists", path: "/q" })).stat!.cversion, 2);
        const second = await c.handleRequest(create("/q/item-", null, CreateMode.PersistentSequential));
        assert.equal(second.name, "/q/item-0000000001");
        await c.handleRequest(create("/q/plain"));
        const third = await c.handleRequest(create("/q/", null, CreateMode.EphemeralSequential));
        assert.equal(third.name, "/q/0000000003");
      }));

    it("ephemeral nodes carry the session id as ephemeralOwner", () =>
      withClient(target, async (c) => {
        const r = await c.handleRequest(create("/e", bytes("x"), CreateMode.Ephemeral));
        assertCode(r, ErrorCode.Ok);
        const s = (await c.handleRequest({ type: "exists", path: "/e" })).stat!;
        assert.equal(s.ephemeralOwner, c.sessionId);
        assert.ok(c.sessionId !== 0n);
        const seq = await c.handleRequest(create("/es-", null, CreateMode.EphemeralSequential));
        assert.equal((await c.handleRequest({ type: "exists", path: seq.name! })).stat!.ephemeralOwner, c.sessionId);
      }));

    it("a container node takes children and reports ephemeralOwner 0 (its marker stays on the server)", () =>
      withClient(target, async (c) => {
        assertCode(await c.handleRequest(create("/box", null, CreateMode.Container)), ErrorCode.Ok);
        assertCode(await c.handleRequest(create("/box/item")), ErrorCode.Ok);
        const s = (await c.handleRequest({ type: "exists", path: "/box" })).stat!;
        assert.equal(s.ephemeralOwner, 0n);
        assert.equal(s.numChildren, 1);
      }));

    it("TTL nodes are Unimplemented on a store without extended types, as ZooKeeper's default", () =>
      withClient(target, async (c) => {
        const r = await c.handleRequest({ ...create("/ttl"), mode: CreateMode.PersistentWithTtl, ttlMs: 60000 });
        assertCode(r, ErrorCode.Unimplemented);
        assertCode(await c.handleRequest({ type: "exists", path: "/ttl" }), ErrorCode.NoNode);
      }));

    it("dataLength counts bytes and numChildren counts live children", () =>
      withClient(target, async (c) => {
        const data = new Uint8Array(1000).fill(7);
        await c.handleRequests([
          { type: "create", path: "/d", data, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent },
          create("/d/x"),
          create("/d/y"),
        ]);
        const s = (await c.handleRequest({ type: "getData", path: "/d" })).stat!;
        assert.equal(s.dataLength, 1000);
        assert.equal(s.numChildren, 2);
      }));
  });
}
