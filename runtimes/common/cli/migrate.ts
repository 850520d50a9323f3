// Copies a tree from one store to another with data and ACLs. Reading and writing are both
// pipelined, level by level, and overlap: level n+1 is read while level n is written. Ephemerals are
// left out (they belong to sessions of the source). Re-running after an interruption continues:
// a target that holds only nodes of the source with the source's data is a partial copy.
//
// Three things are not a create: ACLs that would stop our own creates under a node (a Kafka cluster
// with zookeeper.set.acl) are set after the tree is written; each parent's child-creation counter,
// the source of sequential names, is advanced to the source's (a create and delete of a scratch
// child per step), so the next config_change_ or isr_change_ gets the number it would have got on
// the source; and the root of the copy, which may exist, gets its data and ACL set.
import { type ACL, OPEN_ACL_UNSAFE, Perms } from "../../../core/api/acl.ts";
import { CreateMode } from "../../../core/api/create_mode.ts";
import type { KafkaMetastore } from "../../../core/api/metastore.ts";
import type { Request } from "../../../core/api/requests.ts";
import type { ExistsResponse, GetDataResponse, Response } from "../../../core/api/responses.ts";
import { codeName, ErrorCode } from "../../../core/errors.ts";
import { CliError } from "./context.ts";
import { count } from "./format.ts";
import { childCreations, isEphemeral, sameAcl, sameData } from "./node_kind.ts";
import { childPath, type Lanes, type NodeRecord, pipelined, readLevels, readTree } from "./tree_read.ts";

/** The scratch child that advances a parent's creation counter; removed at once, and by a re-run. */
export const COUNTER_CHILD = ".kmeta-migrate-counter";

export interface MigrateOptions {
  /** Sessions on the source and on the target; the first of each does what must stay in order. */
  from: readonly KafkaMetastore[];
  to: readonly KafkaMetastore[];
  /** The subtree to copy ("/" for all). */
  root: string;
  /** Paths left out with what is under them (ZooKeeper's own /zookeeper). */
  skip: (path: string) => boolean;
  dryRun: boolean;
  /** Copy into a target holding other nodes: they are deleted or overwritten. */
  force: boolean;
  onProgress(done: number, total: number): void;
  /** Told once, before writing, when the target is not empty but is a partial copy. */
  onResume?(present: number): void;
}

export interface MigrateReport {
  /** Source znodes read (ephemerals included). */
  read: number;
  created: number;
  dataSet: number;
  aclsSet: number;
  deleted: number;
  /** Parents whose creation counter was advanced, and by how many creations in all. */
  countersAdvanced: number;
  counterSteps: number;
  /** Already equal in the target (a resumed or repeated run). */
  unchanged: number;
  ephemerals: string[];
  resumed: boolean;
}

/** Grants `world:anyone` what we need to create and delete children under a node with this ACL. */
function openToUs(acl: readonly ACL[]): boolean {
  const need = Perms.Create | Perms.Delete;
  return acl.some((a) => a.id.scheme === "world" && a.id.id === "anyone" && (a.perms & need) === need);
}

function parentOf(path: string): string {
  const at = path.lastIndexOf("/");
  return at <= 0 ? "/" : path.slice(0, at);
}

const depth = (path: string) => (path === "/" ? 0 : path.split("/").length - 1);

async function expectOk(client: Lanes, requests: readonly Request[], what: string, tolerate: readonly number[] = []): Promise<Response[]> {
  const results = await pipelined(client, requests);
  results.forEach((r, i) => {
    if (r.resultCode !== ErrorCode.Ok && !tolerate.includes(r.resultCode)) throw new CliError(`cannot ${what} ${(requests[i] as { path: string }).path}: ${codeName(r.resultCode)}`);
  });
  return results;
}

/** Copies `options.root` of `from` into `to`. @throws {CliError} when the target is not ours to write, or a write fails. */
export async function migrate(options: MigrateOptions): Promise<MigrateReport> {
  const { from, root, skip, dryRun } = options;
  const to = options.to[0]!, lanes = options.to;
  const report: MigrateReport = { read: 0, created: 0, dataSet: 0, aclsSet: 0, deleted: 0, countersAdvanced: 0, counterSteps: 0, unchanged: 0, ephemerals: [], resumed: false };
  const targetRoot = (await to.handleRequest({ type: "getData", path: root })) as GetDataResponse;
  if (targetRoot.resultCode !== ErrorCode.Ok && targetRoot.resultCode !== ErrorCode.NoNode) throw new CliError(`cannot read the target's ${root}: ${codeName(targetRoot.resultCode)}`);
  const rootChildren = targetRoot.resultCode === ErrorCode.Ok && targetRoot.stat!.numChildren > 0
    ? (await to.handleRequest({ type: "getChildren", path: root, registerWatch: false })).children.filter((c) => !skip(childPath(root, c)))
    : [];

  // What the target holds already: nothing but (maybe) the root, or a tree to check first.
  let target = new Map<string, NodeRecord>();
  let levels: AsyncIterable<NodeRecord[]> | NodeRecord[][];
  if (rootChildren.length === 0) {
    if (targetRoot.resultCode === ErrorCode.Ok) target.set(root, { path: root, data: targetRoot.data, acl: [], stat: targetRoot.stat!, children: [] });
    levels = readLevels(from, root, skip);
  } else {
    const [source, present] = await Promise.all([readTree(from, root, skip), readTree(lanes, root, skip)]);
    target = present;
    const doomed = checkTarget(source, present, options.force);
    report.resumed = doomed.foreign === 0;
    if (report.resumed) options.onResume?.(present.size);
    if (!dryRun) report.deleted = await deleteDeepestFirst(to, doomed.paths);
    else report.deleted = doomed.paths.length;
    for (const p of doomed.paths) target.delete(p);
    levels = byLevel(source);
  }
  if (targetRoot.resultCode === ErrorCode.NoNode && root !== "/" && !dryRun) await createParents(to, parentOf(root));
  const rootAcl = target.has(root) ? ((await to.handleRequest({ type: "getAcl", path: root })).acl) : undefined;
  if (rootAcl) target.get(root)!.acl = rootAcl;

  const deferredAcls: { path: string; acl: ACL[] }[] = [];
  const counters: NodeRecord[] = [];
  /** Nodes this run created, with how many children it created under each: their creation counters. */
  const created = new Map<string, number>();
  let total = 1;
  let done = 0;
  const iterator = (Symbol.asyncIterator in levels ? levels : toAsync(levels))[Symbol.asyncIterator]();
  let next = iterator.next();
  while (true) {
    const step = await next;
    if (step.done) break;
    next = iterator.next(); // read the next level while this one is written
    next.catch(() => {}); // a failed write ends the loop first: its read's failure is not news
    const writes: Request[] = [];
    for (const node of step.value) {
      report.read++;
      total += node.children.length;
      if (isEphemeral(node.stat)) {
        report.ephemerals.push(node.path);
        continue;
      }
      // ZooKeeper masks digest hashes as "x" for a client without ADMIN on the node: copying that would lock users out.
      if (node.acl.some((a) => a.id.scheme === "digest" && a.id.id.endsWith(":x"))) {
        throw new CliError(`cannot copy the ACL of ${node.path}: the source hides its digest hashes from a client without ADMIN permission there`);
      }
      if (childCreations(node.stat) > 0) counters.push(node);
      const there = target.get(node.path);
      if (there) {
        if (!sameData(there.data, node.data)) {
          writes.push({ type: "setData", path: node.path, data: node.data, version: -1 });
          report.dataSet++;
        } else report.unchanged++;
        if (!sameAcl(there.acl, node.acl)) deferredAcls.push(node);
        continue;
      }
      const direct = openToUs(node.acl) || (node.children.length === 0 && childCreations(node.stat) === 0);
      writes.push({ type: "create", path: node.path, data: node.data, acl: direct ? node.acl : OPEN_ACL_UNSAFE, mode: CreateMode.Persistent });
      if (!direct) deferredAcls.push(node);
      report.created++;
      created.set(node.path, 0);
      const parent = parentOf(node.path);
      if (created.has(parent)) created.set(parent, created.get(parent)! + 1);
    }
    if (!dryRun) await expectOk(lanes, writes, "write");
    done += step.value.length;
    options.onProgress(done, Math.max(total, done));
  }
  if (!dryRun) await advanceCounters(to, counters, created, report);
  if (!dryRun) await expectOk(lanes, deferredAcls.map((n): Request => ({ type: "setAcl", path: n.path, acl: n.acl, version: -1 })), "set the ACL of");
  report.aclsSet = deferredAcls.length;
  return report;
}

async function* toAsync<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

function byLevel(nodes: ReadonlyMap<string, NodeRecord>): NodeRecord[][] {
  const levels: NodeRecord[][] = [];
  for (const n of nodes.values()) (levels[depth(n.path)] ??= []).push(n);
  return levels.filter((l) => l !== undefined);
}

/**
 * Which target nodes must go before the copy: those the source lacks (their children with them:
 * a child is in the source only if its parent is), ephemerals, and scratch counter children. @throws {CliError} when any but scratch
 * children would go, or a node's data differs, without --force: the target is not a partial copy.
 */
function checkTarget(source: ReadonlyMap<string, NodeRecord>, target: ReadonlyMap<string, NodeRecord>, force: boolean): { paths: string[]; foreign: number } {
  const paths: string[] = [];
  const foreign: string[] = [];
  for (const t of target.values()) {
    if (t.path.endsWith(`/${COUNTER_CHILD}`)) {
      paths.push(t.path);
      continue;
    }
    const s = source.get(t.path);
    if (!s || isEphemeral(s.stat) || isEphemeral(t.stat)) {
      paths.push(t.path);
      foreign.push(`${t.path} (${isEphemeral(t.stat) ? "an ephemeral" : "not in the source"})`);
    } else if (!sameData(s.data, t.data)) {
      foreign.push(`${t.path} (other data)`);
    }
  }
  if (foreign.length > 0 && !force) {
    throw new CliError(`the target is not empty and not a partial copy of the source: ${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ` and ${count(foreign.length - 3)} more` : ""}; --force replaces what is there`);
  }
  return { paths, foreign: foreign.length };
}

async function deleteDeepestFirst(client: KafkaMetastore, paths: readonly string[]): Promise<number> {
  const sorted = [...paths].sort((a, b) => depth(b) - depth(a));
  await expectOk(client, sorted.map((path): Request => ({ type: "delete", path, version: -1 })), "delete", [ErrorCode.NoNode]);
  return sorted.length;
}

async function createParents(client: KafkaMetastore, path: string): Promise<void> {
  if (path === "/") return;
  const parts = path.split("/").slice(1);
  const chain = parts.map((_, i) => `/${parts.slice(0, i + 1).join("/")}`);
  await expectOk(client, chain.map((p): Request => ({ type: "create", path: p, data: null, acl: OPEN_ACL_UNSAFE, mode: 0 })), "create", [ErrorCode.NodeExists]);
}

/** Advances each parent's child-creation counter in the target to the source's. */
async function advanceCounters(client: KafkaMetastore, parents: readonly NodeRecord[], created: ReadonlyMap<string, number>, report: MigrateReport): Promise<void> {
  const older = parents.filter((n) => !created.has(n.path));
  const stats = (await expectOk(client, older.map((n): Request => ({ type: "exists", path: n.path })), "read")) as ExistsResponse[];
  const counter = new Map(older.map((n, i) => [n.path, childCreations(stats[i]!.stat!)]));
  const steps: Request[] = [];
  parents.forEach((n) => {
    const missing = childCreations(n.stat) - (created.get(n.path) ?? counter.get(n.path)!);
    if (missing <= 0) return;
    report.countersAdvanced++;
    report.counterSteps += missing;
    const path = childPath(n.path, COUNTER_CHILD);
    for (let k = 0; k < missing; k++) steps.push({ type: "create", path, data: null, acl: OPEN_ACL_UNSAFE, mode: 0 }, { type: "delete", path, version: -1 });
  });
  await expectOk(client, steps, "advance the sequence counter of");
}
