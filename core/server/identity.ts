// Who a connection is, as ZooKeeper's authentication providers decide it: every connection carries
// ip:<its address>; addauth adds digest ids (and super with the super digest) or its ip again.
import type { Id } from "../api/acl.ts";
import { decodeUtf8 } from "../zk/utf8.ts";
import { digestId } from "../tree/credentials.ts";
import { hashCapacity, javaHashOrder, javaStringHash } from "../tree/java_hash_order.ts";
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

/** Iteration order of a java.util HashSet/ConcurrentHashMap of jute Ids (16 buckets to start). */
function javaHashSetOrder(ids: readonly Id[]): Id[] {
  const hash = ({ scheme, id }: Id) => (Math.imul(Math.imul(17, 37) + javaStringHash(scheme), 37) + javaStringHash(id)) | 0;
  return javaHashOrder(ids, hash, hashCapacity(ids.length, 16));
}

/** An address as ZooKeeper's ip provider sees it: IPv4 clients of a dual-stack socket lose the ::ffff: prefix. */
export function plainAddress(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
