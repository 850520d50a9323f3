// One member fails under a loaded client while a quorum remains (reliability.md §7.2 F1/F8: checks
// C1, C2, C4, C5, C6): killed with SIGKILL (a crash: the client fails over) or paused with SIGSTOP for
// longer than the election timeout (its sockets stay open and answer nothing until SIGCONT).
import assert from "node:assert/strict";
import { ErrorCode, type KafkaMetastore } from "../../../core/mod.ts";
import { sleep, waitFor } from "../../conformance/helpers.ts";
import type { Cluster, EtcdClusterRuntime } from "./cluster.ts";
import { checkAcknowledged, checkRecovery, checkTypedFailures, describeOps, firstWriteOkAfter } from "./checks.ts";
import { clientOptions, createTree, Load, setOnce } from "./workload.ts";

export const REQUEST_TIMEOUT_MS = 3000;
/**
 * C5's bound on one op here, of running time. A ZooKeeper write on etcd is a read, then a Txn, each
 * with its own request timeout: the read may go to a member that waits out the election of a new
 * leader (1-2 s, more on a busy machine: 2.1 s was seen beside a CPU hog) and the Txn to the failed
 * member, which writes go to until a call to it times out: 4.1-4.7 s was seen for a create, the
 * most beside a busy loop. Then 2 s for a busy machine.
 */
const MEMBER_OP_MS = 2 * REQUEST_TIMEOUT_MS + 2000;
/** C6's bound, of running time: the op that met the failed member ends, and the next write gets through. */
export const MEMBER_RECOVERY_MS = MEMBER_OP_MS;
/** Pauses outlast C6's bound and the load after it, so recovery must come from failing over, not from SIGCONT. */
export const MEMBER_PAUSE_MS = MEMBER_RECOVERY_MS + 2000;
/** At least 10 s (C4), and longer than a pause plus a keep-alive interval (a third of it). */
const SESSION_TIMEOUT_MS = 20_000;

export interface MemberFault {
  /** The member that fails: the leader, or a follower. */
  target: "leader" | "follower";
  /** The client's first endpoint is that member (true), or the others come first. */
  clientOnTarget: boolean;
  /** "kill": SIGKILL (restarted after the case); "pause": SIGSTOP for `pauseMs`, then SIGCONT. */
  fault: "kill" | "pause";
  pauseMs?: number;
}

/** "leader kill, client on the leader": how a case names itself in its summary line. */
function label(f: MemberFault): string {
  const on = f.clientOnTarget ? `the ${f.target}` : f.target === "leader" ? "a follower" : "another member";
  return `${f.target} ${f.fault === "kill" ? "kill" : `pause ${f.pauseMs} ms`}, client on ${on}`;
}

/**
 * Fails one member under a client's mixed load and checks: failures are ConnectionLoss within
 * MEMBER_OP_MS, writes succeed again within MEMBER_RECOVERY_MS of the fault (the others still form a
 * quorum: a client on a paused member leaves it after one timed-out call, before SIGCONT), the
 * session survives with its ephemeral, the watch armed before the fault fires exactly once, and no
 * acknowledged write is lost.
 */
export async function memberFault(rt: EtcdClusterRuntime, cluster: Cluster, f: MemberFault): Promise<void> {
  const leader = await cluster.leaderIndex();
  const followers = [0, 1, 2].filter((i) => i !== leader);
  const target = f.target === "leader" ? leader : followers[0]!;
  const others = [0, 1, 2].filter((i) => i !== target);
  const order = f.clientOnTarget ? [target, ...others] : [...others, target];
  const options = clientOptions(SESSION_TIMEOUT_MS, REQUEST_TIMEOUT_MS);
  const client = await rt.connect(`etcd://${cluster.hosts(order)}`, options);
  // The observer changes the watched node during the fault, through members that keep working.
  let observer: KafkaMetastore | undefined;
  let load: Load | undefined;
  try {
    observer = await rt.connect(`etcd://${cluster.hosts(others)}`, options);
    let expiries = 0;
    client.registerStateChangeHandler({ name: "t", beforeInitializingSession: () => void expiries++ });
    const sessionId = client.sessionId;
    const tree = await createTree(client);
    let fired = 0;
    client.registerZNodeChangeHandler({ path: tree.watched, handleDataChange: () => fired++ });
    assert.equal((await client.handleRequest({ type: "getData", path: tree.watched })).resultCode, ErrorCode.Ok);
    const states: string[] = [];
    const stateTimer = setInterval(() => {
      if (states.at(-1) !== client.connectionState) states.push(client.connectionState);
    }, 10);

    load = new Load(client, tree.root);
    await sleep(1000);
    const faultAt = performance.now();
    if (f.fault === "kill") cluster.kill(target);
    else cluster.pause(target);
    await setOnce(observer, tree.watched);
    let resumedAt = Infinity;
    if (f.fault === "pause") {
      await sleep(faultAt + f.pauseMs! - performance.now());
      resumedAt = performance.now();
      cluster.resume(target);
    }
    await sleep(Math.max(1000, faultAt + MEMBER_RECOVERY_MS + 1000 - performance.now()));
    // C6 looks at the ops invoked after its bound of running time: there must be some.
    await load.stalls.waitRunning(faultAt, MEMBER_RECOVERY_MS + 1000);
    const ops = await load.stop();
    clearInterval(stateTimer);

    const first = firstWriteOkAfter(ops, faultAt);
    const summary = `${describeOps(ops, load.stalls)}, first write OK ${first ? Math.round(first.end - faultAt) : "never"} ms after the fault` +
      `, states ${states.join(">")}`;
    console.log(`[${rt.name}: ${label(f)}] ${summary}`);

    checkTypedFailures(ops, load.stalls, MEMBER_OP_MS, summary);
    // C6 from the fault itself: a quorum never went away.
    checkRecovery(ops, load.stalls, faultAt, MEMBER_RECOVERY_MS, summary);
    assert.ok(first && first.end < resumedAt, `no write succeeded before SIGCONT: ${summary}`);

    // C4: the session survived: same id, never expired, its ephemeral still there.
    assert.equal(client.connectionState, "CONNECTED");
    assert.equal(client.sessionId, sessionId);
    assert.equal(expiries, 0, "the session expired");
    const eph = await observer.handleRequest({ type: "exists", path: tree.eph });
    assert.equal(eph.stat?.ephemeralOwner, sessionId, "the ephemeral is gone or has another owner");

    // C2: the watch armed before the fault fired exactly once.
    await waitFor(() => fired >= 1, 5000, "the armed watch to fire");
    await sleep(500);
    assert.equal(fired, 1, "the watch fired more than once");

    await checkAcknowledged(ops, observer, tree.reg);
  } finally {
    cluster.resume();
    await load?.stop();
    await client.close();
    await observer?.close();
  }
}
