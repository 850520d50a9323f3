// A write as one etcd Txn. The request runs on ZooKeeper's own data-tree code (tree/data_tree.ts)
// over a snapshot of the znodes it touches, so codes, check order and Multi's per-op results are the
// reference model's by construction. A failure is answered from the snapshot (nothing to write); a
// success becomes puts and deletes guarded by compares on every key the model read, so a concurrent
// writer makes the Txn fail and the write run again on fresh data.
import type { Compare, RequestOp } from "./api.ts";
import type { ZkOp, Request } from "../api/requests.ts";
import type { StoreReply } from "../store.ts";
import type { Stat } from "../api/stat.ts";
import type { KeyLayout } from "./keys.ts";
import { MAX_DEPTH, depthOf } from "./keys.ts";
import { DataTree, type Txn, TxnFailure } from "../tree/data_tree.ts";
import type { ZNode } from "../tree/node.ts";
import { CONTAINER_EPHEMERAL_OWNER, isSequential, isTtl } from "../api/create_mode.ts";
import { parentOf } from "../api/path.ts";
import { ErrorCode } from "../errors.ts";
import { encodeChildren, encodeNode, NodeFlag } from "./codec.ts";
import { isSystem, type Snapshot, znodeOfLoaded } from "./snapshot.ts";

/** The zxid the model gives this write; replaced by the Txn's revision once it commits. */
export const PENDING_ZXID: bigint = -0x7ffffffffffff000n;

/** Writes that answer from a snapshot carry these. */
export type WriteRequest = Exclude<Request, { type: "exists" | "getData" | "getChildren" | "getAcl" }>;

/** The paths a write reads first, and whether each needs its children's names (a delete's parent). */
export function pathsOf(request: WriteRequest): Map<string, boolean> {
  const out = new Map<string, boolean>();
  const add = (path: string, names = false) => out.set(path, (out.get(path) ?? false) || names);
  const ops: readonly (ZkOp | WriteRequest)[] = request.type === "multi" ? request.ops : [request];
  for (const op of ops) {
    if (op.type === "multi") continue;
    if (op.path !== "/") add(parentOf(op.path), op.type === "delete");
    if (!(op.type === "create" && isSequential(op.mode))) add(op.path);
  }
  return out;
}

/** The outcome of running a write on a snapshot. */
export type Plan =
  /** The model looked at paths the snapshot lacks: read them too, then plan again. */
  | { kind: "missing"; paths: string[] }
  /** Nothing to write (a failure, or a Multi of checks): the reply is final at the snapshot's revision. */
  | { kind: "answer"; reply: StoreReply }
  /**
   * One guarded Txn; `finish(revision)` is the reply once it committed at `revision`. `assumed`: paths
   * the snapshot lacked that the plan took as absent (sequential names), guarded as still absent.
   */
  | { kind: "write"; compare: Compare[]; success: RequestOp[]; assumed: string[]; finish(revision: bigint): StoreReply };

/**
 * A DataTree over a snapshot. A path the snapshot lacks (only ever a sequential create's actual name:
 * every other path a write touches is read first) is taken as absent and recorded, so a success can
 * guard it and a failure can be judged again once it was read.
 */
class SnapshotTree extends DataTree {
  readonly misses = new Set<string>();
  /** The snapshot's znodes; the model replaces (never mutates) the ones it changes. */
  readonly initial = new Map<string, ZNode>();
  readonly #known: ReadonlySet<string>;
  constructor(snapshot: Snapshot) {
    super();
    this.nodes.clear();
    this.#known = new Set(snapshot.paths.keys());
    for (const [path, loaded] of snapshot.paths) {
      const node = znodeOfLoaded(loaded);
      if (node) {
        this.nodes.set(path, node);
        this.initial.set(path, node);
      }
    }
  }
  override get(path: string): ZNode | undefined {
    if (!this.#known.has(path)) this.misses.add(path);
    return this.nodes.get(path);
  }
}

function settle(stat: Stat, revision: bigint): Stat {
  const z = (x: bigint) => (x === PENDING_ZXID ? revision : x);
  return { ...stat, czxid: z(stat.czxid), mzxid: z(stat.mzxid), pzxid: z(stat.pzxid) };
}

type OpOutcome = { name?: string; stat?: Stat };

// As the memory store, with TTL modes Unimplemented, as on a server without extended types.
function apply(txn: Txn, op: ZkOp | WriteRequest): OpOutcome {
  if (op.type === "multi") throw new TxnFailure(ErrorCode.Unimplemented);
  if (op.type === "create") {
    if (isTtl(op.mode)) throw new TxnFailure(ErrorCode.Unimplemented);
    // Deeper than the key layout can express: refused like a path ZooKeeper cannot take.
    if (depthOf(op.path) >= MAX_DEPTH) throw new TxnFailure(ErrorCode.BadArguments);
  }
  return txn.apply(op);
}

/** Runs `request` for `sessionId` on `snapshot` at wall time `timeMs`. */
export function plan(keys: KeyLayout, snapshot: Snapshot, request: WriteRequest, sessionId: bigint, timeMs: bigint): Plan {
  const tree = new SnapshotTree(snapshot);
  const txn = tree.begin({ zxid: PENDING_ZXID, timeMs, sessionId, authIds: [] });
  let reply: (revision: bigint) => StoreReply;
  if (request.type === "multi") {
    const outcomes: OpOutcome[] = [];
    for (let i = 0; i < request.ops.length; i++) {
      try {
        outcomes.push(apply(txn, request.ops[i]!));
      } catch (e) {
        if (!(e instanceof TxnFailure)) throw e;
        if (tree.misses.size > 0) return { kind: "missing", paths: [...tree.misses] };
        const opResults = request.ops.map((_, j) => ({
          resultCode: j < i ? ErrorCode.Ok : j === i ? e.code : ErrorCode.RuntimeInconsistency,
        }));
        return { kind: "answer", reply: { resultCode: 0, opResults } };
      }
    }
    reply = (revision) => ({
      resultCode: 0,
      opResults: request.ops.map((op, i) => {
        const { name, stat } = outcomes[i]!;
        if (op.type === "create") return { resultCode: 0, name: name! };
        return stat ? { resultCode: 0, stat: settle(stat, revision) } : { resultCode: 0 };
      }),
    });
  } else {
    let outcome: OpOutcome;
    try {
      outcome = apply(txn, request);
    } catch (e) {
      if (!(e instanceof TxnFailure)) throw e;
      if (tree.misses.size > 0) return { kind: "missing", paths: [...tree.misses] };
      return { kind: "answer", reply: { resultCode: e.code } };
    }
    reply = (revision) => ({
      resultCode: 0,
      ...(outcome.name !== undefined ? { name: outcome.name } : {}),
      ...(outcome.stat ? { stat: settle(outcome.stat, revision) } : {}),
    });
  }
  txn.commit();
  const success = diff(keys, snapshot, tree);
  const assumed = [...tree.misses];
  if (success.length === 0) {
    return assumed.length > 0 ? { kind: "missing", paths: assumed } : { kind: "answer", reply: reply(snapshot.revision) };
  }
  const compare = guards(keys, snapshot);
  for (const path of assumed) compare.push({ key: keys.node(path), target: "create", result: "equal", operand: 0n });
  return { kind: "write", compare, success, assumed, finish: reply };
}

/** Every key the model read must be as it was: same mod_revision, or still absent (0). */
function guards(keys: KeyLayout, snapshot: Snapshot): Compare[] {
  const out: Compare[] = [];
  for (const [path, loaded] of snapshot.paths) {
    out.push({ key: keys.node(path), target: "mod", result: "equal", operand: loaded.node?.modRevision ?? 0n });
    out.push({ key: keys.children(path), target: "mod", result: "equal", operand: loaded.children?.modRevision ?? 0n });
  }
  return out;
}

/** The puts and deletes that turn the snapshot into the committed model: one op per key, folded. */
function diff(keys: KeyLayout, snapshot: Snapshot, tree: SnapshotTree): RequestOp[] {
  const ops: RequestOp[] = [];
  const paths = new Set([...snapshot.paths.keys(), ...tree.nodes.keys()]);
  for (const path of paths) {
    const loaded = snapshot.paths.get(path);
    const before = tree.initial.get(path);
    const after = tree.nodes.get(path);
    if (after === before) continue;
    const wasContainer = before?.ephemeralOwner === CONTAINER_EPHEMERAL_OWNER;
    if (!after) {
      if (!before) continue;
      ops.push({ deleteRange: { key: keys.node(path) } });
      if (loaded?.children) ops.push({ deleteRange: { key: keys.children(path) } });
      if (wasContainer) ops.push({ deleteRange: { key: keys.container(path) } });
      continue;
    }
    const isContainer = after.ephemeralOwner === CONTAINER_EPHEMERAL_OWNER;
    if (isContainer && !wasContainer) ops.push({ put: { key: keys.container(path), value: new Uint8Array(0) } });
    if (wasContainer && !isContainer) ops.push({ deleteRange: { key: keys.container(path) } });
    const created = after.czxid === PENDING_ZXID;
    const nodeChanged = !before || created || after.data !== before.data || after.acl !== before.acl ||
      after.version !== before.version || after.aversion !== before.aversion || after.mzxid !== before.mzxid ||
      after.mtime !== before.mtime || after.ctime !== before.ctime || after.ephemeralOwner !== before.ephemeralOwner;
    if (nodeChanged) {
      let flags = 0;
      if (!created && isSystem(loaded)) flags |= NodeFlag.System;
      if (after.mzxid !== PENDING_ZXID) flags |= NodeFlag.StoredMzxid;
      if (created && before) flags |= NodeFlag.Recreated;
      // A re-created node's czxid is not its key's create_revision: keep it once the key moves on.
      const storedCzxid = !created && loaded?.node !== undefined && !(flags & NodeFlag.System) &&
        after.czxid !== loaded.node.createRevision;
      if (storedCzxid) flags |= NodeFlag.StoredCzxid;
      const value = encodeNode({
        ...after,
        flags,
        mzxid: after.mzxid === PENDING_ZXID ? 0n : after.mzxid,
        czxid: storedCzxid ? after.czxid : 0n,
      });
      // An ephemeral's key lives on its session's lease; containers and TTL nodes carry negative markers.
      ops.push({ put: { key: keys.node(path), value, ...(after.ephemeralOwner > 0n ? { lease: after.ephemeralOwner } : {}) } });
    }
    // The children key exists once a node had a child change (or was re-created over an old one).
    if (after.pzxid === PENDING_ZXID && (before !== undefined || after.childCreations !== 0)) {
      ops.push({ put: { key: keys.children(path), value: encodeChildren({ creations: after.childCreations }) } });
    }
  }
  return ops;
}
