// Every request type and its result codes; Kafka's ZooKeeperClientTest behaviours 5 to 20.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode, isKeeperError, maybeThrow, OPEN_ACL_UNSAFE, Perms, READ_ACL_UNSAFE } from "../../core/mod.ts";
import type { ConformanceTarget } from "./target.ts";
import { assertCode, bytes, create, withClient } from "./helpers.ts";

export function requestsSuite(target: ConformanceTarget): void {
  describe(`${target.name}: requests`, () => {
    it("Delete of a missing node is NoNode and maybeThrow raises it", () =>
      withClient(target, async (c) => {
        const r = await c.handleRequest({ type: "delete", path: "/foo", version: -1 });
        assertCode(r, ErrorCode.NoNode);
        assert.throws(() => maybeThrow(r), (e) => isKeeperError(e, ErrorCode.NoNode));
      }));

    it("Create then Delete an existing node are both OK", () =>
      withClient(target, async (c) => {
        const created = await c.handleRequest(create("/foo", bytes("x")));
        assertCode(created, ErrorCode.Ok);
        assert.equal(created.name, "/foo");
        assertCode(await c.handleRequest({ type: "delete", path: "/foo", version: -1 }), ErrorCode.Ok);
        assertCode(await c.handleRequest({ type: "exists", path: "/foo" }), ErrorCode.NoNode);
      }));

    it("Exists answers NoNode with a null stat, then OK with a stat", () =>
      withClient(target, async (c) => {
        const missing = await c.handleRequest({ type: "exists", path: "/foo" });
        assertCode(missing, ErrorCode.NoNode);
        assert.equal(missing.stat, null);
        await c.handleRequest(create("/foo"));
        const found = await c.handleRequest({ type: "exists", path: "/foo" });
        assertCode(found, ErrorCode.Ok);
        assert.equal(found.stat?.version, 0);
      }));

    it("GetData answers NoNode, then the exact bytes", () =>
      withClient(target, async (c) => {
        assertCode(await c.handleRequest({ type: "getData", path: "/foo" }), ErrorCode.NoNode);
        const data = bytes("9c1b-uuid-like-payload");
        await c.handleRequest(create("/foo", data));
        const r = await c.handleRequest({ type: "getData", path: "/foo" });
        assertCode(r, ErrorCode.Ok);
        assert.deepEqual(r.data, data);
        assert.equal(r.stat?.dataLength, data.length);
      }));

    it("null data reads back as null and empty data as empty", () =>
      withClient(target, async (c) => {
        await c.handleRequest(create("/null", null));
        await c.handleRequest(create("/empty", new Uint8Array(0)));
        assert.equal((await c.handleRequest({ type: "getData", path: "/null" })).data, null);
        assert.deepEqual((await c.handleRequest({ type: "getData", path: "/empty" })).data, new Uint8Array(0));
      }));

    it("SetData answers NoNode, then OK and GetData returns the new bytes", () =>
      withClient(target, async (c) => {
        assertCode(await c.handleRequest({ type: "setData", path: "/foo", data: bytes("a"), version: -1 }), ErrorCode.NoNode);
        await c.handleRequest(create("/foo", new Uint8Array(0)));
        const set = await c.handleRequest({ type: "setData", path: "/foo", data: bytes("abc"), version: -1 });
        assertCode(set, ErrorCode.Ok);
        assert.equal(set.stat?.version, 1);
        assert.equal(set.stat?.dataLength, 3);
        assert.deepEqual((await c.handleRequest({ type: "getData", path: "/foo" })).data, bytes("abc"));
      }));

    it("SetData and Delete check the version: BadVersion on mismatch", () =>
      withClient(target, async (c) => {
        await c.handleRequest(create("/foo", bytes("a")));
        assertCode(await c.handleRequest({ type: "setData", path: "/foo", data: bytes("b"), version: 3 }), ErrorCode.BadVersion);
        assertCode(await c.handleRequest({ type: "setData", path: "/foo", data: bytes("b"), version: 0 }), ErrorCode.Ok);
        assertCode(await c.handleRequest({ type: "delete", path: "/foo", version: 0 }), ErrorCode.BadVersion);
        assertCode(await c.handleRequest({ type: "delete", path: "/foo", version: 1 }), ErrorCode.Ok);
      }));

    it("GetAcl answers NoNode, then OPEN_ACL_UNSAFE with the stat", () =>
      withClient(target, async (c) => {
        assertCode(await c.handleRequest({ type: "getAcl", path: "/foo" }), ErrorCode.NoNode);
        await c.handleRequest(create("/foo"));
        const r = await c.handleRequest({ type: "getAcl", path: "/foo" });
        assertCode(r, ErrorCode.Ok);
        assert.deepEqual(r.acl, [{ perms: Perms.All, id: { scheme: "world", id: "anyone" } }]);
        assert.equal(r.stat?.aversion, 0);
      }));

    it("SetAcl answers NoNode, checks aversion, and bumps aversion", () =>
      withClient(target, async (c) => {
        assertCode(await c.handleRequest({ type: "setAcl", path: "/foo", acl: OPEN_ACL_UNSAFE, version: -1 }), ErrorCode.NoNode);
        await c.handleRequest(create("/foo"));
        assertCode(await c.handleRequest({ type: "setAcl", path: "/foo", acl: READ_ACL_UNSAFE, version: 1 }), ErrorCode.BadVersion);
        const r = await c.handleRequest({ type: "setAcl", path: "/foo", acl: READ_ACL_UNSAFE, version: 0 });
        assertCode(r, ErrorCode.Ok);
        assert.equal(r.stat?.aversion, 1);
        assert.equal(r.stat?.version, 0);
        const acl = await c.handleRequest({ type: "getAcl", path: "/foo" });
        assert.deepEqual(acl.acl, [{ perms: Perms.Read, id: { scheme: "world", id: "anyone" } }]);
      }));

    it("ACLs are enforced: NoAuth in ZooKeeper's order, exists always allowed", () =>
      withClient(target, async (c) => {
        const locked = [{ perms: Perms.All, id: { scheme: "digest", id: "bob:fyVmFCwVbTJYrznoSu1koqYEYF0=" } }];
        const readOnly = [{ perms: Perms.Read, id: { scheme: "world", id: "anyone" } }];
        const createOnly = [{ perms: Perms.Read | Perms.Create, id: { scheme: "world", id: "anyone" } }];
        await c.handleRequests([
          { ...create("/l", bytes("x")), acl: locked },
          { ...create("/r", bytes("x")), acl: readOnly },
          { ...create("/nd"), acl: createOnly },
          create("/nd/c"),
        ]);
        assertCode(await c.handleRequest({ type: "exists", path: "/l" }), ErrorCode.Ok);
        for (const type of ["getData", "getAcl"] as const) assertCode(await c.handleRequest({ type, path: "/l" }), ErrorCode.NoAuth);
        assertCode(await c.handleRequest({ type: "getChildren", path: "/l", registerWatch: false }), ErrorCode.NoAuth);
        assertCode(await c.handleRequest({ type: "setData", path: "/l", data: null, version: 9 }), ErrorCode.NoAuth, "before the version");
        assertCode(await c.handleRequest({ type: "setAcl", path: "/l", acl: readOnly, version: 9 }), ErrorCode.NoAuth);
        assertCode(await c.handleRequest(create("/l/c")), ErrorCode.NoAuth);
        assertCode(await c.handleRequest({ type: "setData", path: "/r", data: null, version: -1 }), ErrorCode.NoAuth);
        assertCode(await c.handleRequest({ type: "getData", path: "/r" }), ErrorCode.Ok);
        assertCode(await c.handleRequest({ type: "delete", path: "/nd/c", version: -1 }), ErrorCode.NoAuth);
        assertCode(await c.handleRequest({ type: "delete", path: "/nd/missing", version: -1 }), ErrorCode.NoAuth, "before the lookup");
        const check = await c.handleRequest({ type: "multi", ops: [{ type: "check", path: "/l", version: -1 }] });
        assertCode(check, ErrorCode.NoAuth);
        assertCode(await c.handleRequest({ type: "delete", path: "/l", version: -1 }), ErrorCode.Ok, "the parent allows it");
      }));

    it("an empty or malformed ACL is InvalidAcl", () =>
      withClient(target, async (c) => {
        assertCode(await c.handleRequest({ ...create("/foo"), acl: [] }), ErrorCode.InvalidAcl);
        const bogus = [{ perms: Perms.All, id: { scheme: "world", id: "someone" } }];
        assertCode(await c.handleRequest({ ...create("/foo"), acl: bogus }), ErrorCode.InvalidAcl);
        await c.handleRequest(create("/foo"));
        assertCode(await c.handleRequest({ type: "setAcl", path: "/foo", acl: [], version: -1 }), ErrorCode.InvalidAcl);
      }));

    it("GetChildren answers NoNode, empty, then the child names", () =>
      withClient(target, async (c) => {
        assertCode(await c.handleRequest({ type: "getChildren", path: "/foo", registerWatch: true }), ErrorCode.NoNode);
        await c.handleRequest(create("/foo"));
        const empty = await c.handleRequest({ type: "getChildren", path: "/foo", registerWatch: true });
        assertCode(empty, ErrorCode.Ok);
        assert.deepEqual(empty.children, []);
        await c.handleRequests([create("/foo/child1"), create("/foo/child2")]);
        const r = await c.handleRequest({ type: "getChildren", path: "/foo", registerWatch: false });
        assert.deepEqual([...r.children].sort(), ["child1", "child2"]);
        assert.equal(r.stat?.numChildren, 2);
      }));

    it("Create answers NodeExists, NoNode for a missing parent, NoChildrenForEphemerals", () =>
      withClient(target, async (c) => {
        await c.handleRequest(create("/foo"));
        assertCode(await c.handleRequest(create("/foo")), ErrorCode.NodeExists);
        assertCode(await c.handleRequest(create("/missing/child")), ErrorCode.NoNode);
        await c.handleRequest(create("/eph", null, 1));
        assertCode(await c.handleRequest(create("/eph/child")), ErrorCode.NoChildrenForEphemerals);
      }));

    it("Delete of a node with children is NotEmpty", () =>
      withClient(target, async (c) => {
        await c.handleRequests([create("/foo"), create("/foo/bar")]);
        assertCode(await c.handleRequest({ type: "delete", path: "/foo", version: -1 }), ErrorCode.NotEmpty);
      }));

    it("ctx is echoed back and metadata carries send and receive times", () =>
      withClient(target, async (c) => {
        const ctx = { topic: "t", partition: 3 };
        const r = await c.handleRequest({ type: "exists", path: "/foo", ctx });
        assert.equal(r.ctx, ctx);
        assert.ok(r.metadata.receivedTimeMs >= r.metadata.sendTimeMs);
      }));

    it("pipelined GetData come back in request order", () =>
      withClient(target, async (c) => {
        await c.handleRequests([create("/1", bytes("2")), create("/2", bytes("4")), create("/3", bytes("6"))]);
        const rs = await c.handleRequests(["/1", "/2", "/3"].map((path) => ({ type: "getData" as const, path })));
        assert.deepEqual(
          rs.map((r) => (r.type === "getData" ? new TextDecoder().decode(r.data!) : "")),
          ["2", "4", "6"],
        );
      }));

    it("a mixed pipeline keeps types and order", () =>
      withClient(target, async (c) => {
        await c.handleRequest(create("/foo", new Uint8Array(0)));
        const [get, set] = await c.handleRequests([
          { type: "getData", path: "/foo" },
          { type: "setData", path: "/nonexistent", data: bytes("x"), version: -1 },
        ]);
        assert.equal(get?.type, "getData");
        assertCode(get!, ErrorCode.Ok);
        assert.deepEqual(get?.type === "getData" && get.data, new Uint8Array(0));
        assert.equal(set?.type, "setData");
        assertCode(set!, ErrorCode.NoNode);
      }));

    it("a long batch stays in order beyond the in-flight window", () =>
      withClient(target, async (c) => {
        const paths = Array.from({ length: 60 }, (_, i) => `/n${i}`);
        const created = await c.handleRequests(paths.map((p) => create(p, bytes(p))));
        assert.deepEqual(created.map((r) => r.type === "create" && r.name), paths);
        const read = await c.handleRequests(paths.map((path) => ({ type: "getData" as const, path })));
        assert.deepEqual(read.map((r) => r.type === "getData" && new TextDecoder().decode(r.data!)), paths);
        assert.deepEqual(await c.handleRequests([]), []);
      }, { maxInFlightRequests: 3 }));
  });
}
