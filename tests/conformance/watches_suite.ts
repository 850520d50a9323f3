// Handlers fire once per arming, armed only by reads on paths with a registered handler (Kafka tests 21-23, 26-27).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode, OPEN_ACL_UNSAFE, Perms } from "../../core/mod.ts";
import type { ConformanceTarget } from "./target.ts";
import { assertCode, bytes, calls, create, sleep, waitFor, withClient } from "./helpers.ts";

/** How long a test waits to be sure a handler does not fire. */
const QUIET_MS = 300;

export function watchesSuite(target: ConformanceTarget): void {
  describe(`${target.name}: watches`, () => {
    it("Exists on a missing node arms a creation watch", () =>
      withClient(target, async (c) => {
        const log = calls();
        c.registerZNodeChangeHandler({ path: "/foo", handleCreation: log.hit("created") });
        const [exists, created] = await c.handleRequests([{ type: "exists", path: "/foo" }, create("/foo")]);
        assertCode(exists!, ErrorCode.NoNode);
        assertCode(created!, ErrorCode.Ok);
        await waitFor(() => log.count("created") === 1, 5000, "handleCreation");
      }));

    it("a deletion fires handleDeletion once", () =>
      withClient(target, async (c) => {
        const log = calls();
        c.registerZNodeChangeHandler({ path: "/foo", handleDeletion: log.hit("deleted"), handleDataChange: log.hit("changed") });
        const rs = await c.handleRequests([create("/foo"), { type: "exists", path: "/foo" }]);
        assert.deepEqual(rs.map((r) => r.resultCode), [0, 0]);
        await c.handleRequest({ type: "delete", path: "/foo", version: -1 });
        await waitFor(() => log.count("deleted") === 1, 5000, "handleDeletion");
        await sleep(QUIET_MS);
        assert.deepEqual(log.log, ["deleted"]);
      }));

    it("a data change fires handleDataChange once per arming; a re-read re-arms", () =>
      withClient(target, async (c) => {
        const log = calls();
        c.registerZNodeChangeHandler({ path: "/foo", handleDataChange: log.hit("changed") });
        await c.handleRequests([create("/foo"), { type: "exists", path: "/foo" }]);
        await c.handleRequest({ type: "setData", path: "/foo", data: bytes("1"), version: -1 });
        await waitFor(() => log.count("changed") === 1, 5000, "handleDataChange");
        await c.handleRequest({ type: "setData", path: "/foo", data: bytes("2"), version: -1 });
        await sleep(QUIET_MS);
        assert.equal(log.count("changed"), 1, "one-shot: not re-armed without a read");
        await c.handleRequest({ type: "getData", path: "/foo" });
        await c.handleRequest({ type: "setData", path: "/foo", data: bytes("3"), version: -1 });
        await waitFor(() => log.count("changed") === 2, 5000, "second handleDataChange");
      }));

    it("repeated reads arm one watch, not several", () =>
      withClient(target, async (c) => {
        const log = calls();
        c.registerZNodeChangeHandler({ path: "/foo", handleDataChange: log.hit("changed") });
        await c.handleRequest(create("/foo"));
        await c.handleRequests([
          { type: "getData", path: "/foo" },
          { type: "exists", path: "/foo" },
          { type: "getData", path: "/foo" },
        ]);
        await c.handleRequest({ type: "setData", path: "/foo", data: bytes("1"), version: -1 });
        await waitFor(() => log.count("changed") === 1);
        await sleep(QUIET_MS);
        assert.equal(log.count("changed"), 1);
      }));

    it("no handler, no watch: reads without a registered handler arm nothing", () =>
      withClient(target, async (c) => {
        const log = calls();
        await c.handleRequests([create("/foo"), { type: "getData", path: "/foo" }]);
        c.registerZNodeChangeHandler({ path: "/foo", handleDataChange: log.hit("changed") });
        await c.handleRequest({ type: "setData", path: "/foo", data: bytes("1"), version: -1 });
        await sleep(QUIET_MS);
        assert.equal(log.count("changed"), 0);
      }));

    it("GetChildren with registerWatch fires handleChildChange on a new child", () =>
      withClient(target, async (c) => {
        const log = calls();
        await c.handleRequest(create("/foo"));
        c.registerZNodeChildChangeHandler({ path: "/foo", handleChildChange: log.hit("children") });
        assertCode(await c.handleRequest({ type: "getChildren", path: "/foo", registerWatch: true }), ErrorCode.Ok);
        await c.handleRequest(create("/foo/bar"));
        await waitFor(() => log.count("children") === 1, 5000, "handleChildChange");
        await c.handleRequest(create("/foo/baz"));
        await sleep(QUIET_MS);
        assert.equal(log.count("children"), 1);
      }));

    it("GetChildren without registerWatch does not fire handleChildChange", () =>
      withClient(target, async (c) => {
        const log = calls();
        await c.handleRequest(create("/foo"));
        c.registerZNodeChildChangeHandler({ path: "/foo", handleChildChange: log.hit("children") });
        await c.handleRequest({ type: "getChildren", path: "/foo", registerWatch: false });
        await c.handleRequest(create("/foo/bar"));
        await sleep(QUIET_MS);
        assert.equal(log.count("children"), 0);
      }));

    it("a child deletion fires the parent's child handler; the child's deletion its node handler", () =>
      withClient(target, async (c) => {
        const log = calls();
        await c.handleRequests([create("/p"), create("/p/c")]);
        c.registerZNodeChildChangeHandler({ path: "/p", handleChildChange: log.hit("children") });
        c.registerZNodeChangeHandler({ path: "/p/c", handleDeletion: log.hit("deleted") });
        await c.handleRequests([{ type: "getChildren", path: "/p", registerWatch: true }, { type: "getData", path: "/p/c" }]);
        await c.handleRequest({ type: "delete", path: "/p/c", version: -1 });
        await waitFor(() => log.log.length === 2, 5000, "both handlers");
        assert.deepEqual([...log.log].sort(), ["children", "deleted"]);
      }));

    it("a node watched for data and children fires deletion once when deleted", () =>
      withClient(target, async (c) => {
        const log = calls();
        await c.handleRequest(create("/foo"));
        c.registerZNodeChangeHandler({ path: "/foo", handleDeletion: log.hit("deleted") });
        c.registerZNodeChildChangeHandler({ path: "/foo", handleChildChange: log.hit("children") });
        await c.handleRequests([{ type: "getData", path: "/foo" }, { type: "getChildren", path: "/foo", registerWatch: true }]);
        await c.handleRequest({ type: "delete", path: "/foo", version: -1 });
        await waitFor(() => log.count("deleted") === 1);
        await sleep(QUIET_MS);
        assert.deepEqual(log.log, ["deleted"]);
      }));

    it("a node's deletion consumes its child watch: a recreated node's new child fires nothing", () =>
      withClient(target, async (c) => {
        const log = calls();
        await c.handleRequest(create("/foo"));
        c.registerZNodeChildChangeHandler({ path: "/foo", handleChildChange: log.hit("children") });
        await c.handleRequest({ type: "getChildren", path: "/foo", registerWatch: true });
        await c.handleRequest({ type: "delete", path: "/foo", version: -1 });
        await c.handleRequests([create("/foo"), create("/foo/bar")]);
        await sleep(QUIET_MS);
        assert.deepEqual(log.log, []);
      }));

    it("setAcl and a failed Multi fire nothing", () =>
      withClient(target, async (c) => {
        const log = calls();
        await c.handleRequest(create("/foo"));
        c.registerZNodeChangeHandler({ path: "/foo", handleDataChange: log.hit("changed"), handleDeletion: log.hit("deleted") });
        await c.handleRequest({ type: "getData", path: "/foo" });
        // The new ACL keeps ADMIN: without it ZooKeeper answers the second setAcl with NoAuth.
        const readAdmin = [{ perms: Perms.Read | Perms.Admin, id: { scheme: "world", id: "anyone" } }];
        await c.handleRequest({ type: "setAcl", path: "/foo", acl: readAdmin, version: -1 });
        await c.handleRequest({ type: "setAcl", path: "/foo", acl: OPEN_ACL_UNSAFE, version: -1 });
        const failed = await c.handleRequest({
          type: "multi",
          ops: [
            { type: "setData", path: "/foo", data: bytes("x"), version: -1 },
            { type: "check", path: "/foo", version: 42 },
          ],
        });
        assertCode(failed, ErrorCode.BadVersion);
        await sleep(QUIET_MS);
        assert.deepEqual(log.log, []);
        await c.handleRequest({ type: "setData", path: "/foo", data: bytes("y"), version: -1 });
        await waitFor(() => log.count("changed") === 1, 5000, "the watch is still armed");
      }));

    it("another session's writes fire this session's watches, before its later reads see them", () =>
      withClient(target, async (c, ns) => {
        const other = await ns.open();
        try {
          await c.handleRequest(create("/shared", bytes("0")));
          const log = calls();
          c.registerZNodeChangeHandler({ path: "/shared", handleDataChange: log.hit("changed") });
          await c.handleRequest({ type: "getData", path: "/shared" });
          await other.handleRequest({ type: "setData", path: "/shared", data: bytes("1"), version: -1 });
          // Poll with reads: when a read first shows the new data, the handler must already have run.
          let handledAtRead: boolean | undefined;
          for (let i = 0; i < 400 && handledAtRead === undefined; i++) {
            const r = await c.handleRequest({ type: "getData", path: "/shared" });
            if (new TextDecoder().decode(r.data!) === "1") handledAtRead = log.count("changed") === 1;
            else await sleep(5);
          }
          assert.equal(handledAtRead, true, "the event arrives no later than the read that shows the change");
        } finally {
          await other.close();
        }
      }));

    it("an unregistered handler is not called", () =>
      withClient(target, async (c) => {
        const log = calls();
        await c.handleRequest(create("/foo"));
        c.registerZNodeChangeHandler({ path: "/foo", handleDataChange: log.hit("changed") });
        await c.handleRequest({ type: "getData", path: "/foo" });
        c.unregisterZNodeChangeHandler("/foo");
        await c.handleRequest({ type: "setData", path: "/foo", data: bytes("1"), version: -1 });
        await sleep(QUIET_MS);
        assert.equal(log.count("changed"), 0);
      }));
  });
}
