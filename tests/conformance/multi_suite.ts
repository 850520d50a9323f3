// Multi: atomic, with ZooKeeper's per-op results at every failure position.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateMode, ErrorCode, OPEN_ACL_UNSAFE, type ZkOp } from "../../core/mod.ts";
import type { ConformanceTarget } from "./target.ts";
import { assertCode, bytes, create, withClient } from "./helpers.ts";

const createOp = (path: string, mode: CreateMode = CreateMode.Persistent): ZkOp => ({
  type: "create",
  path,
  data: bytes(path),
  acl: OPEN_ACL_UNSAFE,
  mode,
});

export function multiSuite(target: ConformanceTarget): void {
  describe(`${target.name}: multi`, () => {
    it("applies every op and returns each op's result", () =>
      withClient(target, async (c) => {
        await c.handleRequest(create("/m", bytes("v0")));
        const r = await c.handleRequest({
          type: "multi",
          ops: [
            { type: "check", path: "/m", version: 0 },
            createOp("/m/a"),
            createOp("/m/seq-", CreateMode.PersistentSequential),
            { type: "setData", path: "/m", data: bytes("v1"), version: 0 },
            { type: "delete", path: "/m/a", version: 0 },
          ],
        });
        assertCode(r, ErrorCode.Ok);
        assert.equal(r.path, null);
        const results = r.results!;
        assert.deepEqual(results.map((x) => x.resultCode), [0, 0, 0, 0, 0]);
        assert.equal(results[1]!.name, "/m/a");
        assert.equal(results[2]!.name, "/m/seq-0000000001");
        assert.equal(results[3]!.stat?.version, 1);
        assert.equal(results[0]!.op.type, "check");
        const m = await c.handleRequest({ type: "getData", path: "/m" });
        assert.deepEqual(m.data, bytes("v1"));
        assert.equal(m.stat!.cversion, 3);
        const kids = await c.handleRequest({ type: "getChildren", path: "/m", registerWatch: false });
        assert.deepEqual(kids.children, ["seq-0000000001"]);
      }));

    it("all ops share one zxid", () =>
      withClient(target, async (c) => {
        await c.handleRequest({ type: "multi", ops: [createOp("/x"), createOp("/y")] });
        const x = (await c.handleRequest({ type: "exists", path: "/x" })).stat!;
        const y = (await c.handleRequest({ type: "exists", path: "/y" })).stat!;
        assert.equal(x.czxid, y.czxid);
      }));

    for (const failAt of [0, 1, 2, 3]) {
      it(`a failure at op ${failAt} applies nothing: OK before, its code, RuntimeInconsistency after`, () =>
        withClient(target, async (c) => {
          await c.handleRequest(create("/f", bytes("v0")));
          const ops: ZkOp[] = [
            createOp("/f/a"),
            { type: "setData", path: "/f", data: bytes("v1"), version: 0 },
            createOp("/f/b"),
            { type: "check", path: "/f", version: 1 },
          ];
          const failing: ZkOp[] = [
            createOp("/f"),
            { type: "setData", path: "/f", data: bytes("v1"), version: 5 },
            createOp("/nope/b"),
            { type: "check", path: "/f", version: 7 },
          ];
          const codes = [ErrorCode.NodeExists, ErrorCode.BadVersion, ErrorCode.NoNode, ErrorCode.BadVersion];
          ops[failAt] = failing[failAt]!;
          const r = await c.handleRequest({ type: "multi", ops });
          assertCode(r, codes[failAt]!);
          assert.deepEqual(
            r.results!.map((x) => x.resultCode),
            ops.map((_, i) => (i < failAt ? 0 : i === failAt ? codes[failAt] : ErrorCode.RuntimeInconsistency)),
          );
          const f = await c.handleRequest({ type: "getData", path: "/f" });
          assert.deepEqual(f.data, bytes("v0"), "nothing applied");
          assert.equal(f.stat!.numChildren, 0);
          assert.equal(f.stat!.cversion, 0);
        }));
    }

    it("later ops see earlier ops: create then delete the same node", () =>
      withClient(target, async (c) => {
        const r = await c.handleRequest({
          type: "multi",
          ops: [createOp("/t"), { type: "setData", path: "/t", data: bytes("z"), version: 0 }, { type: "delete", path: "/t", version: 1 }],
        });
        assertCode(r, ErrorCode.Ok);
        assertCode(await c.handleRequest({ type: "exists", path: "/t" }), ErrorCode.NoNode);
      }));

    it("check of a missing node is NoNode; an empty Multi is OK with no results", () =>
      withClient(target, async (c) => {
        const r = await c.handleRequest({ type: "multi", ops: [{ type: "check", path: "/missing", version: -1 }] });
        assertCode(r, ErrorCode.NoNode);
        assert.deepEqual(r.results!.map((x) => x.resultCode), [ErrorCode.NoNode]);
        const empty = await c.handleRequest({ type: "multi", ops: [] });
        assertCode(empty, ErrorCode.Ok);
        assert.deepEqual(empty.results, []);
      }));

    it("Kafka's controller-epoch fencing: check + setData fails on a stale version", () =>
      withClient(target, async (c) => {
        await c.handleRequests([create("/controller_epoch", bytes("1")), create("/topic", bytes("a"))]);
        await c.handleRequest({ type: "setData", path: "/controller_epoch", data: bytes("2"), version: 0 });
        const r = await c.handleRequest({
          type: "multi",
          ops: [
            { type: "check", path: "/controller_epoch", version: 0 },
            { type: "setData", path: "/topic", data: bytes("b"), version: -1 },
          ],
        });
        assertCode(r, ErrorCode.BadVersion);
        assert.deepEqual(r.results!.map((x) => x.resultCode), [ErrorCode.BadVersion, ErrorCode.RuntimeInconsistency]);
        assert.deepEqual((await c.handleRequest({ type: "getData", path: "/topic" })).data, bytes("a"));
      }));
  });
}
