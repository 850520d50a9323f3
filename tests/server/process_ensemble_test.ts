// Three `kmeta serve` processes over one store are one ensemble: a client listing them all keeps its
// session, its ephemeral and its watches when the process it is on is killed with SIGKILL; it resumes
// on another (the password checked from etcd, or by the ZooKeeper the sessions are passed on to),
// zxids do not go backwards, and reads are fresh. Nothing of the session lives in the servers.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, CreateMode, OPEN_ACL_UNSAFE } from "../../runtimes/node/mod.ts";
import { etcdStoreArgs, zkStoreArgs } from "./serve.ts";
import { fourLetterWord, type ServeProcess, startServeProcess } from "./serve_process.ts";

const SESSION_TIMEOUT_MS = 8000;

const waitFor = async (what: string, ok: () => boolean | Promise<boolean>, ms = 20000) => {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** The index of the server whose `cons` lists `sessionId`, or -1. */
async function serving(servers: readonly ServeProcess[], sessionId: bigint): Promise<number> {
  const sid = `sid=0x${sessionId.toString(16)},`;
  for (let i = 0; i < servers.length; i++) {
    const cons = await fourLetterWord(servers[i]!.hostPort, "cons").catch(() => "");
    if (cons.includes(sid)) return i;
  }
  return -1;
}

const STORES: [string, () => string[]][] = [
  ["one etcd", () => etcdStoreArgs("ensemble")],
  ["one ZooKeeper (sessions passed on)", zkStoreArgs],
];

for (const [name, storeArgs] of STORES) describe(`kmeta serve ensemble: three processes over ${name}`, () => {
  const servers: ServeProcess[] = [];
  after(() => Promise.all(servers.map((s) => s.kill("SIGKILL"))));

  it("a client keeps its session, ephemeral and watches when its server is killed with SIGKILL", { timeout: 120_000 }, async () => {
    const store = storeArgs();
    // ZooKeeper's tree is shared with other tests; etcd's prefix is this test's own.
    const broker = `/broker-${Date.now().toString(36)}`;
    servers.push(...await Promise.all([0, 1, 2].map(() => startServeProcess(store))));
    const hosts = servers.map((s) => s.hostPort).join(",");
    const client = await connect(`zk://${hosts}`, { sessionTimeoutMs: SESSION_TIMEOUT_MS });
    const writer = await connect(`zk://${hosts}`, { sessionTimeoutMs: SESSION_TIMEOUT_MS });
    try {
      const reinitialised: string[] = [];
      client.registerStateChangeHandler({ name: "t", beforeInitializingSession: () => void reinitialised.push("before") });
      const fired: string[] = [];
      client.registerZNodeChangeHandler({ path: broker, handleDataChange: () => fired.push("data") });
      const created = await client.handleRequest({ type: "create", path: broker, data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Ephemeral });
      assert.equal(created.resultCode, 0);
      await client.handleRequest({ type: "exists", path: broker, registerWatch: true });
      const sessionId = client.sessionId;
      const czxid = (await client.handleRequest({ type: "exists", path: broker })).stat!.czxid;
      const on = await serving(servers, sessionId);
      assert.ok(on >= 0, "no server lists the client's session");

      await servers[on]!.kill("SIGKILL");
      await waitFor("the client on another server", async () => (await serving(servers.filter((_, i) => i !== on), sessionId)) >= 0);
      assert.equal(client.sessionId, sessionId, "the client got a new session");
      const { stat } = await client.handleRequest({ type: "exists", path: broker });
      assert.equal(stat?.ephemeralOwner, sessionId, "the ephemeral did not survive the kill");

      // The watch armed before the kill was re-armed on the new server (setWatches) and fires once.
      const set = await writer.handleRequest({ type: "setData", path: broker, data: new Uint8Array([1]), version: -1 });
      assert.equal(set.resultCode, 0);
      assert.ok(set.stat!.mzxid > czxid, "a zxid went backwards across processes");
      await waitFor("the watch armed before the kill to fire", () => fired.length > 0);
      await writer.handleRequest({ type: "setData", path: broker, data: new Uint8Array([2]), version: -1 });
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(fired, ["data"], "a one-shot watch fired more than once");

      // A read on whichever server sees the other session's last write (etcd reads are linearizable,
      // the tests' ZooKeeper is one server; the raw-frame test judges sync itself).
      await writer.handleRequest({ type: "setData", path: broker, data: new Uint8Array([3]), version: -1 });
      assert.deepEqual([...(await client.handleRequest({ type: "getData", path: broker })).data!], [3]);
      assert.deepEqual(reinitialised, [], "the session expired instead of moving");

      // Closing the session removes its ephemeral for every server.
      await client.close();
      await waitFor("the ephemeral to go", async () => (await writer.handleRequest({ type: "exists", path: broker })).resultCode === -101);
    } finally {
      await client.close();
      await writer.close();
    }
  });
});
