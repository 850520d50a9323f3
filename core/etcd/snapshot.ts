// Reading znodes from etcd: up to three Range ops per path (node key, children key, children range),
// all in one Txn so they share one revision, plus the namespace's write marker.
import type { KeyValue, RangeResponse, RequestOp, ResponseOp } from "./api.ts";
import type { KeyLayout } from "./keys.ts";
import type { ZNode } from "../tree/node.ts";
import { CountedChildren, decodeNode, NodeFlag, znodeOf } from "./codec.ts";

/**
 * What a path is read for: `node`, whether it exists (the node key alone: a create's target);
 * `counter`, the znode without its child count (node and children keys: a create's parent, whose
 * cversion and pzxid change, but whose numChildren no reply of a create shows); `count`, the whole
 * znode with its child count; `names`, with its children's names too.
 */
export type ReadWant = "node" | "counter" | "count" | "names";

const RANK: Record<ReadWant, number> = { node: 0, counter: 1, count: 2, names: 3 };

/** The read that serves both wants. */
export function widest(a: ReadWant | undefined, b: ReadWant): ReadWant {
  return a !== undefined && RANK[a] >= RANK[b] ? a : b;
}

/** Whether a read for `read` serves `want`. */
export function serves(read: ReadWant, want: ReadWant): boolean {
  return RANK[read] >= RANK[want];
}

/** What one Txn read of a path found. */
export interface LoadedPath {
  /** `node`: only `node` was read; `node` and `counter`: the child count is unknown (0 here). */
  want: ReadWant;
  node: KeyValue | undefined;
  children: KeyValue | undefined;
  childCount: number;
  /** Child names, when they were asked for. */
  names: string[] | undefined;
}

/** Paths read at one revision. */
export interface Snapshot {
  revision: bigint;
  /** mod_revision of the write marker: the namespace's last write at or before `revision`. */
  marker: bigint;
  /**
   * The revision of its oldest read (`revision` for one read; less for paths known from earlier
   * reads and predicted writes): a key unchanged since is as known (plan.ts guards ranges so).
   */
  readAt: bigint;
  paths: Map<string, LoadedPath>;
}

/** Range ops of the widest read of a path. */
export const OPS_PER_PATH = 3;

/** Range ops reading a path for `want`. */
export function opsFor(want: ReadWant): number {
  return want === "node" ? 1 : want === "counter" ? 2 : OPS_PER_PATH;
}

/** The ops reading `path` for `want`. */
export function readOps(keys: KeyLayout, path: string, want: ReadWant): RequestOp[] {
  if (want === "node") return [{ range: { key: keys.node(path) } }];
  if (want === "counter") return [{ range: { key: keys.node(path) } }, { range: { key: keys.children(path) } }];
  const range = keys.childRange(path);
  return [
    { range: { key: keys.node(path) } },
    { range: { key: keys.children(path) } },
    { range: { key: range.key, rangeEnd: range.rangeEnd, ...(want === "names" ? { keysOnly: true } : { countOnly: true }) } },
  ];
}

/** The ops reading every path of `paths`, in its order. */
export function readAllOps(keys: KeyLayout, paths: ReadonlyMap<string, ReadWant>): RequestOp[] {
  return [...paths].flatMap(([path, want]) => readOps(keys, path, want));
}

/** Parses the `readAllOps` answer starting at `at`. */
export function parseAll(keys: KeyLayout, paths: ReadonlyMap<string, ReadWant>, responses: readonly ResponseOp[], at: number): Map<string, LoadedPath> {
  const out = new Map<string, LoadedPath>();
  for (const [path, want] of paths) {
    out.set(path, parseRead(keys, responses, at, want));
    at += opsFor(want);
  }
  return out;
}

export function markerOp(keys: KeyLayout): RequestOp {
  return { range: { key: keys.marker(), keysOnly: true } };
}

function rangeOf(op: ResponseOp | undefined): RangeResponse {
  if (!op || !("range" in op)) throw new Error("etcd answered a Range with another response type");
  return op.range;
}

/** Parses the `readOps` answer at `at`. */
export function parseRead(keys: KeyLayout, responses: readonly ResponseOp[], at: number, want: ReadWant): LoadedPath {
  const node = rangeOf(responses[at]).kvs[0];
  if (want === "node") return { want, node, children: undefined, childCount: 0, names: undefined };
  const children = rangeOf(responses[at + 1]).kvs[0];
  if (want === "counter") return { want, node, children, childCount: 0, names: undefined };
  const list = rangeOf(responses[at + 2]);
  const names = want === "names";
  return {
    want,
    node,
    children,
    childCount: names ? list.kvs.length : Number(list.count),
    names: names ? list.kvs.map((kv) => keys.childName(kv.key)) : undefined,
  };
}

export function parseMarker(response: ResponseOp | undefined): bigint {
  return rangeOf(response).kvs[0]?.modRevision ?? 0n;
}

/** The znode a read found, or undefined when there is none. */
export function znodeOfLoaded(loaded: LoadedPath): ZNode | undefined {
  if (!loaded.node) return undefined;
  const children = loaded.names ? new Set(loaded.names) : new CountedChildren(loaded.childCount);
  return znodeOf(loaded.node, loaded.children, children);
}

/** True for ZooKeeper's built-in nodes, whose czxid stays 0. */
export function isSystem(loaded: LoadedPath | undefined): boolean {
  return loaded?.node !== undefined && (decodeNode(loaded.node.value).flags & NodeFlag.System) !== 0;
}
