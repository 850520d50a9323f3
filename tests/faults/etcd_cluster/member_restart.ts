// A member restarted with its data (reliability.md §7.2 F1): a follower the client talks to is killed
// under load (the client fails over), restarted from its data dir, then read alone by a fresh client.
import assert from "node:assert/strict";
import { ErrorCode, type KafkaMetastore } from "../../../core/mod.ts";
import { sleep, waitFor } from "../../conformance/helpers.ts";
import type { Cluster, EtcdClusterRuntime } from "./cluster.ts";
import { checkAcknowledged, checkRecovery, checkTypedFailures, describeOps, firstWriteOkAfter, opBoundMs, RECOVERY_MS } from "./checks.ts";
import { clientOptions, createTree, Load, setOnce } from "./workload.ts";
import { REQUEST_TIMEOUT_MS } from "./member_fault.ts";

const SESSION_TIMEOUT_MS = 12_000;
/** How long the load runs on the two remaining members before the restart. */
const DOWN_MS = 2000;

/**
 * Kills a follower the loaded client is connected to, restarts it from its data dir, and checks the
 * loaded client as the kill-leader case does (ConnectionLoss within the request timeout + 1 s, writes
 * back within 5 s, session kept); then a fresh client connected only to the restarted member sees
 * every acknowledged write and the client's ephemeral, and a watch armed through it fires once.
 */
export async function memberRestart(rt: EtcdClusterRuntime, cluster: Cluster): Promise<void> {
  const leader = await cluster.leaderIndex();
  const target = [0, 1, 2].find((i) => i !== leader)!;
  const others = [0, 1, 2].filter((i) => i !== target);
  const options = clientOptions(SESSION_TIMEOUT_MS, REQUEST_TIMEOUT_MS);
  const client = await rt.connect(`etcd://${cluster.hosts([target, ...others])}`, options);
  let observer: KafkaMetastore | undefined;
  let fresh: KafkaMetastore | undefined;
  let load: Load | undefined;
  try {
    observer = await rt.connect(`etcd://${cluster.hosts(others)}`, options);
    const sessionId = client.sessionId;
    const tree = await createTree(client);
    load = new Load(client, tree.root);
    await sleep(1000);
    const killedAt = performance.now();
    cluster.kill(target);
    await sleep(DOWN_MS);
    const restartAt = performance.now();
    await cluster.start();
    const restartedAt = performance.now();
    await sleep(Math.max(1000, killedAt + RECOVERY_MS + 1000 - performance.now()));
    // C6 looks at the ops invoked after RECOVERY_MS of running time: there must be some.
    await load.stalls.waitRunning(killedAt, RECOVERY_MS + 1000);
    const ops = await load.stop();

    const first = firstWriteOkAfter(ops, killedAt);
    const summary = `${describeOps(ops, load.stalls)}, first write OK ${first ? Math.round(first.end - killedAt) : "never"} ms after the kill, ` +
      `restart took ${Math.round(restartedAt - restartAt)} ms`;
    checkTypedFailures(ops, load.stalls, opBoundMs(REQUEST_TIMEOUT_MS), summary);
    checkRecovery(ops, load.stalls, killedAt, RECOVERY_MS, summary);
    assert.equal(client.sessionId, sessionId, "the session changed");
    assert.equal(client.connectionState, "CONNECTED");

    // A client on the restarted member alone: every acknowledged write, the live session's ephemeral.
    const freshAt = performance.now();
    fresh = await rt.connect(`etcd://${cluster.hosts([target])}`, options);
    await checkAcknowledged(ops, fresh, tree.reg);
    const checkedMs = performance.now() - freshAt;
    assert.equal((await fresh.handleRequest({ type: "exists", path: tree.eph })).stat?.ephemeralOwner, sessionId);

    // A watch armed through it fires once for a change made through the other members.
    let fired = 0;
    fresh.registerZNodeChangeHandler({ path: tree.watched, handleDataChange: () => fired++ });
    assert.equal((await fresh.handleRequest({ type: "getData", path: tree.watched })).resultCode, ErrorCode.Ok);
    const changedAt = performance.now();
    await setOnce(observer, tree.watched);
    await waitFor(() => fired >= 1, 5000, "the watch on the restarted member to fire");
    const firedMs = performance.now() - changedAt;
    await sleep(500);
    assert.equal(fired, 1, "the watch fired more than once");
    console.log(`[${rt.name}: follower killed and restarted with its data, client on it] ${summary}; ` +
      `a client on it alone connected and found every acknowledged write in ${Math.round(checkedMs)} ms, its watch fired ${Math.round(firedMs)} ms after the change`);
  } finally {
    await load?.stop();
    await client.close();
    await observer?.close();
    await fresh?.close();
  }
}
