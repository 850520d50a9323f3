// The values of node and children keys, and how a znode (all 11 stat fields) is derived from them.
// zxid := revision << 8 | sub (core/etcd/zxid.ts): czxid is the node key's create_revision with the
// stored czsub, mzxid its mod_revision with the stored mzsub (unless stored whole, after a setACL),
// pzxid the children key's mod_revision with its pzsub (the czxid while it is absent).
import type { ACL } from "../api/acl.ts";
import type { KeyValue } from "./api.ts";
import type { CopyableChildren, ZNode } from "../tree/node.ts";
import { JuteReader } from "../zk/jute_reader.ts";
import { JuteWriter } from "../zk/jute_writer.ts";
import { ErrorCode, KeeperError } from "../errors.ts";
import { zxidOf } from "./zxid.ts";

const NODE_FORMAT = 2;
const CHILDREN_FORMAT = 2;

/** Node flags. */
export const NodeFlag = {
  /** ZooKeeper's built-in nodes (/, /zookeeper...): czxid 0, as on a fresh server. */
  System: 1,
  /** mzxid is stored (a setACL rewrote the key without changing the data). */
  StoredMzxid: 2,
  /**
   * Deleted and created again by one Multi: watchers hear NodeDeleted then NodeCreated, and czxid is
   * this write's revision (the key's mod_revision, with czsub), since etcd keeps the key's create_revision.
   */
  Recreated: 4,
  /** czxid is stored: a later write to a Recreated node, whose mod_revision moved on. */
  StoredCzxid: 8,
} as const;

/** A decoded node key value. */
export interface NodeValue {
  flags: number;
  version: number;
  aversion: number;
  ctime: bigint;
  mtime: bigint;
  ephemeralOwner: bigint;
  /** Only with NodeFlag.StoredMzxid. */
  mzxid: bigint;
  /** Only with NodeFlag.StoredCzxid. */
  czxid: bigint;
  /** The creating write's index in its Txn (zxid.ts), unless the czxid is stored or the node is a system one. */
  czsub: number;
  /** The last modifying write's index in its Txn, unless the mzxid is stored. */
  mzsub: number;
  acl: ACL[];
  data: Uint8Array | null;
}

export function encodeNode(v: NodeValue): Uint8Array {
  // Sized for the header, ACL and data (a longer UTF-8 id just grows the buffer once).
  let size = 80 + (v.data?.length ?? 0);
  for (const a of v.acl) size += 12 + a.id.scheme.length + a.id.id.length;
  const w = new JuteWriter(size);
  w.int(NODE_FORMAT).int(v.flags).int(v.version).int(v.aversion);
  w.long(v.ctime).long(v.mtime).long(v.ephemeralOwner).long(v.flags & NodeFlag.StoredMzxid ? v.mzxid : 0n);
  w.long(v.flags & NodeFlag.StoredCzxid ? v.czxid : 0n);
  w.int(v.czsub).int(v.mzsub);
  w.int(v.acl.length);
  for (const a of v.acl) w.int(a.perms).ustring(a.id.scheme).ustring(a.id.id);
  w.buffer(v.data);
  return w.bytes();
}

function corrupt(what: string, cause?: unknown): never {
  throw new KeeperError(ErrorCode.MarshallingError, `Corrupt ${what} value in etcd (not written by this store?)`, { cause });
}

export function decodeNode(bytes: Uint8Array): NodeValue {
  try {
    const r = new JuteReader(bytes);
    if (r.int() !== NODE_FORMAT) corrupt("node");
    const flags = r.int();
    const version = r.int();
    const aversion = r.int();
    const ctime = r.long();
    const mtime = r.long();
    const ephemeralOwner = r.long();
    // Read only where stored: each long read is a bigint allocated, and reads decode many nodes.
    const mzxid = flags & NodeFlag.StoredMzxid ? r.long() : (r.skip(8), 0n);
    const czxid = flags & NodeFlag.StoredCzxid ? r.long() : (r.skip(8), 0n);
    const czsub = r.int();
    const mzsub = r.int();
    const acl = readAcl(r, bytes);
    const data = r.buffer();
    return { flags, version, aversion, ctime, mtime, ephemeralOwner, mzxid, czxid, czsub, mzsub, acl, data };
  } catch (e) {
    return corrupt("node", e);
  }
}

/**
 * The last ACL decoded, by its bytes: most nodes of a namespace share one ACL, so a read of many
 * decodes it once. Frozen, as every node decoded so shares it.
 */
let lastAcl: { bytes: Uint8Array; acl: readonly ACL[] } | undefined;

function readAcl(r: JuteReader, bytes: Uint8Array): ACL[] {
  const start = r.offset;
  const known = lastAcl;
  if (known && hasAt(bytes, start, known.bytes)) {
    r.skip(known.bytes.length);
    return known.acl as ACL[];
  }
  const n = r.int();
  const acl: ACL[] = [];
  for (let i = 0; i < n; i++) {
    const perms = r.int();
    acl.push(Object.freeze({ perms, id: Object.freeze({ scheme: r.ustring() ?? "", id: r.ustring() ?? "" }) }));
  }
  lastAcl = { bytes: bytes.slice(start, r.offset), acl: Object.freeze(acl) };
  return acl;
}

function hasAt(bytes: Uint8Array, at: number, part: Uint8Array): boolean {
  if (bytes.length - at < part.length) return false;
  for (let i = 0; i < part.length; i++) if (bytes[at + i] !== part[i]) return false;
  return true;
}

/** A children key value: ZooKeeper's persisted cversion (child creations only), and the pzxid's sub. */
export interface ChildrenValue {
  creations: number;
  pzsub: number;
}

export function encodeChildren(v: ChildrenValue): Uint8Array {
  return new JuteWriter(12).int(CHILDREN_FORMAT).int(v.creations).int(v.pzsub).bytes();
}

export function decodeChildren(bytes: Uint8Array): ChildrenValue {
  // Three ints read in place: a read decodes one per node, and a JuteReader costs more.
  if (bytes.length < 12 || int32At(bytes, 0) !== CHILDREN_FORMAT) corrupt("children");
  return { creations: int32At(bytes, 4), pzsub: int32At(bytes, 8) };
}

/** The big-endian int at `at`. */
function int32At(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}

/**
 * The znode a node key, its children key (absent until a first child change) and its children's
 * names stand for. `children` may hold placeholders when only the count was read.
 */
export function znodeOf(node: KeyValue, childrenKv: KeyValue | undefined, children: Set<string>): ZNode {
  const v = decodeNode(node.value);
  const czxid = v.flags & NodeFlag.System
    ? 0n
    : v.flags & NodeFlag.Recreated
    ? zxidOf(node.modRevision, v.czsub)
    : v.flags & NodeFlag.StoredCzxid
    ? v.czxid
    : zxidOf(node.createRevision, v.czsub);
  const counter = childrenKv ? decodeChildren(childrenKv.value) : undefined;
  return {
    data: v.data,
    acl: v.acl,
    czxid,
    mzxid: v.flags & NodeFlag.StoredMzxid ? v.mzxid : zxidOf(node.modRevision, v.mzsub),
    ctime: v.ctime,
    mtime: v.mtime,
    version: v.version,
    childCreations: counter?.creations ?? 0,
    aversion: v.aversion,
    ephemeralOwner: v.ephemeralOwner,
    pzxid: childrenKv && counter ? zxidOf(childrenKv.modRevision, counter.pzsub) : czxid,
    children,
  };
}

/**
 * The children of a node whose names were not read: `count` unnamed ones plus the names a write
 * adds. Its size is right; only added names are listed, and only they can be deleted (a write that
 * deletes a child reads its parent's names). Copies in time independent of `count`.
 */
export class CountedChildren extends Set<string> implements CopyableChildren {
  readonly #unnamed: number;
  constructor(unnamed: number, names?: Iterable<string>) {
    super(names);
    this.#unnamed = unnamed;
  }
  override get size(): number {
    return this.#unnamed + super.size;
  }
  copy(): CountedChildren {
    return new CountedChildren(this.#unnamed, super.values());
  }
}
