// A znode as ZooKeeper's DataTree keeps it (StatPersisted plus data, ACL and children).
import type { ACL } from "../api/acl.ts";
import type { Stat } from "../api/stat.ts";
import { CONTAINER_EPHEMERAL_OWNER } from "../api/create_mode.ts";

export interface ZNode {
  data: Uint8Array | null;
  acl: ACL[];
  czxid: bigint;
  mzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  /** Child creations only (ZooKeeper's persisted cversion); the reported cversion is derived. */
  childCreations: number;
  aversion: number;
  ephemeralOwner: bigint;
  pzxid: bigint;
  children: Set<string>;
  /**
   * The table size of ZooKeeper's HashSet of these children, which orders them in replies: it grows
   * with the most children held at once and never shrinks. Absent: what the current children need.
   */
  childCapacity?: number;
  /** TTL nodes: milliseconds without change after which an empty node is removed. */
  ttlMs?: number;
}

/**
 * A node as a client sees it: ZooKeeper reports cversion as 2 x creations - live children, and
 * ephemeralOwner 0 for containers and TTL nodes (their type marker stays server-side: DataNode.copyStat).
 */
export function statOf(node: ZNode): Stat {
  const numChildren = node.children.size;
  return {
    czxid: node.czxid,
    mzxid: node.mzxid,
    ctime: node.ctime,
    mtime: node.mtime,
    version: node.version,
    cversion: (Math.imul(node.childCreations, 2) - numChildren) | 0,
    aversion: node.aversion,
    ephemeralOwner: node.ephemeralOwner === CONTAINER_EPHEMERAL_OWNER || node.ttlMs !== undefined ? 0n : node.ephemeralOwner,
    dataLength: node.data === null ? 0 : node.data.length,
    numChildren,
    pzxid: node.pzxid,
  };
}

/** A children set that copies itself: a store's stand-in for names it did not read (etcd counts them). */
export interface CopyableChildren extends Set<string> {
  copy(): Set<string>;
}

function copyChildren(children: Set<string>): Set<string> {
  const own = (children as Partial<CopyableChildren>).copy;
  return typeof own === "function" ? own.call(children) : new Set(children);
}

/** A copy that a transaction may change without touching the committed tree. */
export function cloneNode(node: ZNode): ZNode {
  return { ...node, children: copyChildren(node.children) };
}

/** An empty node with all counters at zero, as ZooKeeper's built-in nodes are. */
export function systemNode(acl: ACL[]): ZNode {
  return {
    data: new Uint8Array(0),
    acl,
    czxid: 0n,
    mzxid: 0n,
    ctime: 0n,
    mtime: 0n,
    version: 0,
    childCreations: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    pzxid: 0n,
    children: new Set(),
  };
}
