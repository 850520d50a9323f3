// Several `kmeta serve` processes over one store act as one ensemble: a client listing them all keeps
// its session, its ephemerals and its watches when the server it is on goes away. Here two servers
// share one memory store in this process; the etcd ensemble runs the same scenario across processes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, createMemoryStore, CreateMode, OPEN_ACL_UNSAFE, systemClock } from "../../runtimes/node/mod.ts";
import { parseServeFlags, startServe } from "../../runtimes/common/serve.ts";
import { nodeServeHost } from "../../runtimes/node/serve_host.ts";

const waitFor = async (what: string, ok: () => boolean, ms = 15000) => {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe("kmeta serve ensemble over one store", () => {
  it("a client resumes its session on another server when its server stops", async () => {
    const store = createMemoryStore({ clock: systemClock });
    const servers = await Promise.all([0, 1].map(() =>
      startServe({ ...nodeServeHost, log: () => {} }, parseServeFlags(["--listen", "127.0.0.1:0"]), () => Promise.resolve(store))
    ));
    const hosts = servers.map((s) => `${s.listeners[0]!.host}:${s.listeners[0]!.port}`);
    const client = await connect(`zk://${hosts.join(",")}`, { sessionTimeoutMs: 8000 });
    const writer = await connect("memory://", { store });
    try {
      const reinitialised: string[] = [];
      client.registerStateChangeHandler({ name: "t", beforeInitializingSession: () => void reinitialised.push("before") });
      const fired: string[] = [];
      client.registerZNodeChangeHandler({ path: "/broker", handleDataChange: () => fired.push("data") });
      await client.handleRequest({ type: "create", path: "/broker", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Ephemeral });
      await client.handleRequest({ type: "exists", path: "/broker" });
      const sessionId = client.sessionId;
      const on = servers.findIndex((s) => s.server.summary().connections.some((c) => c.sessionId === sessionId));
      assert.ok(on >= 0, "the client's connection is on neither server");

      await servers[on]!.stop();
      const other = servers[1 - on]!;
      await waitFor("the client on the other server", () => other.server.summary().connections.some((c) => c.sessionId === sessionId));
      assert.equal(client.sessionId, sessionId);
      const { stat } = await client.handleRequest({ type: "exists", path: "/broker" });
      assert.equal(stat?.ephemeralOwner, sessionId, "the ephemeral did not survive the move");
      await writer.handleRequest({ type: "setData", path: "/broker", data: new Uint8Array([1]), version: -1 });
      await waitFor("the watch armed before the move to fire", () => fired.length > 0);
      await writer.handleRequest({ type: "setData", path: "/broker", data: new Uint8Array([2]), version: -1 });
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(fired, ["data"], "a one-shot watch fired more than once");
      assert.deepEqual(reinitialised, [], "the session expired instead of moving");
    } finally {
      await client.close();
      await writer.close();
      await Promise.all(servers.map((s) => s.stop()));
    }
  });
});
