import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createMetastore } from "./metastore_client.ts";
import { createMemoryStore } from "../memory/memory_store.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { OPEN_ACL_UNSAFE } from "../api/acl.ts";
import { ClientClosedError, ErrorCode, isKeeperError } from "../errors.ts";
import { jsonReplacer, toJson } from "../api/json.ts";

function client(onHandlerError?: (e: unknown, name: string) => void) {
  const clock = new FakeClock();
  return createMetastore({ store: createMemoryStore({ clock }), clock, onHandlerError });
}

const createNode = (path: string) => ({ type: "create", path, data: null, acl: OPEN_ACL_UNSAFE, mode: 0 }) as const;

describe("createMetastore()", () => {
  it("says a closed client is closed: requests and waitUntilConnected throw ClientClosedError, sending nothing", async () => {
    const c = client();
    await c.waitUntilConnected();
    await c.close();
    await assert.rejects(c.handleRequest(createNode("/a")), (e) => e instanceof ClientClosedError && e.name === "ClientClosedError");
    await assert.rejects(c.handleRequests([createNode("/a")]), ClientClosedError);
    await assert.rejects(c.waitUntilConnected(), (e) => e instanceof ClientClosedError && !isKeeperError(e, ErrorCode.SessionExpired));
  });

  it("reports a handler that throws, or whose promise rejects, to onHandlerError with its path, and carries on", async () => {
    const reported: [string, string][] = [];
    const c = client((e, name) => reported.push([name, (e as Error).message]));
    await c.waitUntilConnected();
    c.registerZNodeChangeHandler({ path: "/a", handleCreation: () => { throw new Error("boom"); } });
    c.registerZNodeChildChangeHandler({ path: "/", handleChildChange: () => Promise.reject(new Error("async boom")) });
    await c.handleRequest({ type: "exists", path: "/a" });
    await c.handleRequest({ type: "getChildren", path: "/", registerWatch: true });
    await c.handleRequest(createNode("/a"));
    for (let turn = 0; turn < 20 && reported.length < 2; turn++) await Promise.resolve(); // core runs without timers (QuickJS too)
    assert.deepEqual(reported.sort(), [["/", "async boom"], ["/a", "boom"]]);
    assert.equal((await c.handleRequest({ type: "exists", path: "/a" })).resultCode, ErrorCode.Ok);
    await c.close();
  });

  it("a second handler registered on a path replaces the first, as Kafka's does", async () => {
    const fired: string[] = [];
    const c = client();
    await c.waitUntilConnected();
    c.registerZNodeChangeHandler({ path: "/a", handleCreation: () => fired.push("first") });
    c.registerZNodeChangeHandler({ path: "/a", handleCreation: () => fired.push("second") });
    await c.handleRequest({ type: "exists", path: "/a" });
    await c.handleRequest(createNode("/a"));
    for (let turn = 0; turn < 20 && fired.length === 0; turn++) await Promise.resolve();
    assert.deepEqual(fired, ["second"]);
    await c.close();
  });
});

describe("toJson()", () => {
  it("writes responses and stats with bigints as decimal strings and data as base64", async () => {
    const c = client();
    await c.waitUntilConnected();
    await c.handleRequest({ ...createNode("/a"), data: Uint8Array.from("hello", (ch) => ch.charCodeAt(0)) });
    const r = await c.handleRequest({ type: "getData", path: "/a" });
    assert.throws(() => JSON.stringify(r), TypeError); // what the helper is for
    const parsed = JSON.parse(toJson(r));
    assert.equal(parsed.data.base64, "aGVsbG8=");
    assert.equal(parsed.stat.czxid, r.stat!.czxid.toString());
    assert.equal(parsed.stat.version, 0);
    assert.equal(JSON.stringify({ id: -(1n << 63n), b: Uint8Array.of(0xff, 0) }, jsonReplacer), '{"id":"-9223372036854775808","b":{"base64":"/wA="}}');
    await c.close();
  });
});
