// Reads only a ZooKeeper-protocol server asks for, answered from etcd: a session's ephemerals (the
// keys on its lease) and the size of a subtree (counted level by level: a level without nodes has
// none below it).
import type { EtcdApi, RequestOp } from "./api.ts";
import { depthOf, type KeyLayout, MAX_DEPTH } from "./keys.ts";

/** Levels counted per Txn. */
const LEVELS_PER_TXN = 16;

/** The paths of the ephemerals on lease `sessionId` that start with `prefix` (a string prefix). */
export async function ephemeralsOf(api: EtcdApi, keys: KeyLayout, sessionId: bigint, prefix: string): Promise<string[]> {
  const lease = await api.leaseTimeToLive(sessionId, true);
  const out: string[] = [];
  for (const key of lease.keys) {
    const parsed = keys.parse(key);
    if (parsed.kind === "node" && parsed.path.startsWith(prefix)) out.push(parsed.path);
  }
  return out.sort();
}

/** How many nodes lie below `path` at any depth, as of `revision`. */
export async function descendantCount(api: EtcdApi, keys: KeyLayout, path: string, revision: bigint): Promise<number> {
  let total = 0;
  for (let depth = depthOf(path) + 1; depth <= MAX_DEPTH; depth += LEVELS_PER_TXN) {
    const success: RequestOp[] = [];
    for (let d = depth; d < depth + LEVELS_PER_TXN && d <= MAX_DEPTH; d++) {
      success.push({ range: { ...keys.levelRange(path, d), countOnly: true, revision } });
    }
    const r = await api.txn({ compare: [], success, failure: [] });
    for (const response of r.responses) {
      const count = "range" in response ? Number(response.range.count) : 0;
      if (count === 0) return total;
      total += count;
    }
  }
  return total;
}
