// The servers the judges are run against. Each target's transcripts must equal those of a real
// ZooKeeper 3.8 (KMETA_ZK) with the same extended-types setting.

/** A server the judges talk to. */
export interface JudgeTarget {
  name: string;
  /** host:port of its ZooKeeper-protocol listener. */
  hostPort: string;
  /** Whether the server takes TTL nodes (ZooKeeper: -Dzookeeper.extendedTypesEnabled=true). */
  extendedTypes: boolean;
  /** Brings the server up before its first judge runs, when the test owns it. */
  start?(): Promise<void>;
  /** Takes it down after its last judge. */
  stop?(): Promise<void>;
}

/** One judge's run: a server and a path prefix nobody else uses. */
export interface JudgeRun {
  hostPort: string;
  extendedTypes: boolean;
  /** A fresh top-level path ("/kmeta-judge-…"); every node the judge makes is at or below it. */
  prefix: string;
}

export const KMETA_ZK_UNSET =
  "KMETA_ZK is not set: give the host:port of a ZooKeeper 3.8 (scripts/servers/start-zk.sh starts one)";

/**
 * The targets besides the reference itself. Today the same real ZooKeeper again (fresh prefixes),
 * which proves the transcripts are reproducible; a server under test is one more entry.
 */
export function judgeTargets(reference: JudgeTarget): JudgeTarget[] {
  return [{ name: "ZooKeeper again", hostPort: reference.hostPort, extendedTypes: reference.extendedTypes }];
}
