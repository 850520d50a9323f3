// ZooKeeper's fixupACL: which ACL lists a create or setACL accepts, and what `auth` expands to.
import { type ACL, type Id, Perms } from "../api/acl.ts";

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;

function validIp(id: string): boolean {
  const m = IPV4.exec(id);
  if (m === null) return /^[0-9a-fA-F:]+(?:\/\d{1,3})?$/.test(id) && id.includes(":");
  const octetsOk = m.slice(1, 5).every((o) => Number(o) <= 255);
  return octetsOk && (m[5] === undefined || Number(m[5]) <= 32);
}

/**
 * The ACL ZooKeeper would store, or undefined when it answers InvalidAcl: an empty list, an unknown
 * scheme, a malformed id, or `auth` with no authenticated ids. Duplicates are removed as ZooKeeper does.
 */
export function fixupAcl(acl: readonly ACL[], authIds: readonly Id[]): ACL[] | undefined {
  if (acl.length === 0) return undefined;
  const out: ACL[] = [];
  const add = (entry: ACL) => {
    const same = (a: ACL) => a.perms === entry.perms && a.id.scheme === entry.id.scheme && a.id.id === entry.id.id;
    if (!out.some(same)) out.push({ perms: entry.perms, id: { scheme: entry.id.scheme, id: entry.id.id } });
  };
  for (const entry of acl) {
    const { scheme, id } = entry.id;
    if (scheme === "world" && id === "anyone") add(entry);
    else if (scheme === "auth") {
      const ids = authIds.filter((a) => a.scheme !== "world" && a.scheme !== "ip");
      if (ids.length === 0) return undefined;
      for (const a of ids) add({ perms: entry.perms, id: a });
    } else if (scheme === "digest" && id.includes(":")) add(entry);
    else if (scheme === "ip" && validIp(id)) add(entry);
    else return undefined;
  }
  return out;
}

/**
 * Whether `authIds` may do `perm` (any of its bits) on a node with `acl`, as ZooKeeper's checkACL:
 * a super id may do anything, world:anyone matches everyone, an ip entry matches the addresses of
 * its IPv4 network, other entries match an authenticated id exactly.
 */
export function permitted(acl: readonly ACL[], perm: number, authIds: readonly Id[]): boolean {
  if (perm === 0 || authIds.some((a) => a.scheme === "super")) return true;
  return acl.some((entry) =>
    (entry.perms & perm) !== 0 &&
    ((entry.id.scheme === "world" && entry.id.id === "anyone") ||
      authIds.some((a) =>
        a.scheme === entry.id.scheme && (a.scheme === "ip" ? ipMatches(a.id, entry.id.id) : a.id === entry.id.id)
      ))
  );
}

/** IPAuthenticationProvider.matches of 3.8: IPv4 only, `addr` or `addr/bits`. */
function ipMatches(address: string, expression: string): boolean {
  const [net, bitsText] = expression.split("/", 2) as [string, string | undefined];
  const netBytes = ipv4Bytes(net);
  const addrBytes = ipv4Bytes(address);
  if (netBytes === undefined || addrBytes === undefined) return false;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32 || (bitsText !== undefined && !/^\d+$/.test(bitsText))) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((netBytes & mask) >>> 0) === ((addrBytes & mask) >>> 0);
}

function ipv4Bytes(text: string): number | undefined {
  const m = IPV4.exec(text);
  if (m === null || m[5] !== undefined) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
}

/** What a read needs, as ZooKeeper 3.8 checks it: exists nothing, getACL READ or ADMIN. */
export function readPermission(type: "exists" | "getData" | "getChildren" | "getAcl"): number {
  switch (type) {
    case "exists":
      return 0;
    case "getAcl":
      return Perms.Read | Perms.Admin;
    default:
      return Perms.Read;
  }
}
