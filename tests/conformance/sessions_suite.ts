// Sessions: ephemerals across clients, expiry and re-initialisation, lost links, auth failure, close
// (Kafka ZooKeeperClientTest 24, 25, 28-32).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateMode, ErrorCode, isKeeperError, type Response } from "../../core/mod.ts";
import type { ConformanceTarget } from "./target.ts";
import { assertCode, bytes, calls, create, sleep, waitFor, withClient } from "./helpers.ts";

export function sessionsSuite(target: ConformanceTarget): void {
  describe(`${target.name}: sessions`, () => {
    it("a connected client has a session id and state CONNECTED; close makes it CLOSED", async () => {
      const ns = await target.namespace();
      const c = await ns.open();
      assert.equal(c.connectionState, "CONNECTED");
      assert.equal(typeof c.sessionId, "bigint");
      assert.ok(c.sessionId !== 0n);
      await c.waitUntilConnected(1000);
      await c.close();
      assert.equal(c.connectionState, "CLOSED");
      // A closed client says so (not SessionExpired: the session was ended on purpose).
      await assert.rejects(c.waitUntilConnected(100), (e) => (e as Error).name === "ClientClosedError");
      await assert.rejects(c.handleRequest({ type: "exists", path: "/" }), (e) => (e as Error).name === "ClientClosedError");
      await ns.dispose();
    });

    it("await using closes the client, and its ephemerals go", async () => {
      const ns = await target.namespace();
      const observer = await ns.open();
      const c = await ns.open();
      {
        await using scoped = c;
        await scoped.handleRequest(create("/eph", null, CreateMode.Ephemeral));
      }
      assert.equal(c.connectionState, "CLOSED");
      assertCode(await observer.handleRequest({ type: "exists", path: "/eph" }), ErrorCode.NoNode);
      await observer.close();
      await ns.dispose();
    });

    it("another session sees an ephemeral until its owner closes", () =>
      withClient(target, async (c, ns) => {
        const owner = await ns.open();
        assert.notEqual(owner.sessionId, c.sessionId);
        await owner.handleRequest(create("/eph", bytes("x"), CreateMode.Ephemeral));
        const seen = await c.handleRequest({ type: "exists", path: "/eph" });
        assert.equal(seen.stat?.ephemeralOwner, owner.sessionId);
        const log = calls();
        c.registerZNodeChangeHandler({ path: "/eph", handleDeletion: log.hit("deleted") });
        await c.handleRequest({ type: "exists", path: "/eph" });
        await owner.close();
        assertCode(await c.handleRequest({ type: "exists", path: "/eph" }), ErrorCode.NoNode);
        await waitFor(() => log.count("deleted") === 1, 5000, "deletion of the closed session's ephemeral");
      }));

    it("expiry: before then after handlers, ephemerals gone, a new session that works", () =>
      withClient(target, async (c, ns) => {
        const log = calls();
        c.registerStateChangeHandler({
          name: "h",
          beforeInitializingSession: log.hit("before"),
          afterInitializingSession: log.hit("after"),
        });
        await c.handleRequest(create("/eph", null, CreateMode.Ephemeral));
        const oldSession = c.sessionId;
        await ns.expire(c);
        await waitFor(() => log.log.length === 2, 10000, "re-initialisation");
        assert.deepEqual(log.log, ["before", "after"]);
        await c.waitUntilConnected(10000);
        assert.notEqual(c.sessionId, oldSession);
        assertCode(await c.handleRequest({ type: "exists", path: "/eph" }), ErrorCode.NoNode);
        assertCode(await c.handleRequest(create("/eph", null, CreateMode.Ephemeral)), ErrorCode.Ok);
        assert.equal((await c.handleRequest({ type: "exists", path: "/eph" })).stat?.ephemeralOwner, c.sessionId);
      }));

    it("a throwing beforeInitializingSession stops no other handler and the client stays usable", () =>
      withClient(target, async (c, ns) => {
        const log = calls();
        c.registerStateChangeHandler({
          name: "bad",
          beforeInitializingSession: () => {
            throw new Error("boom");
          },
        });
        c.registerStateChangeHandler({ name: "good", beforeInitializingSession: log.hit("good") });
        await ns.expire(c);
        await waitFor(() => log.count("good") === 1, 10000, "the good handler");
        await c.waitUntilConnected(10000);
        await sleep(100);
        assert.equal(log.count("good"), 1);
        assertCode(await c.handleRequest(create("/after")), ErrorCode.Ok);
      }));

    it("a beforeInitializingSession that waits for a request does not deadlock", () =>
      withClient(target, async (c, ns) => {
        let inner: Response | undefined;
        c.registerStateChangeHandler({
          name: "blocking",
          beforeInitializingSession: async () => {
            inner = await c.handleRequest({ type: "getData", path: "/foo" });
          },
        });
        await ns.expire(c);
        await waitFor(() => inner !== undefined, 10000, "the request made from the handler");
        assert.ok([ErrorCode.SessionExpired, ErrorCode.NoNode, ErrorCode.ConnectionLoss].includes(inner!.resultCode as never));
        await c.waitUntilConnected(10000);
        assertCode(await c.handleRequest({ type: "getData", path: "/foo" }), ErrorCode.NoNode);
      }));

    it("requests across an expiry get only NoNode, SessionExpired or ConnectionLoss, and later ones succeed", () =>
      withClient(target, async (c, ns) => {
        const log = calls();
        c.registerStateChangeHandler({ name: "h", beforeInitializingSession: log.hit("before"), afterInitializingSession: log.hit("after") });
        const batch = Array.from({ length: 10 }, (_, i) => ({ type: "getData" as const, path: `/missing${i}` }));
        const first = c.handleRequests(batch);
        await ns.expire(c);
        const during = c.handleRequests(batch);
        await waitFor(() => log.log.length === 2, 10000, "re-initialisation");
        await c.waitUntilConnected(10000);
        const after = await c.handleRequests(batch);
        const allowed = [ErrorCode.NoNode, ErrorCode.SessionExpired, ErrorCode.ConnectionLoss] as number[];
        for (const r of [...(await first), ...(await during)]) assert.ok(allowed.includes(r.resultCode), `code ${r.resultCode}`);
        assert.deepEqual(after.map((r) => r.resultCode), batch.map(() => ErrorCode.NoNode));
        assert.deepEqual(log.log, ["before", "after"]);
      }, { maxInFlightRequests: 2 }));

    it("a lost link fails the rest of the batch with ConnectionLoss; the session survives a short cut", () =>
      withClient(target, async (c, ns) => {
        await c.handleRequest(create("/eph", null, CreateMode.Ephemeral));
        const session = c.sessionId;
        const restore = await ns.cut(c);
        const rs = await c.handleRequests(Array.from({ length: 10 }, () => ({ type: "getData" as const, path: "/eph" })));
        const lost = rs.findIndex((r) => r.resultCode === ErrorCode.ConnectionLoss);
        assert.ok(lost >= 0, "a ConnectionLoss appears");
        for (const r of rs.slice(lost)) assertCode(r, ErrorCode.ConnectionLoss, "after the first loss");
        await restore();
        await c.waitUntilConnected(10000);
        assert.equal(c.sessionId, session);
        assertCode(await c.handleRequest({ type: "exists", path: "/eph" }), ErrorCode.Ok);
      }, { maxInFlightRequests: 2 }));

    it("an auth failure calls onAuthFailure, then re-initialises the session after a pause", () =>
      withClient(target, async (c, ns) => {
        const log = calls();
        c.registerStateChangeHandler({
          name: "h",
          onAuthFailure: log.hit("auth"),
          beforeInitializingSession: log.hit("before"),
          afterInitializingSession: log.hit("after"),
        });
        await ns.failAuth(c);
        await waitFor(() => log.count("auth") === 1, 5000, "onAuthFailure");
        assert.equal(c.connectionState, "AUTH_FAILED");
        assert.equal(log.count("before"), 0, "no re-initialisation before Kafka's 1 s back-off");
        await waitFor(() => log.count("after") === 1, 5000, "re-initialisation after the auth failure");
        assert.deepEqual(log.log, ["auth", "before", "after"]);
        await c.waitUntilConnected(10000);
        assertCode(await c.handleRequest(create("/usable")), ErrorCode.Ok);
      }));

    it("close() waits for a re-initialisation in progress and then closes", () =>
      withClient(target, async (c, ns) => {
        let release!: () => void;
        const blocked = new Promise<void>((resolve) => (release = resolve));
        let afterRan = false;
        c.registerStateChangeHandler({
          name: "slow",
          afterInitializingSession: async () => {
            await blocked;
            afterRan = true;
          },
        });
        await ns.expire(c);
        await waitFor(() => c.connectionState !== "CLOSED", 10000, "the new session to be opened");
        let closed = false;
        const closing = c.close().then(() => (closed = true));
        await sleep(100);
        assert.equal(closed, false, "close() waits for the re-initialisation");
        release();
        await closing;
        assert.equal(afterRan, true);
        assert.equal(c.connectionState, "CLOSED");
      }));

    it("close removes this session's ephemerals and handlers", () =>
      withClient(target, async (c, ns) => {
        const other = await ns.open();
        const log = calls();
        other.registerZNodeChangeHandler({ path: "/foo", handleCreation: log.hit("created") });
        await other.handleRequests([{ type: "exists", path: "/foo" }, create("/mine", null, CreateMode.Ephemeral)]);
        await other.close();
        await c.handleRequest(create("/foo"));
        await sleep(200);
        assert.equal(log.count("created"), 0);
        assertCode(await c.handleRequest({ type: "exists", path: "/mine" }), ErrorCode.NoNode);
      }));
  });

  describe(`${target.name}: bad input`, () => {
    for (const path of ["", "foo", "/foo/", "//foo", "/foo/./bar", "/foo/../bar", "/a\u0000b", "/a\u0001", "/\ud83d\ude00"]) {
      it(`refuses path ${JSON.stringify(path)} with BadArguments before any I/O`, () =>
        withClient(target, async (c) => {
          await assert.rejects(
            c.handleRequests([create("/first"), { type: "getData", path }]),
            (e) => isKeeperError(e, ErrorCode.BadArguments),
          );
          assertCode(await c.handleRequest({ type: "exists", path: "/first" }), ErrorCode.NoNode, "nothing of the batch was sent");
        }));
    }

    it("refuses data over the limit with BadArguments and keeps working", () =>
      withClient(target, async (c) => {
        const big = new Uint8Array(1024 * 1024 + 1);
        await assert.rejects(c.handleRequest(create("/big", big)), (e) => isKeeperError(e, ErrorCode.BadArguments));
        await assert.rejects(
          c.handleRequest({ type: "multi", ops: [{ type: "setData", path: "/x", data: big, version: -1 }] }),
          (e) => isKeeperError(e, ErrorCode.BadArguments) && /too large/.test((e as Error).message),
        );
        // Under the limit but not at it: ZooKeeper's default jute.maxbuffer (0xfffff) bounds the whole
        // request frame, so a server drops the connection for 1 MiB of data plus headers.
        const fits = 1024 * 1024 - 1024;
        assertCode(await c.handleRequest(create("/big", big.subarray(0, fits))), ErrorCode.Ok);
        assert.equal((await c.handleRequest({ type: "exists", path: "/big" })).stat?.dataLength, fits);
        // Exactly the data limit: a store whose server would drop such a frame refuses it with
        // BadArguments instead (the ZooKeeper store), and the session goes on either way.
        const id = c.sessionId;
        const atLimit = await c.handleRequest({ type: "setData", path: "/big", data: big.subarray(0, 1024 * 1024), version: -1 });
        assert.ok([ErrorCode.Ok, ErrorCode.BadArguments].includes(atLimit.resultCode as never), `setData of 1 MiB: ${atLimit.resultCode}`);
        const after = await c.handleRequest({ type: "exists", path: "/big" });
        assert.equal(after.stat?.dataLength, atLimit.resultCode === ErrorCode.Ok ? 1024 * 1024 : fits);
        assert.equal(c.sessionId, id);
      }));

    it("refuses a TTL mode without a TTL, and an unknown request type", () =>
      withClient(target, async (c) => {
        await assert.rejects(
          c.handleRequest({ ...create("/t"), mode: CreateMode.PersistentWithTtl }),
          (e) => isKeeperError(e, ErrorCode.BadArguments),
        );
        await assert.rejects(
          c.handleRequest({ type: "frobnicate", path: "/x" } as never),
          (e) => isKeeperError(e, ErrorCode.BadArguments),
        );
      }));
  });
}
