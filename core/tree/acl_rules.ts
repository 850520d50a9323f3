// ZooKeeper's fixupACL: which ACL lists a create or setACL accepts, and what `auth` expands to.
import { type ACL, type Id, Perms } from "../api/acl.ts";

/** Java's Integer.parseInt: an optional sign and decimal digits (undefined where it throws). */
function javaParseInt(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : undefined;
}

/** IPAuthenticationProvider.v4addr2Bytes of 3.8 (it has no IPv6): four parseInt octets 0..255. */
function ipv4Bytes(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let out = 0;
  for (const part of parts) {
    const v = javaParseInt(part);
    if (v === undefined || v < 0 || v > 255) return undefined;
    out = (out << 8) | v;
  }
  return out >>> 0;
}

/** An ip ACL id as 3.8 reads it (`addr` or `addr/bits`, bits 0..32), or undefined where isValid refuses it. */
function ipExpression(id: string): { net: number; bits: number } | undefined {
  const slash = id.indexOf("/");
  const net = ipv4Bytes(slash < 0 ? id : id.slice(0, slash));
  if (net === undefined) return undefined;
  const bits = slash < 0 ? 32 : javaParseInt(id.slice(slash + 1));
  return bits === undefined || bits < 0 || bits > 32 ? undefined : { net, bits };
}

/** DigestAuthenticationProvider.isValid: `id.split(":")` (Java drops trailing empty parts) has two parts. */
function validDigest(id: string): boolean {
  const parts = id.split(":");
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts.length === 2;
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
    } else if (scheme === "digest" && validDigest(id)) add(entry);
    // A server with TLS also knows x509; like a plain 3.8 server, these stores know ip and digest only.
    else if (scheme === "ip" && ipExpression(id) !== undefined) add(entry);
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

/** IPAuthenticationProvider.matches of 3.8: the address in the expression's IPv4 network. */
function ipMatches(address: string, expression: string): boolean {
  const expr = ipExpression(expression);
  const addr = ipv4Bytes(address);
  if (expr === undefined || addr === undefined) return false;
  const mask = expr.bits === 0 ? 0 : (~0 << (32 - expr.bits)) >>> 0;
  return ((expr.net & mask) >>> 0) === ((addr & mask) >>> 0);
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
