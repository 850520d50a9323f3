// `kmeta serve` over a three-member etcd of its own while etcd fails: the etcd leader killed, then the
// whole etcd down for a while. The server keeps running, clients see ConnectionLoss and no more, and
// sessions live on as on a ZooKeeper ensemble that lost its quorum: same session, same ephemeral.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, CreateMode, ErrorCode, OPEN_ACL_UNSAFE } from "../../runtimes/node/mod.ts";
import { createCluster } from "../faults/etcd_cluster/cluster.ts";
import { type ServeProcess, startServeProcess } from "./serve_process.ts";

const SESSION_TIMEOUT_MS = 20000;
const ports = { client: [24031, 24032, 24033], peer: [24034, 24035, 24036] } as const;

/** Retries `fn` until it answers Ok (ConnectionLoss meanwhile is what a client must expect), within `ms`. */
async function eventually(what: string, fn: () => Promise<number>, ms = 30000): Promise<void> {
  const deadline = Date.now() + ms;
  let last = 0;
  while (Date.now() < deadline) {
    last = await fn();
    if (last === ErrorCode.Ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: still ${last} after ${ms} ms`);
}

describe("kmeta serve while its etcd fails", () => {
  const cluster = createCluster({ name: "serve-outage", connect, ports });
  let server: ServeProcess | undefined;
  after(async () => {
    await server?.kill("SIGKILL");
    await cluster.stop();
  });

  it("rides out an etcd leader kill and a whole-etcd outage with the same session", { timeout: 180_000 }, async () => {
    await cluster.start();
    server = await startServeProcess(["--store", `etcd://${cluster.hosts([0, 1, 2])}`, "--etcd-prefix", "outage/"]);
    const client = await connect(`zk://${server.hostPort}`, { sessionTimeoutMs: SESSION_TIMEOUT_MS });
    const reinitialised: string[] = [];
    client.registerStateChangeHandler({ name: "t", beforeInitializingSession: () => void reinitialised.push("before") });
    try {
      const sessionId = client.sessionId;
      const put = (i: number) => client.handleRequest({ type: "setData", path: "/broker", data: new Uint8Array([i]), version: -1 });
      assert.equal((await client.handleRequest({ type: "create", path: "/broker", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Ephemeral })).resultCode, 0);

      cluster.kill(await cluster.leaderIndex());
      await eventually("a write after the leader kill", async () => (await put(1)).resultCode);

      for (const i of [0, 1, 2]) {
        try {
          cluster.kill(i);
        } catch {
          // the member killed above
        }
      }
      const during = await put(2);
      assert.equal(during.resultCode, ErrorCode.ConnectionLoss, "a write with etcd down must fail with ConnectionLoss");
      await new Promise((r) => setTimeout(r, 4000));
      await cluster.start();
      await eventually("a write once etcd is back", async () => (await put(3)).resultCode);

      assert.equal(client.sessionId, sessionId);
      const { stat, data } = await client.handleRequest({ type: "getData", path: "/broker" });
      assert.equal(stat?.ephemeralOwner, sessionId, "the ephemeral did not survive the outage");
      assert.deepEqual([...data!], [3]);
      assert.deepEqual(reinitialised, [], "the session expired during the outage");
      assert.match(server.log(), /listening on/);
    } finally {
      await client.close();
    }
  });
});
