// The values of node and children keys, and how a znode (all 11 stat fields) is derived from them.
// zxid := etcd revision: czxid is the node key's create_revision, mzxid its mod_revision (unless
// stored, after a setACL), pzxid the children key's mod_revision (the czxid while it is absent).
import type { ACL } from "../api/acl.ts";
import type { KeyValue } from "./api.ts";
import type { ZNode } from "../tree/node.ts";
import { JuteReader } from "../zk/jute_reader.ts";
import { JuteWriter } from "../zk/jute_writer.ts";
import { ErrorCode, KeeperError } from "../errors.ts";

const NODE_FORMAT = 1;
const CHILDREN_FORMAT = 1;

/** Node flags. */
export const NodeFlag = {
  /** ZooKeeper's built-in nodes (/, /zookeeper...): czxid 0, as on a fresh server. */
  System: 1,
  /** mzxid is stored (a setACL rewrote the key without changing the data). */
  StoredMzxid: 2,
  /**
   * Deleted and created again by one Multi: watchers hear NodeDeleted then NodeCreated, and czxid is
   * this write's revision (the key's mod_revision), since etcd keeps the key's create_revision.
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
  acl: ACL[];
  data: Uint8Array | null;
}

export function encodeNode(v: NodeValue): Uint8Array {
  const w = new JuteWriter(64 + (v.data?.length ?? 0));
  w.int(NODE_FORMAT).int(v.flags).int(v.version).int(v.aversion);
  w.long(v.ctime).long(v.mtime).long(v.ephemeralOwner).long(v.flags & NodeFlag.StoredMzxid ? v.mzxid : 0n);
  w.long(v.flags & NodeFlag.StoredCzxid ? v.czxid : 0n);
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
    const mzxid = r.long();
    const czxid = r.long();
    const n = r.int();
    const acl: ACL[] = [];
    for (let i = 0; i < n; i++) {
      const perms = r.int();
      acl.push({ perms, id: { scheme: r.ustring() ?? "", id: r.ustring() ?? "" } });
    }
    const data = r.buffer();
    return { flags, version, aversion, ctime, mtime, ephemeralOwner, mzxid, czxid, acl, data };
  } catch (e) {
    return corrupt("node", e);
  }
}

/** A children key value: ZooKeeper's persisted cversion (child creations only). */
export interface ChildrenValue {
  creations: number;
}

export function encodeChildren(v: ChildrenValue): Uint8Array {
  return new JuteWriter(8).int(CHILDREN_FORMAT).int(v.creations).bytes();
}

export function decodeChildren(bytes: Uint8Array): ChildrenValue {
  try {
    const r = new JuteReader(bytes);
    if (r.int() !== CHILDREN_FORMAT) corrupt("children");
    return { creations: r.int() };
  } catch (e) {
    return corrupt("children", e);
  }
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
    ? node.modRevision
    : v.flags & NodeFlag.StoredCzxid
    ? v.czxid
    : node.createRevision;
  return {
    data: v.data,
    acl: v.acl,
    czxid,
    mzxid: v.flags & NodeFlag.StoredMzxid ? v.mzxid : node.modRevision,
    ctime: v.ctime,
    mtime: v.mtime,
    version: v.version,
    childCreations: childrenKv ? decodeChildren(childrenKv.value).creations : 0,
    aversion: v.aversion,
    ephemeralOwner: v.ephemeralOwner,
    pzxid: childrenKv ? childrenKv.modRevision : czxid,
    children,
  };
}

/** `count` names that no real child can have (a NUL is invalid in ZooKeeper paths). */
export function placeholderChildren(count: number): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < count; i++) out.add("\u0000" + i);
  return out;
}
