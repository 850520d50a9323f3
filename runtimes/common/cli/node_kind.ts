// What kind of znode a stat describes, as far as ZooKeeper's stat tells: ephemeralOwner is a
// session for ephemerals, a marker for containers (0x8000000000000000) and TTL nodes (0xFF in the
// top byte, the TTL below), 0 for plain persistent nodes. A sequential node is a name, not a kind.
import type { ACL } from "../../../core/api/acl.ts";
import { CONTAINER_EPHEMERAL_OWNER, CreateMode } from "../../../core/api/create_mode.ts";
import type { Stat } from "../../../core/api/stat.ts";
import { aclString } from "./format.ts";

export type NodeKind = "persistent" | "ephemeral" | "container" | "ttl";

export function kindOf(stat: Stat): NodeKind {
  const owner = stat.ephemeralOwner;
  if (owner === 0n) return "persistent";
  if (owner === CONTAINER_EPHEMERAL_OWNER) return "container";
  if (BigInt.asUintN(64, owner) >> 56n === 0xffn) return "ttl";
  return "ephemeral";
}

/** How to create a node like this one again (ephemerals are never re-created). */
export function createModeOf(stat: Stat): { mode: CreateMode; ttlMs?: number } {
  switch (kindOf(stat)) {
    case "container":
      return { mode: CreateMode.Container };
    case "ttl":
      return { mode: CreateMode.PersistentWithTtl, ttlMs: Number(BigInt.asUintN(64, stat.ephemeralOwner) & ((1n << 56n) - 1n)) };
    default:
      return { mode: CreateMode.Persistent };
  }
}

/** Child creations so far: ZooKeeper's next sequential suffix (cversion = 2 x creations - children). */
export function childCreations(stat: Stat): number {
  return (stat.cversion + stat.numChildren) / 2;
}

export function sameData(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function sameAcl(a: readonly ACL[], b: readonly ACL[]): boolean {
  return a.map(aclString).join(",") === b.map(aclString).join(",");
}
