// Where a znode lives in etcd. Every key starts with the store's prefix, then one tag byte:
//   n  node key:  `n` + depth (4 hex digits) + path -> header + ACL + data (etcd/codec.ts)
//   c  children:  `c` + path -> the child-creation counter; its mod_revision is the pzxid
//   s  session:   `s` + lease id (16 hex digits), attached to the lease: its deletion tells every
//                 store that the session ended
//   m  marker:    put by every write Txn, so a read learns the namespace's last write revision
//   k  container: `k` + path, one per container node, so the sweep finds containers without a scan
//   v  layout:    the layout version (etcd/layout_version.ts), written with the built-in nodes
// The depth makes a node's direct children one prefix range: `n` + (depth + 1) + path + "/".
import { decodeUtf8, encodeJavaUtf8 } from "../zk/utf8.ts";

/** Deepest path the layout can hold (4 hex digits); deeper paths are refused with BadArguments. */
export const MAX_DEPTH = 0xffff;

/** A half-open key range [key, rangeEnd). */
export interface KeyRange {
  key: Uint8Array;
  rangeEnd: Uint8Array;
}

/** Number of segments: "/" is 0, "/a" is 1, "/a/b" is 2. */
export function depthOf(path: string): number {
  if (path === "/") return 0;
  let depth = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 0x2f) depth++;
  return depth;
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, "0");
}

/** The smallest key after `key`: a range end that includes `key`. */
export function keyAfter(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}

/** The smallest key greater than every key starting with `prefix` (etcd's "prefix end"). */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const end = prefix.slice();
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.slice(0, i + 1);
    }
  }
  // All 0xff: etcd's convention for "to the end of the keyspace".
  return new Uint8Array([0]);
}

/** True when `key` starts with `prefix`. */
export function hasPrefix(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && hasPrefix(a, b);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * Compares `key`'s bytes [from, to) with `path` as the layout encodes it, in etcd's (byte) order:
 * negative, 0 or positive. ASCII is compared as it stands, so a read's keys are matched to its paths
 * without decoding them.
 */
export function compareKeyPath(key: Uint8Array, from: number, to: number, path: string): number {
  const n = to - from;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c >= 0x80) return compareBytes(key.subarray(from + i, to), encodeJavaUtf8(path.slice(i)));
    if (i >= n) return -1;
    const b = key[from + i]!;
    if (b !== c) return b - c;
  }
  return n - path.length;
}

/** What a key of the layout stands for. */
export type ParsedKey =
  | { kind: "node"; path: string }
  | { kind: "children"; path: string }
  | { kind: "container"; path: string }
  | { kind: "session"; leaseId: bigint }
  | { kind: "marker" }
  | { kind: "layout" }
  | { kind: "other" };

/** The key layout under one prefix. */
export class KeyLayout {
  readonly prefix: string;
  readonly #prefixBytes: Uint8Array;

  constructor(prefix: string) {
    this.prefix = prefix;
    this.#prefixBytes = encodeJavaUtf8(prefix);
  }

  #key(rest: string): Uint8Array {
    return encodeJavaUtf8(this.prefix + rest);
  }

  /** The node key of `path` (header, ACL and data). */
  node(path: string): Uint8Array {
    return this.#key("n" + hex4(depthOf(path)) + path);
  }

  /** Where the path starts in a node key. */
  get nodePathAt(): number {
    return this.#prefixBytes.length + 5;
  }

  /** Where the path starts in a children key. */
  get childrenPathAt(): number {
    return this.#prefixBytes.length + 1;
  }

  /** The children-counter key of `path`. */
  children(path: string): Uint8Array {
    return this.#key("c" + path);
  }

  /** The node keys of `path`'s direct children, and nothing deeper. */
  childRange(path: string): KeyRange {
    return this.levelRange(path, depthOf(path) + 1);
  }

  /** The node keys at `depth` below `path` (deeper than `path`): one level of its subtree. */
  levelRange(path: string, depth: number): KeyRange {
    const key = this.#key("n" + hex4(depth) + (path === "/" ? "/" : path + "/"));
    return { key, rangeEnd: prefixEnd(key) };
  }

  /** The index entry of a container node. */
  container(path: string): Uint8Array {
    return this.#key("k" + path);
  }

  /** Every container index entry. */
  containers(): KeyRange {
    const key = this.#key("k");
    return { key, rangeEnd: prefixEnd(key) };
  }

  session(leaseId: bigint): Uint8Array {
    return this.#key("s" + BigInt.asUintN(64, leaseId).toString(16).padStart(16, "0"));
  }

  marker(): Uint8Array {
    return this.#key("m");
  }

  /** The layout version key. */
  layout(): Uint8Array {
    return this.#key("v");
  }

  /** Every key of the layout: what the store's one watch covers. */
  all(): KeyRange {
    return { key: this.#prefixBytes, rangeEnd: prefixEnd(this.#prefixBytes) };
  }

  /** The child's name from a key in `childRange(parent)`. */
  childName(key: Uint8Array): string {
    // After the last "/": no byte of a multi-byte UTF-8 sequence is 0x2f.
    let start = key.length;
    while (start > 0 && key[start - 1] !== 0x2f) start--;
    return decodeUtf8(key.subarray(start));
  }

  parse(key: Uint8Array): ParsedKey {
    if (!hasPrefix(key, this.#prefixBytes)) return { kind: "other" };
    const rest = decodeUtf8(key.subarray(this.#prefixBytes.length));
    switch (rest.charAt(0)) {
      case "n":
        return rest.length >= 6 ? { kind: "node", path: rest.slice(5) } : { kind: "other" };
      case "c":
        return { kind: "children", path: rest.slice(1) };
      case "k":
        return { kind: "container", path: rest.slice(1) };
      case "s":
        return /^s[0-9a-f]{16}$/.test(rest) ? { kind: "session", leaseId: BigInt.asIntN(64, BigInt("0x" + rest.slice(1))) } : { kind: "other" };
      case "m":
        return rest.length === 1 ? { kind: "marker" } : { kind: "other" };
      case "v":
        return rest.length === 1 ? { kind: "layout" } : { kind: "other" };
      default:
        return { kind: "other" };
    }
  }
}
