// Whether two stores hold the same tree: the same znodes (so the same children), each with the same
// data and ACL. Ephemerals belong to sessions and are counted, not compared. Stat counters
// (zxids, times, versions) are store history, not content: they are counted where they differ.
import type { Stat } from "../../../core/api/stat.ts";
import { CliError } from "./context.ts";
import { aclString, count, showData } from "./format.ts";
import { isEphemeral, sameAcl, sameData } from "./node_kind.ts";
import { type Lanes, type NodeRecord, readTree } from "./tree_read.ts";

export interface Difference {
  path: string;
  what: "only in A" | "only in B" | "data" | "ACL";
  detail: string;
}

const COUNTERS = ["czxid", "mzxid", "pzxid", "ctime", "mtime", "version", "cversion", "aversion"] as const;

export interface DiffReport {
  /** Znodes compared (in A or B, ephemerals aside). */
  compared: number;
  differences: Difference[];
  ephemerals: { a: number; b: number };
  /** For each stat counter, on how many znodes present in both it differs. */
  counters: Record<(typeof COUNTERS)[number], number>;
}

const preview = (data: Uint8Array | null) => {
  const { encoding, text } = showData(data);
  if (text === null) return "null";
  const cut = text.length > 40 ? `${text.slice(0, 40)}...` : text;
  return `${encoding === "hex" ? "hex " : ""}${JSON.stringify(cut)} (${data!.length} bytes)`;
};

export async function diffTrees(a: Lanes, b: Lanes, root: string, skip: (path: string) => boolean): Promise<DiffReport> {
  const side = (name: string) => (e: unknown) => {
    throw e instanceof CliError ? new CliError(`${name}: ${e.message}`, e.exitCode) : e;
  };
  const [left, right] = await Promise.all([readTree(a, root, skip).catch(side("A")), readTree(b, root, skip).catch(side("B"))]);
  const report: DiffReport = { compared: 0, differences: [], ephemerals: { a: 0, b: 0 }, counters: Object.fromEntries(COUNTERS.map((c) => [c, 0])) as DiffReport["counters"] };
  const persistent = (nodes: Map<string, NodeRecord>, side: "a" | "b") => {
    for (const [path, n] of nodes) {
      if (!isEphemeral(n.stat)) continue;
      nodes.delete(path);
      report.ephemerals[side]++;
    }
  };
  persistent(left, "a");
  persistent(right, "b");
  // A subtree missing on one side is one difference, at its top (maps are in level order).
  const only = (mine: Map<string, NodeRecord>, theirs: Map<string, NodeRecord>, what: "only in A" | "only in B") => {
    const top = new Map<string, Difference & { below: number }>();
    for (const path of mine.keys()) {
      if (theirs.has(path)) continue;
      const above = top.get(path.slice(0, Math.max(1, path.lastIndexOf("/"))));
      if (above && path !== "/") {
        above.below++;
        top.set(path, above);
      } else top.set(path, { path, what, detail: "", below: 0 });
    }
    for (const d of new Set(top.values())) report.differences.push({ path: d.path, what, detail: d.below > 0 ? `with ${count(d.below)} znodes under it` : "" });
  };
  for (const [path, l] of left) {
    const r = right.get(path);
    if (!r) continue;
    if (!sameData(l.data, r.data)) report.differences.push({ path, what: "data", detail: `A ${preview(l.data)}, B ${preview(r.data)}` });
    if (!sameAcl(l.acl, r.acl)) report.differences.push({ path, what: "ACL", detail: `A ${l.acl.map(aclString).join(",")}, B ${r.acl.map(aclString).join(",")}` });
    for (const c of COUNTERS) if ((l.stat as Stat)[c] !== (r.stat as Stat)[c]) report.counters[c]++;
  }
  only(left, right, "only in A");
  only(right, left, "only in B");
  report.compared = new Set([...left.keys(), ...right.keys()]).size;
  return report;
}
