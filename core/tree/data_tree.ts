// ZooKeeper 3.8's data tree: the checks of PrepRequestProcessor and the updates of DataTree, with
// writes staged in a transaction so a Multi applies all its ops or none.
import { CHILDREN_INITIAL_CAPACITY, hashCapacity } from "./java_hash_order.ts";
import type { ACL, Id } from "../api/acl.ts";
import { OPEN_ACL_UNSAFE } from "../api/acl.ts";
import { ErrorCode } from "../errors.ts";
import { EventType, type WatchEvent } from "../api/events.ts";
import {
  CONTAINER_EPHEMERAL_OWNER,
  type CreateMode,
  isEphemeral,
  isSequential,
  isTtl,
  ttlEphemeralOwner,
} from "../api/create_mode.ts";
import { childPath, nameOf, parentOf, pathProblem } from "../api/path.ts";
import { cloneNode, statOf, systemNode, type ZNode } from "./node.ts";
import type { Request, ZkOp } from "../api/requests.ts";
import type { Stat } from "../api/stat.ts";
import { fixupAcl, permitted } from "./acl_rules.ts";
import { Perms } from "../api/acl.ts";

/** A ZooKeeper result code raised inside a transaction. */
export class TxnFailure {
  readonly code: number;
  constructor(code: number) {
    this.code = code;
  }
}

/** Who writes and when: one zxid and one timestamp per transaction. */
export interface TxnContext {
  zxid: bigint;
  timeMs: bigint;
  sessionId: bigint;
  authIds: readonly Id[];
}

/** Formats a sequence number as Java's `%010d` does, sign included in the width. */
export function sequenceSuffix(n: number): string {
  return n < 0 ? "-" + String(-n).padStart(9, "0") : String(n).padStart(10, "0");
}

function fail(code: number): never {
  throw new TxnFailure(code);
}

/** DataTree.isSpecialPath: the root, /zookeeper, its quota node and its config node. */
const SYSTEM_PATHS: ReadonlySet<string> = new Set(["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"]);

/** ZooKeeper's PrepRequestProcessor validates every written path first (a server gets raw paths). */
function checkPath(path: string): void {
  if (pathProblem(path) !== undefined) fail(ErrorCode.BadArguments);
}

function checkPerm(node: ZNode, perm: number, authIds: readonly Id[]): void {
  if (!permitted(node.acl, perm, authIds)) fail(ErrorCode.NoAuth);
}

function checkVersion(expected: number, actual: number): void {
  if (expected !== -1 && expected !== actual) fail(ErrorCode.BadVersion);
}

export interface DataTreeOptions {
  /**
   * A transaction changes a parent's children set in place and undoes that on `abort()`, instead of
   * copying the set: a write under a parent of n children costs O(1), not O(n). For a tree whose
   * owner keeps no committed node beyond the map and aborts every transaction it does not commit
   * (the memory store); otherwise committed nodes are replaced, never mutated.
   */
  childrenInPlace?: boolean;
}

/** The committed tree. Nodes are replaced once committed; only `childrenInPlace` shares their children sets. */
export class DataTree {
  readonly nodes: Map<string, ZNode> = new Map();
  readonly childrenInPlace: boolean;

  constructor(options: DataTreeOptions = {}) {
    this.childrenInPlace = options.childrenInPlace ?? false;
    // A fresh ZooKeeper 3.8 holds /zookeeper, /zookeeper/quota and /zookeeper/config.
    const root = systemNode([...OPEN_ACL_UNSAFE]);
    const zookeeper = systemNode([...OPEN_ACL_UNSAFE]);
    root.children.add("zookeeper");
    zookeeper.children.add("quota");
    zookeeper.children.add("config");
    this.nodes.set("/", root);
    this.nodes.set("/zookeeper", zookeeper);
    this.nodes.set("/zookeeper/quota", systemNode([...OPEN_ACL_UNSAFE]));
    const config = systemNode([{ perms: 1, id: { scheme: "world", id: "anyone" } }]);
    config.aversion = -1; // as a fresh 3.8 server reports it
    this.nodes.set("/zookeeper/config", config);
  }

  get(path: string): ZNode | undefined {
    return this.nodes.get(path);
  }

  begin(ctx: TxnContext): Txn {
    return new Txn(this, ctx);
  }
}

/** Staged writes over a DataTree; `commit` applies them and returns the watch events they fire. */
export class Txn {
  readonly #tree: DataTree;
  readonly #ctx: TxnContext;
  readonly #staged = new Map<string, ZNode | null>();
  readonly #events: WatchEvent[] = [];
  /** childrenInPlace: the children changes made so far, undone by `abort()`. */
  readonly #undo: [children: Set<string>, name: string, added: boolean][] = [];

  constructor(tree: DataTree, ctx: TxnContext) {
    this.#tree = tree;
    this.#ctx = ctx;
  }

  #get(path: string): ZNode | undefined {
    const staged = this.#staged.get(path);
    return staged === undefined ? this.#tree.get(path) : staged ?? undefined;
  }

  /** A node this transaction may change (copied on first write). */
  #writable(path: string): ZNode {
    const staged = this.#staged.get(path);
    if (staged) return staged;
    const node = this.#tree.get(path)!;
    const copy = this.#tree.childrenInPlace ? { ...node } : cloneNode(node);
    this.#staged.set(path, copy);
    return copy;
  }

  /** Adds or removes a child name of a node from `#writable`, journaled when the set is shared. */
  #changeChild(parent: ZNode, name: string, add: boolean): void {
    if (parent.children.has(name) === add) return;
    if (add) {
      parent.children.add(name);
      parent.childCapacity = hashCapacity(parent.children.size, parent.childCapacity ?? CHILDREN_INITIAL_CAPACITY);
    } else parent.children.delete(name);
    if (this.#tree.childrenInPlace) this.#undo.push([parent.children, name, add]);
  }

  /** Creates a node and returns its actual path (with the sequence suffix). */
  create(path: string, data: Uint8Array | null, acl: readonly ACL[], mode: CreateMode, ttlMs?: number): string {
    checkPath(isSequential(mode) ? path + "1" : path);
    // Measured on 3.8 (raw frames): the ACL is judged right after the path, before the parent is
    // looked up, so InvalidAcl wins over NoNode, NoAuth, NodeExists and NoChildrenForEphemerals.
    const storedAcl = fixupAcl(acl, this.#ctx.authIds);
    if (storedAcl === undefined) fail(ErrorCode.InvalidAcl);
    const parentPath = parentOf(path);
    const parent = this.#get(parentPath);
    if (!parent) fail(ErrorCode.NoNode);
    checkPerm(parent, Perms.Create, this.#ctx.authIds);
    const actual = isSequential(mode) ? path + sequenceSuffix(parent.childCreations) : path;
    if (pathProblem(actual) !== undefined) fail(ErrorCode.BadArguments);
    if (this.#get(actual)) fail(ErrorCode.NodeExists);
    // Only session-owned parents refuse children; containers and TTL nodes carry markers, not owners.
    if (parent.ephemeralOwner > 0n) fail(ErrorCode.NoChildrenForEphemerals);

    const { zxid, timeMs } = this.#ctx;
    let owner = 0n;
    if (isEphemeral(mode)) owner = this.#ctx.sessionId;
    else if (mode === 4) owner = CONTAINER_EPHEMERAL_OWNER;
    else if (isTtl(mode)) owner = ttlEphemeralOwner(ttlMs ?? 0);
    const node: ZNode = {
      data: data === null ? null : data.slice(),
      acl: storedAcl,
      czxid: zxid,
      mzxid: zxid,
      ctime: timeMs,
      mtime: timeMs,
      version: 0,
      childCreations: 0,
      aversion: 0,
      ephemeralOwner: owner,
      pzxid: zxid,
      children: new Set(),
      ...(isTtl(mode) ? { ttlMs } : {}),
    };
    this.#staged.set(actual, node);
    const p = this.#writable(parentPath);
    this.#changeChild(p, nameOf(actual), true);
    p.childCreations = (p.childCreations + 1) | 0;
    p.pzxid = zxid;
    this.#events.push({ type: EventType.NodeCreated, path: actual });
    this.#events.push({ type: EventType.NodeChildrenChanged, path: parentPath });
    return actual;
  }

  delete(path: string, version: number): void {
    // PrepRequestProcessor.getParentPathAndValidate: the root and ZooKeeper's own nodes are never
    // deleted, whatever the version, their children or the caller's rights (measured on 3.8).
    if (SYSTEM_PATHS.has(path)) fail(ErrorCode.BadArguments);
    checkPath(path);
    const parentPath = parentOf(path);
    const parent = this.#get(parentPath);
    if (!parent) fail(ErrorCode.NoNode);
    // Measured on 3.8: the parent's DELETE permission is judged before the node is looked up.
    checkPerm(parent, Perms.Delete, this.#ctx.authIds);
    const node = this.#get(path);
    if (!node) fail(ErrorCode.NoNode);
    checkVersion(version, node.version);
    if (node.children.size > 0) fail(ErrorCode.NotEmpty);
    this.#staged.set(path, null);
    const p = this.#writable(parentPath);
    this.#changeChild(p, nameOf(path), false);
    p.pzxid = this.#ctx.zxid;
    this.#events.push({ type: EventType.NodeDeleted, path });
    this.#events.push({ type: EventType.NodeChildrenChanged, path: parentPath });
  }

  setData(path: string, data: Uint8Array | null, version: number): ZNode {
    checkPath(path);
    const found = this.#get(path);
    if (!found) fail(ErrorCode.NoNode);
    checkPerm(found, Perms.Write, this.#ctx.authIds);
    checkVersion(version, found.version);
    const node = this.#writable(path);
    node.data = data === null ? null : data.slice();
    node.version = (node.version + 1) | 0;
    node.mzxid = this.#ctx.zxid;
    node.mtime = this.#ctx.timeMs;
    this.#events.push({ type: EventType.NodeDataChanged, path });
    return node;
  }

  setAcl(path: string, acl: readonly ACL[], version: number): ZNode {
    checkPath(path);
    // Measured on 3.8: setACL judges the ACL before it looks for the node.
    const storedAcl = fixupAcl(acl, this.#ctx.authIds);
    if (storedAcl === undefined) fail(ErrorCode.InvalidAcl);
    const found = this.#get(path);
    if (!found) fail(ErrorCode.NoNode);
    checkPerm(found, Perms.Admin, this.#ctx.authIds);
    checkVersion(version, found.aversion);
    const node = this.#writable(path);
    node.acl = storedAcl;
    node.aversion = (node.aversion + 1) | 0;
    return node;
  }

  check(path: string, version: number): void {
    checkPath(path);
    const node = this.#get(path);
    if (!node) fail(ErrorCode.NoNode);
    checkPerm(node, Perms.Read, this.#ctx.authIds);
    checkVersion(version, node.version);
  }

  /** Applies one write request or Multi op: the created name and/or the changed node's stat. */
  apply(op: ZkOp | Exclude<Request, { type: "exists" | "getData" | "getChildren" | "getAcl" | "multi" }>): {
    name?: string;
    stat?: Stat;
  } {
    switch (op.type) {
      case "create": {
        const name = this.create(op.path, op.data, op.acl, op.mode, op.ttlMs);
        return { name, stat: statOf(this.read(name)!) };
      }
      case "delete":
        this.delete(op.path, op.version);
        return {};
      case "setData":
        return { stat: statOf(this.setData(op.path, op.data, op.version)) };
      case "setAcl":
        return { stat: statOf(this.setAcl(op.path, op.acl, op.version)) };
      case "check":
        this.check(op.path, op.version);
        return {};
    }
  }

  /** The node as this transaction sees it. */
  read(path: string): ZNode | undefined {
    return this.#get(path);
  }

  /** Drops the staged writes: the tree is as before `begin` (a transaction not committed must be aborted). */
  abort(): void {
    this.undoChildren();
    this.#staged.clear();
  }

  /**
   * childrenInPlace: reverts the children changes this transaction made in place, committed or not
   * (for an owner that puts the nodes it replaced back itself).
   */
  undoChildren(): void {
    for (let i = this.#undo.length - 1; i >= 0; i--) {
      const [children, name, added] = this.#undo[i]!;
      if (added) children.delete(name);
      else children.add(name);
    }
    this.#undo.length = 0;
  }

  commit(): WatchEvent[] {
    for (const [path, node] of this.#staged) {
      if (node === null) this.#tree.nodes.delete(path);
      else this.#tree.nodes.set(path, node);
    }
    return this.#events;
  }
}

/** Paths of `path`'s children, for walks over the tree. */
export function childPaths(node: ZNode, path: string): string[] {
  return [...node.children].map((name) => childPath(path, name));
}
