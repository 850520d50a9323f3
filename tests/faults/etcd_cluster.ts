/**
 * etcd cluster fault tests (reliability.md §7.2), written once; each runtime's `etcd_cluster*_test.ts`
 * passes its own `connect` and its cluster's ports, which must be that runtime's alone
 * (scripts/servers/start-etcd-cluster.sh, via ETCD_CLIENT_PORTS/ETCD_PEER_PORTS). The scenarios live
 * in ./etcd_cluster/: cluster control, the recorded load and the checks they share.
 * @module
 */
import { describeOnCluster, type EtcdClusterRuntime } from "./etcd_cluster/cluster.ts";
import { MEMBER_PAUSE_MS, memberFault } from "./etcd_cluster/member_fault.ts";
import { clusterPause } from "./etcd_cluster/cluster_pause.ts";
import { memberRestart } from "./etcd_cluster/member_restart.ts";

export type { EtcdClusterRuntime } from "./etcd_cluster/cluster.ts";

/** Each case takes 10-20 s (plus restarts); a hang fails instead of stalling the run. */
const TEST_TIMEOUT_MS = 55_000;

/**
 * The leader killed with SIGKILL under a loaded client connected to all three members: once while
 * the client talks to the leader (its connection dies: fail-over), once while it talks to a
 * follower (its member loses its leader: an election under its feet).
 */
export function runEtcdClusterFaults(rt: EtcdClusterRuntime): void {
  describeOnCluster(rt, "leader killed under load", [
    {
      name: "client on the leader: fails over, no acknowledged write lost, watch once, session kept",
      run: (c) => memberFault(rt, c, { target: "leader", clientOnTarget: true, fault: "kill" }),
    },
    {
      name: "client on a follower: rides out the election the same way",
      run: (c) => memberFault(rt, c, { target: "leader", clientOnTarget: false, fault: "kill" }),
    },
  ], TEST_TIMEOUT_MS);
}

/**
 * Members paused with SIGSTOP and restarted with their data: the leader (then a follower) the client
 * talks to paused past the election timeout and past C6's bound (so the client must leave it, a
 * quorum being there); the whole cluster paused past the session timeout; a
 * follower killed and restarted, then read alone by a fresh client.
 */
export function runEtcdClusterPauseFaults(rt: EtcdClusterRuntime): void {
  describeOnCluster(rt, "members paused and restarted", [
    {
      name: `the leader the client talks to paused ${MEMBER_PAUSE_MS / 1000} s: fails over before SIGCONT, same session, ephemeral kept, watch once`,
      run: (c) => memberFault(rt, c, { target: "leader", clientOnTarget: true, fault: "pause", pauseMs: MEMBER_PAUSE_MS }),
    },
    {
      name: `the follower the client talks to paused ${MEMBER_PAUSE_MS / 1000} s: the same`,
      run: (c) => memberFault(rt, c, { target: "follower", clientOnTarget: true, fault: "pause", pauseMs: MEMBER_PAUSE_MS }),
    },
    { name: "the whole cluster paused past the session timeout: typed errors, one expiry, a new session", run: (c) => clusterPause(rt, c) },
    { name: "a follower killed under load and restarted from its data: a client on it alone sees every acknowledged write", run: (c) => memberRestart(rt, c) },
  ], TEST_TIMEOUT_MS);
}
