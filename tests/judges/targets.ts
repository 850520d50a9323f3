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

import process from "node:process";
import { parseServeFlags, type RunningServe, serverStores, startServe } from "../../runtimes/common/serve.ts";
import { nodeServeHost } from "../../runtimes/node/serve_host.ts";
import { etcdStoreArgs, zkStoreArgs } from "../server/serve.ts";

export const KMETA_ZK_UNSET =
  "KMETA_ZK is not set: give the host:port of a ZooKeeper 3.8 (scripts/servers/start-zk.sh starts one)";

/**
 * `kmeta serve` in this process on a fixed loopback port (judges need it up front), with `args`;
 * `extendedTypes` says whether the server it makes takes TTL nodes.
 */
function serveTarget(name: string, port: number, extendedTypes: boolean, args: () => string[]): JudgeTarget {
  let running: RunningServe | undefined;
  return {
    name,
    hostPort: `127.0.0.1:${port}`,
    extendedTypes,
    async start() {
      const flags = parseServeFlags(["--listen", `127.0.0.1:${port}`, ...args()]);
      running = await startServe({ ...nodeServeHost, log: () => {} }, flags, serverStores(nodeServeHost));
    },
    async stop() {
      await running?.stop();
    },
  };
}

/**
 * The targets besides the reference itself: the same real ZooKeeper again (fresh prefixes), which
 * proves the transcripts are reproducible, `kmeta serve` on memory with and without TTL nodes, and
 * `kmeta serve` on etcd (KMETA_ETCD; the etcd store has no TTL nodes), and `kmeta serve` passing its
 * sessions on to the reference ZooKeeper.
 */
export function judgeTargets(reference: JudgeTarget): JudgeTarget[] {
  const base = Number(process.env.KMETA_JUDGES_SERVE_PORT ?? 21870);
  return [
    { name: "ZooKeeper again", hostPort: reference.hostPort, extendedTypes: reference.extendedTypes },
    serveTarget("kmeta serve on memory", base, false, () => []),
    serveTarget("kmeta serve on memory, extended types", base + 1, true, () => ["--extended-types"]),
    serveTarget("kmeta serve on etcd", base + 2, false, () => etcdStoreArgs("judges")),
    // Behind the pass-through, the reference judges every request itself, TTL nodes included.
    serveTarget("kmeta serve passing sessions on to ZooKeeper", base + 3, reference.extendedTypes, zkStoreArgs),
  ];
}
