// Reading znodes from etcd: three Range ops per path (node key, children key, children range), all
// in one Txn so they share one revision, plus the namespace's write marker.
import type { KeyValue, RangeResponse, RequestOp, ResponseOp } from "./api.ts";
import type { KeyLayout } from "./keys.ts";
import type { ZNode } from "../tree/node.ts";
import { decodeNode, NodeFlag, placeholderChildren, znodeOf } from "./codec.ts";

/** What one Txn read of a path found. */
export interface LoadedPath {
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
  paths: Map<string, LoadedPath>;
}

/** Range ops per path read. */
export const OPS_PER_PATH = 3;

/** The ops reading `path`: with names when `names`, else the child count only. */
export function readOps(keys: KeyLayout, path: string, names: boolean): RequestOp[] {
  const range = keys.childRange(path);
  return [
    { range: { key: keys.node(path) } },
    { range: { key: keys.children(path) } },
    { range: { key: range.key, rangeEnd: range.rangeEnd, ...(names ? { keysOnly: true } : { countOnly: true }) } },
  ];
}

export function markerOp(keys: KeyLayout): RequestOp {
  return { range: { key: keys.marker(), keysOnly: true } };
}

function rangeOf(op: ResponseOp | undefined): RangeResponse {
  if (!op || !("range" in op)) throw new Error("etcd answered a Range with another response type");
  return op.range;
}

/** Parses the `readOps` answer at `at`. */
export function parseRead(keys: KeyLayout, responses: readonly ResponseOp[], at: number, names: boolean): LoadedPath {
  const node = rangeOf(responses[at]).kvs[0];
  const children = rangeOf(responses[at + 1]).kvs[0];
  const list = rangeOf(responses[at + 2]);
  return {
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
  const children = loaded.names ? new Set(loaded.names) : placeholderChildren(loaded.childCount);
  return znodeOf(loaded.node, loaded.children, children);
}

/** True for ZooKeeper's built-in nodes, whose czxid stays 0. */
export function isSystem(loaded: LoadedPath | undefined): boolean {
  return loaded?.node !== undefined && (decodeNode(loaded.node.value).flags & NodeFlag.System) !== 0;
}
