// Many znodes at one depth read with up to three ranges instead of up to three ops per path: their
// node keys, their children keys (for wants past "node"), each one range from the smallest requested
// path to the largest (keys at one depth sort as their paths do), and for child counts the node keys
// of every child of a path sharing their common prefix. Kafka reads this way: every partition state
// of a fail-over, every topic znode, every broker; and a burst of creates reads its targets and their
// parents so. Paths at one depth are ranged per parent, and those alone under their parent per
// grandparent: the states of topics t1 and t2 are two exact ranges, where one from t1's to t2's would
// cross every state of t10..t19 (bytes sort "t10" before "t2"). A range that would return far more
// keys than were asked for stops at its limit, and the caller reads those paths one by one.
import type { KeyValue, RangeResponse, RequestOp, ResponseOp } from "./api.ts";
import { compareKeyPath, depthOf, keyAfter, type KeyLayout, prefixEnd } from "./keys.ts";
import { parentOf } from "../api/path.ts";
import { type LoadedPath, OPS_PER_PATH, opsFor, type ReadWant, widest } from "./snapshot.ts";

/** Paths at one depth worth ranges: fewer are cheaper read one by one. */
export const MIN_COALESCED = 8;
/** Paths under one parent (or grandparent) worth ranges of their own; the others share ranges. */
const MIN_RUN = 2;

/** A read whose paths do not fit one Txn unless its ranges do, and they stopped at their limits. */
export class ReadTooWide extends Error {
  override name = "ReadTooWide";
}

/** How a set of paths is read: depth groups as ranges, the rest path by path. */
export interface ReadLayout {
  /** Sorted paths per depth, read as ranges. */
  ranges: string[][];
  /** Read one by one. */
  single: Map<string, ReadWant>;
}

export function layoutOf(paths: ReadonlyMap<string, ReadWant>): ReadLayout {
  const byDepth = new Map<number, string[]>();
  const single = new Map<string, ReadWant>();
  for (const [path, want] of paths) {
    if (want === "names") {
      single.set(path, want);
      continue;
    }
    const d = depthOf(path);
    const list = byDepth.get(d);
    if (list) list.push(path);
    else byDepth.set(d, [path]);
  }
  const ranges: string[][] = [];
  for (const list of byDepth.values()) {
    if (list.length < MIN_COALESCED) {
      for (const path of list) single.set(path, paths.get(path)!);
      continue;
    }
    const { runs, rest } = runsOf(list);
    ranges.push(...runs);
    if (rest.length >= MIN_COALESCED) ranges.push(rest.sort());
    else for (const path of rest) single.set(path, paths.get(path)!);
  }
  return { ranges, single };
}

/**
 * `paths` in runs, each sorted, of MIN_RUN or more: those under one parent, and those alone under
 * their parent per grandparent (both at one depth); `rest`, the others. Sorted as strings: keys
 * encode each UTF-16 unit on its own (writeJavaUtf8) and paths hold no surrogates, so their bytes
 * sort as the paths do.
 */
export function runsOf(paths: Iterable<string>): { runs: string[][]; rest: string[] } {
  const byParent = new Map<string, string[]>();
  for (const path of paths) {
    const parent = parentOf(path);
    const run = byParent.get(parent);
    if (run) run.push(path);
    else byParent.set(parent, [path]);
  }
  const runs: string[][] = [];
  const cousins = new Map<string, string[]>();
  for (const run of byParent.values()) {
    if (run.length >= MIN_RUN) runs.push(run.sort());
    else {
      const grandparent = grandparentOf(run[0]!);
      const list = cousins.get(grandparent);
      if (list) list.push(run[0]!);
      else cousins.set(grandparent, [run[0]!]);
    }
  }
  const rest: string[] = [];
  for (const run of cousins.values()) {
    if (run.length >= MIN_RUN) runs.push(run.sort());
    else rest.push(run[0]!);
  }
  return { runs, rest };
}

/** `layout` with `runs` (some of its ranges) read path by path instead. */
export function apart(layout: ReadLayout, runs: readonly string[][], wants: ReadonlyMap<string, ReadWant>): ReadLayout {
  const single = new Map(layout.single);
  for (const run of runs) for (const path of run) single.set(path, wants.get(path)!);
  return { ranges: layout.ranges.filter((run) => !runs.includes(run)), single };
}

/** What a run is remembered by: its depth, and the parent of its paths, or their grandparent when their parents differ. */
export function anchorOf(run: readonly string[]): string {
  const parent = parentOf(run[0]!);
  return `${depthOf(run[0]!)} ${parent === parentOf(run[run.length - 1]!) ? parent : grandparentOf(run[0]!)}`;
}

function grandparentOf(path: string): string {
  return depthOf(path) < 2 ? "" : parentOf(parentOf(path));
}

/** Requested paths (never "names") under one parent or grandparent: how many, and what for. */
class Bucket {
  paths = 0;
  /** Their ops read one by one. */
  ops = 0;
  /** Those read for more than their node key, and those for their child count. */
  counters = 0;
  counts = 0;

  add(from: { paths: number; ops: number; counters: number; counts: number }, by: number): void {
    this.paths += by * from.paths;
    this.ops += by * from.ops;
    this.counters += by * from.counters;
    this.counts += by * from.counts;
  }

  /** Range ops reading these paths as one run. */
  get rangeOps(): number {
    return 1 + (this.counters > 0 ? 1 : 0) + (this.counts > 0 ? 1 : 0);
  }
}

/**
 * Range ops of the paths at one depth, by layoutOf's rule, and their children keys' compares, by
 * plan.ts's (one per path read for its counter, one per run for the child counts), kept as paths
 * come and go.
 */
class DepthCost {
  /** Every path here. */
  readonly all = new Bucket();
  readonly #byParent = new Map<string, Bucket>();
  /** Paths alone under their parent, per grandparent. */
  readonly #cousins = new Map<string, Bucket>();
  /** Range ops of the runs (parents and grandparents with MIN_RUN paths or more), and their compares for child counts. */
  #runOps = 0;
  #runGuards = 0;
  /** Paths alone under their grandparent too. */
  readonly #rest = new Bucket();

  get rangedOps(): number {
    if (this.all.paths < MIN_COALESCED) return this.all.ops;
    return this.#runOps + (this.#rest.paths >= MIN_COALESCED ? this.#rest.rangeOps : this.#rest.ops);
  }

  get guards(): number {
    return this.all.counters - this.all.counts + this.#runGuards + this.#rest.counts;
  }

  shift(path: string, want: ReadWant, by: number): void {
    const one = { paths: 1, ops: opsFor(want), counters: want === "node" ? 0 : 1, counts: want === "count" ? 1 : 0 };
    const parent = parentOf(path);
    let siblings = this.#byParent.get(parent);
    if (!siblings) this.#byParent.set(parent, siblings = new Bucket());
    const grandparent = depthOf(path) < 2 ? "" : parentOf(parent);
    this.#place(siblings, grandparent, -1);
    siblings.add(one, by);
    this.#place(siblings, grandparent, 1);
    if (siblings.paths === 0) this.#byParent.delete(parent);
    this.all.add(one, by);
  }

  /** Counts a parent's paths in (by 1) or out (by -1): a run of their own, or a cousin. */
  #place(siblings: Bucket, grandparent: string, by: number): void {
    if (siblings.paths >= MIN_RUN) this.#run(siblings, by);
    else if (siblings.paths === 1) {
      let cousins = this.#cousins.get(grandparent);
      if (!cousins) this.#cousins.set(grandparent, cousins = new Bucket());
      this.#count(cousins, -1);
      cousins.add(siblings, by);
      this.#count(cousins, 1);
      if (cousins.paths === 0) this.#cousins.delete(grandparent);
    }
  }

  #count(cousins: Bucket, by: number): void {
    if (cousins.paths >= MIN_RUN) this.#run(cousins, by);
    else if (cousins.paths === 1) this.#rest.add(cousins, by);
  }

  #run(run: Bucket, by: number): void {
    this.#runOps += by * run.rangeOps;
    if (run.counts > 0) this.#runGuards += by;
  }
}

/** The paths of a read under way and the range ops layoutOf will need for them, kept as they grow. */
export class ReadCost {
  readonly paths: Map<string, ReadWant> = new Map();
  readonly #perDepth = new Map<number, DepthCost>();
  #single = 0;

  /** Range ops for the paths so far. */
  get ops(): number {
    let n = this.#single;
    for (const d of this.#perDepth.values()) n += d.rangedOps;
    return n;
  }

  /** Reads `path` for `want` too if the ops stay within `maxOps`; false (and unchanged) if not. */
  tryAdd(path: string, want: ReadWant, maxOps: number): boolean {
    const old = this.paths.get(path);
    this.add(path, want);
    if (this.ops <= maxOps) return true;
    this.set(path, old);
    return false;
  }

  /** Compares of node keys, and of the children keys of paths read for their names. */
  #compares = 0;

  /** Compares guarding a plan over the paths so far (plan.ts), when its children keys may be guarded as ranges. */
  get compares(): number {
    let n = this.#compares;
    for (const d of this.#perDepth.values()) n += d.guards;
    return n;
  }

  add(path: string, want: ReadWant): void {
    this.set(path, widest(this.paths.get(path), want));
  }

  /** Reads `path` for `want`, or not at all (undefined): how a caller undoes its own adds. */
  set(path: string, want: ReadWant | undefined): void {
    const old = this.paths.get(path);
    if (old === want) return;
    this.#shift(path, old, -1);
    this.#shift(path, want, 1);
    if (want === undefined) this.paths.delete(path);
    else this.paths.set(path, want);
  }

  #shift(path: string, want: ReadWant | undefined, by: number): void {
    if (want === undefined) return;
    this.#compares += by * (want === "names" ? 2 : 1);
    if (want === "names") {
      this.#single += by * OPS_PER_PATH;
      return;
    }
    const d = depthOf(path);
    let at = this.#perDepth.get(d);
    if (!at) this.#perDepth.set(d, at = new DepthCost());
    at.shift(path, want, by);
  }
}

/** What the ranges of `paths` read: node keys (1), children keys too (2), child counts too (3). */
export function rangeOpCount(paths: readonly string[], wants: ReadonlyMap<string, ReadWant>): number {
  let n = 1;
  for (const path of paths) {
    const want = wants.get(path);
    if (want === "count") return 3;
    if (want === "counter") n = 2;
  }
  return n;
}

/** The ranges reading `paths` (one depth, sorted) for their `wants`. */
export function rangeOps(keys: KeyLayout, paths: readonly string[], wants: ReadonlyMap<string, ReadWant>): RequestOp[] {
  const first = paths[0]!;
  const last = paths[paths.length - 1]!;
  const k = BigInt(paths.length);
  const n = rangeOpCount(paths, wants);
  const ops: RequestOp[] = [{ range: { key: keys.node(first), rangeEnd: keyAfter(keys.node(last)), limit: 2n * k + 64n } }];
  if (n > 1) ops.push({ range: { key: keys.children(first), rangeEnd: keyAfter(keys.children(last)), limit: 4n * k + 64n } });
  if (n > 2) {
    // Every child key of a path between `first` and `last` starts with their common prefix; the keys
    // between `first/` and `last/` alone would miss some ("/t/a/p" sorts after "/t/a-b/").
    const kidsPrefix = commonPrefix(keys.childRange(first).key, keys.childRange(last).key);
    ops.push({ range: { key: kidsPrefix, rangeEnd: prefixEnd(kidsPrefix), keysOnly: true, limit: 4n * k + 64n } });
  }
  return ops;
}

function commonPrefix(a: Uint8Array, b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}

function rangeOf(op: ResponseOp | undefined): RangeResponse {
  if (!op || !("range" in op)) throw new Error("etcd answered a Range with another response type");
  return op.range;
}

/**
 * Parses the `rangeOps` answer at `at` for `paths` (sorted), each as read for its want in `wants`,
 * into `out`; false, leaving `out` as it was, when a range stopped at its limit. Keys are matched to
 * the paths in byte order (both sort alike: runsOf), not decoded.
 */
export function parseRanges(keys: KeyLayout, paths: readonly string[], wants: ReadonlyMap<string, ReadWant>, responses: readonly ResponseOp[], at: number, out: Map<string, LoadedPath>): boolean {
  const n = rangeOpCount(paths, wants);
  const nodes = rangeOf(responses[at]);
  const counters = n > 1 ? rangeOf(responses[at + 1]) : undefined;
  const kids = n > 2 ? rangeOf(responses[at + 2]) : undefined;
  if (nodes.more || counters?.more || kids?.more) return false;
  const node = matchSorted(nodes.kvs, keys.nodePathAt, paths);
  const children = counters && matchSorted(counters.kvs, keys.childrenPathAt, paths);
  const counts = kids && countPerParent(kids.kvs, keys.nodePathAt, paths);
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i]!;
    const want = wants.get(path)!;
    out.set(path, {
      want,
      node: node[i],
      children: want === "node" ? undefined : children?.[i],
      childCount: want === "count" ? counts?.[i] ?? 0 : 0,
      names: undefined,
    });
  }
  return true;
}

/** The key of each of `paths` (sorted) among `kvs` (sorted; each key's path starts at `at`), if there. */
function matchSorted(kvs: readonly KeyValue[], at: number, paths: readonly string[]): (KeyValue | undefined)[] {
  const found = new Array<KeyValue | undefined>(paths.length).fill(undefined);
  let j = 0;
  for (const kv of kvs) {
    let c = 1;
    while (j < paths.length && (c = compareKeyPath(kv.key, at, kv.key.length, paths[j]!)) > 0) j++;
    if (j === paths.length) break;
    if (c === 0) found[j++] = kv;
  }
  return found;
}

/**
 * How many of `kids` (node keys one level below `paths`, the path from `at`) each of `paths`
 * (sorted) has. Found by binary search: kids need not sort as their parents do ("/a/x" after "/a-b/x").
 */
function countPerParent(kids: readonly KeyValue[], at: number, paths: readonly string[]): number[] {
  const counts = new Array<number>(paths.length).fill(0);
  for (const { key } of kids) {
    let slash = key.length - 1;
    while (slash > at && key[slash] !== 0x2f) slash--;
    // A child of the root keeps its parent's one "/".
    const end = slash === at ? at + 1 : slash;
    let lo = 0;
    let hi = paths.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareKeyPath(key, at, end, paths[mid]!);
      if (c === 0) {
        counts[mid]!++;
        break;
      }
      if (c > 0) lo = mid + 1;
      else hi = mid;
    }
  }
  return counts;
}
