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
 * which proves the transcripts are reproducible. A server under test is one more entry, e.g.
 * `{ name: "kmeta serve on memory", hostPort: "127.0.0.1:21870", extendedTypes: true, start, stop }`
 * where start() launches it and resolves once the port answers, and stop() ends it by its pid.
 */
export function judgeTargets(reference: JudgeTarget): JudgeTarget[] {
  return [{ name: "ZooKeeper again", hostPort: reference.hostPort, extendedTypes: reference.extendedTypes }];
}
