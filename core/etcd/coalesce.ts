// Many znodes at one depth read with three ranges instead of three ops per path: their node keys
// and their children keys, each one range from the smallest requested path to the largest (keys at
// one depth sort as their paths do), and the node keys of every child of a path sharing their
// common prefix. Kafka reads this way: every partition state of a fail-over, every topic znode,
// every broker; and a burst of creates reads its targets so (their node keys alone matter). A range that would return far
// more keys than were asked for stops at its limit, and the caller reads those paths one by one.
import type { KeyValue, RangeResponse, RequestOp, ResponseOp } from "./api.ts";
import { depthOf, type KeyLayout, prefixEnd } from "./keys.ts";
import { encodeJavaUtf8 } from "../zk/utf8.ts";
import { parentOf } from "../api/path.ts";
import { type LoadedPath, OPS_PER_PATH, opsFor, type ReadWant, widest } from "./snapshot.ts";

/** Paths at one depth worth ranges: fewer are cheaper read one by one. */
export const MIN_COALESCED = 8;
/** Ops of one coalesced read. */
export const RANGE_OPS = 3;

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
    if (list.length < MIN_COALESCED) for (const path of list) single.set(path, paths.get(path)!);
    else ranges.push(list.sort(byBytes));
  }
  return { ranges, single };
}

/** The paths of a read under way and the range ops layoutOf will need for them, kept as they grow. */
export class ReadCost {
  readonly paths: Map<string, ReadWant> = new Map();
  /** Per depth: the paths read there and their ops one by one. */
  readonly #perDepth = new Map<number, { paths: number; ops: number }>();
  #single = 0;

  /** Range ops for the paths so far. */
  get ops(): number {
    let n = this.#single;
    for (const d of this.#perDepth.values()) n += d.paths >= MIN_COALESCED ? RANGE_OPS : d.ops;
    return n;
  }

  /** Range ops if `path` were read for `want` too. */
  opsWith(path: string, want: ReadWant): number {
    this.add(path, want);
    const n = this.ops;
    this.#undo();
    return n;
  }

  #last: (() => void) | undefined;
  #compares = 0;

  /** Compares guarding a plan over the paths so far: a create's target 1, others 2 (plan.ts). */
  get compares(): number {
    return this.#compares;
  }

  add(path: string, want: ReadWant): void {
    const old = this.paths.get(path);
    this.set(path, widest(old, want));
    this.#last = () => this.set(path, old);
  }

  /** Reads `path` for `want`, or not at all (undefined): how a caller undoes its own adds. */
  set(path: string, want: ReadWant | undefined): void {
    const old = this.paths.get(path);
    this.#shift(path, old, -1);
    this.#shift(path, want, 1);
    if (want === undefined) this.paths.delete(path);
    else this.paths.set(path, want);
  }

  #undo(): void {
    this.#last?.();
    this.#last = undefined;
  }

  #shift(path: string, want: ReadWant | undefined, by: number): void {
    if (want === undefined) return;
    this.#compares += by * (want === "node" ? 1 : 2);
    if (want === "names") {
      this.#single += by * OPS_PER_PATH;
      return;
    }
    const d = depthOf(path);
    const at = this.#perDepth.get(d) ?? { paths: 0, ops: 0 };
    this.#perDepth.set(d, { paths: at.paths + by, ops: at.ops + by * opsFor(want) });
  }
}

// Paths compared as their keys' bytes (JS string order differs past the BMP).
function byBytes(a: string, b: string): number {
  const x = encodeJavaUtf8(a);
  const y = encodeJavaUtf8(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** The smallest key after `key`: an end that includes `key`. */
function after(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}

/** The three ranges reading `paths` (one depth, sorted). */
export function rangeOps(keys: KeyLayout, paths: readonly string[]): RequestOp[] {
  const first = paths[0]!;
  const last = paths[paths.length - 1]!;
  const k = BigInt(paths.length);
  const kidsPrefix = commonPrefix(keys.childRange(first).key, keys.childRange(last).key);
  return [
    { range: { key: keys.node(first), rangeEnd: after(keys.node(last)), limit: 2n * k + 64n } },
    { range: { key: keys.children(first), rangeEnd: after(keys.children(last)), limit: 4n * k + 64n } },
    // Every child key of a path between `first` and `last` starts with their common prefix; the keys
    // between `first/` and `last/` alone would miss some ("/t/a/p" sorts after "/t/a-b/").
    { range: { key: kidsPrefix, rangeEnd: prefixEnd(kidsPrefix), keysOnly: true, limit: 4n * k + 64n } },
  ];
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
 * Parses the `rangeOps` answer at `at` for `paths`, each as read for its want in `wants`, or
 * undefined when a range stopped at its limit.
 */
export function parseRanges(keys: KeyLayout, paths: readonly string[], wants: ReadonlyMap<string, ReadWant>, responses: readonly ResponseOp[], at: number): Map<string, LoadedPath> | undefined {
  const [nodes, counters, kids] = [0, 1, 2].map((i) => rangeOf(responses[at + i]));
  if (nodes!.more || counters!.more || kids!.more) return undefined;
  const byPath = (kvs: KeyValue[], kind: "node" | "children") => {
    const out = new Map<string, KeyValue>();
    for (const kv of kvs) {
      const parsed = keys.parse(kv.key);
      if (parsed.kind === kind) out.set(parsed.path, kv);
    }
    return out;
  };
  const node = byPath(nodes!.kvs, "node");
  const children = byPath(counters!.kvs, "children");
  const counts = new Map<string, number>();
  for (const kv of kids!.kvs) {
    const parsed = keys.parse(kv.key);
    if (parsed.kind !== "node") continue;
    const parent = parentOf(parsed.path);
    counts.set(parent, (counts.get(parent) ?? 0) + 1);
  }
  const out = new Map<string, LoadedPath>();
  for (const path of paths) {
    if (wants.get(path) === "node") {
      out.set(path, { want: "node", node: node.get(path), children: undefined, childCount: 0, names: undefined });
      continue;
    }
    out.set(path, {
      want: "count",
      node: node.get(path),
      children: children.get(path),
      childCount: counts.get(path) ?? 0,
      names: undefined,
    });
  }
  return out;
}
