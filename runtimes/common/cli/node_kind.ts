// What migrate and diff compare znodes by. A stat tells ephemerals apart (ephemeralOwner is their
// session) but not containers or TTL nodes: ZooKeeper reports ephemeralOwner 0 for them, as for any
// persistent node, so no client can see them (checked against ZooKeeper 3.8). A sequential node is
// a name: its parent's creation counter, below, is what makes the next name.
import type { ACL } from "../../../core/api/acl.ts";
import type { Stat } from "../../../core/api/stat.ts";
import { aclString } from "./format.ts";

export function isEphemeral(stat: Stat): boolean {
  return stat.ephemeralOwner !== 0n;
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
