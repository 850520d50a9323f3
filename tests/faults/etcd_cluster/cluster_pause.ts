// The whole cluster paused with SIGSTOP for twice the session timeout under a loaded client
// (reliability.md §7.2 F2/F6 on etcd: checks C1, C3, C5, C6 and the client's expiry).
import assert from "node:assert/strict";
import { CreateMode, ErrorCode, type KafkaMetastore } from "../../../core/mod.ts";
import { bytes, create, sleep, waitFor } from "../../conformance/helpers.ts";
import type { Cluster, EtcdClusterRuntime } from "./cluster.ts";
import { checkAcknowledged, checkRecovery, checkTypedFailures, describeOps, firstWriteOkAfter, opBoundMs, RECOVERY_MS } from "./checks.ts";
import { clientOptions, createTree, Load } from "./workload.ts";

/** The lease TTL is 5 s: the pause outlasts it with room for the client to declare expiry first. */
const SESSION_TIMEOUT_MS = 5000;
const REQUEST_TIMEOUT_MS = 2000;
const PAUSE_MS = 2 * SESSION_TIMEOUT_MS;
/** etcd's default --election-timeout. */
const ELECTION_MS = 1000;

/**
 * Pauses every member under the load and checks: operations fail with ConnectionLoss within the
 * request timeout + 1 s; the client declares its session expired (beforeInitializingSession, then
 * afterInitializingSession once, with a new session object); after SIGCONT the old session's
 * ephemeral is gone for another client within TTL + one election + 1 s and stays gone, its armed
 * watch never fires, the new session (new id) creates an ephemeral and arms a watch that fires once,
 * writes succeed within 5 s, and no acknowledged write is lost.
 */
export async function clusterPause(rt: EtcdClusterRuntime, cluster: Cluster): Promise<void> {
  const client = await rt.connect(`etcd://${cluster.hosts([0, 1, 2])}`, clientOptions(SESSION_TIMEOUT_MS, REQUEST_TIMEOUT_MS));
  // The observer's session outlives the pause: it looks at what the client's expiry left behind.
  let observer: KafkaMetastore | undefined;
  let load: Load | undefined;
  try {
    observer = await rt.connect(`etcd://${cluster.hosts([2, 1, 0])}`, clientOptions(6 * SESSION_TIMEOUT_MS, REQUEST_TIMEOUT_MS));
    const reinit: { handler: "before" | "after"; at: number }[] = [];
    client.registerStateChangeHandler({
      name: "t",
      beforeInitializingSession: () => void reinit.push({ handler: "before", at: performance.now() }),
      afterInitializingSession: () => void reinit.push({ handler: "after", at: performance.now() }),
    });
    const oldId = client.sessionId;
    const tree = await createTree(client);
    let fired = 0;
    client.registerZNodeChangeHandler({ path: tree.watched, handleDataChange: () => fired++ });
    assert.equal((await client.handleRequest({ type: "getData", path: tree.watched })).resultCode, ErrorCode.Ok);

    load = new Load(client, tree.root);
    await sleep(1000);
    const pausedAt = performance.now();
    cluster.pause(0, 1, 2);
    // No keep-alive gets through: the client gives the session up once the TTL has passed.
    await waitFor(() => reinit.length > 0, SESSION_TIMEOUT_MS + 2 * REQUEST_TIMEOUT_MS, "the client to declare its session expired");
    const expiredAt = reinit[0]!.at;
    assert.ok(performance.now() < pausedAt + PAUSE_MS, "the client declared expiry only after the pause would have ended");
    await sleep(pausedAt + PAUSE_MS - performance.now());
    const resumedAt = performance.now();
    cluster.resume(0, 1, 2);

    // C3: the old session's ephemeral goes, for another client, within TTL + one election + 1 s.
    const goneBy = resumedAt + SESSION_TIMEOUT_MS + ELECTION_MS + 1000;
    let goneAt = 0;
    while (!goneAt) {
      const r = await observer.handleRequest({ type: "exists", path: tree.eph });
      if (r.resultCode === ErrorCode.NoNode) goneAt = performance.now();
      else assert.ok(performance.now() < goneBy, `the expired session's ephemeral is still there (${r.resultCode})`);
      await sleep(20);
    }
    await waitFor(() => client.connectionState === "CONNECTED" && client.sessionId !== oldId, 10_000, "a new session");
    const connectedAt = performance.now();
    const newId = client.sessionId;

    // The old session's watch died with it: a change now fires nothing; re-armed on the new session, it fires once.
    assert.equal((await observer.handleRequest({ type: "setData", path: tree.watched, data: bytes("after"), version: -1 })).resultCode, ErrorCode.Ok);
    await sleep(500);
    assert.equal(fired, 0, "the expired session's watch fired");
    assert.equal((await client.handleRequest({ type: "getData", path: tree.watched })).resultCode, ErrorCode.Ok);
    assert.equal((await observer.handleRequest({ type: "setData", path: tree.watched, data: bytes("again"), version: -1 })).resultCode, ErrorCode.Ok);
    await waitFor(() => fired >= 1, 5000, "the re-armed watch to fire");

    // The new session works: its ephemeral is visible to others, owned by the new id.
    const eph2 = `${tree.root}/eph2`;
    assert.equal((await client.handleRequest(create(eph2, null, CreateMode.Ephemeral))).resultCode, ErrorCode.Ok);
    assert.equal((await observer.handleRequest({ type: "exists", path: eph2 })).stat?.ephemeralOwner, newId);

    await sleep(resumedAt + RECOVERY_MS + 1000 - performance.now());
    // C6 looks at the ops invoked after RECOVERY_MS of running time: there must be some.
    await load.stalls.waitRunning(resumedAt, RECOVERY_MS + 1000);
    const ops = await load.stop();
    const first = firstWriteOkAfter(ops, resumedAt);
    const at = (t: number | undefined) => (t === undefined ? "never" : `${Math.round(t - resumedAt)} ms`);
    const summary = `${describeOps(ops, load.stalls)}, expiry declared ${Math.round(expiredAt - pausedAt)} ms into the pause; after SIGCONT: ` +
      `old ephemeral gone ${at(goneAt)}, new session ${at(connectedAt)}, first write OK ${at(first?.end)}; ` +
      `handlers ${reinit.map((r) => `${r.handler}@${Math.round(r.at - pausedAt)}`).join(",")} ms into the pause`;
    console.log(`[${rt.name}: whole cluster paused ${PAUSE_MS} ms, session timeout ${SESSION_TIMEOUT_MS} ms] ${summary}`);

    assert.deepEqual(reinit.map((r) => r.handler), ["before", "after"], `state handlers: ${summary}`);
    assert.notEqual(newId, oldId);
    // A request waiting for the link when the session expired fails with SessionExpired, as one
    // queued in a ZooKeeper client does; only those: the new session's requests never see it.
    checkTypedFailures(ops, load.stalls, opBoundMs(REQUEST_TIMEOUT_MS), summary, [ErrorCode.ConnectionLoss, ErrorCode.SessionExpired]);
    const late = ops.filter((o) => o.code === ErrorCode.SessionExpired && o.start > expiredAt);
    assert.equal(late.length, 0, `requests sent after the expiry got SessionExpired: ${summary}`);
    checkRecovery(ops, load.stalls, resumedAt, RECOVERY_MS, summary);
    await sleep(500);
    assert.equal(fired, 1, "the watch fired more than once");
    // C1, and the old ephemeral never came back.
    await checkAcknowledged(ops, observer, tree.reg);
    assert.equal((await observer.handleRequest({ type: "exists", path: tree.eph })).resultCode, ErrorCode.NoNode, "the old ephemeral came back");
  } finally {
    cluster.resume();
    await load?.stop();
    await client.close();
    await observer?.close();
  }
}
