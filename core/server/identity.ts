// Who a connection is, as ZooKeeper's authentication providers decide it: every connection carries
// ip:<its address>; addauth adds digest ids (and super with the super digest) or its ip again.
import type { Id } from "../api/acl.ts";
import { decodeUtf8 } from "../zk/utf8.ts";
import { digestId } from "../tree/credentials.ts";
import type { ClientInfo } from "../zk/records_data.ts";

/** The ids an auth packet adds, or undefined when ZooKeeper answers AuthFailed (unknown scheme, bad credentials). */
export function authenticate(
  scheme: string,
  auth: Uint8Array | null,
  remoteAddress: string,
  superDigest: string | undefined,
): Id[] | undefined {
  switch (scheme) {
    case "digest": {
      const id = digestId(decodeUtf8(auth ?? new Uint8Array(0)));
      return id === superDigest ? [{ scheme: "super", id: "" }, { scheme: "digest", id }] : [{ scheme: "digest", id }];
    }
    case "ip":
      return [{ scheme: "ip", id: remoteAddress }];
    default:
      return undefined;
  }
}

/**
 * whoAmI's answer: each id as its provider names the user (a digest id by its user part), in the
 * order ZooKeeper lists them: a connection keeps its ids in a Java hash set, so they come in
 * hash-bucket order.
 */
export function clientInfos(ids: readonly Id[]): ClientInfo[] {
  return javaHashSetOrder(ids).map(({ scheme, id }) => ({
    authScheme: scheme,
    user: scheme === "digest" ? id.slice(0, id.indexOf(":")) : id,
  }));
}

/** Java's String.hashCode over UTF-16 code units. */
function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Iteration order of a java.util HashSet/ConcurrentHashMap of jute Ids (insertion order within a bucket). */
function javaHashSetOrder(ids: readonly Id[]): Id[] {
  let buckets = 16;
  while (ids.length > buckets * 0.75) buckets *= 2;
  const bucketOf = ({ scheme, id }: Id) => {
    const h = (Math.imul(Math.imul(17, 37) + javaStringHash(scheme), 37) + javaStringHash(id)) | 0;
    return ((h ^ (h >>> 16)) & 0x7fffffff) & (buckets - 1);
  };
  return ids.map((id, i) => ({ id, i, b: bucketOf(id) })).sort((x, y) => x.b - y.b || x.i - y.i).map((x) => x.id);
}

/** An address as ZooKeeper's ip provider sees it: IPv4 clients of a dual-stack socket lose the ::ffff: prefix. */
export function plainAddress(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
