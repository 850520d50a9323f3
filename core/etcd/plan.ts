// Consecutive writes (of one session, or of several: write_lane.ts) as one etcd Txn. Each request runs, in order, on ZooKeeper's own
// data-tree code (tree/data_tree.ts) over one snapshot of the znodes they touch, each seeing the
// ones before it, so codes, check order and Multi's per-op results are the reference model's by
// construction. Each write has its own zxid (zxid.ts: the Txn's revision and the write's index). A
// failure changes nothing; the successes become puts and deletes guarded by compares on every key
// the model read, so a concurrent writer makes the Txn fail and the writes run again on fresh data.
import type { Compare, RequestOp } from "./api.ts";
import type { ZkOp, Request } from "../api/requests.ts";
import type { StoreReply } from "../store.ts";
import type { Stat } from "../api/stat.ts";
import type { Id } from "../api/acl.ts";
import type { KeyLayout } from "./keys.ts";
import { MAX_DEPTH, depthOf, keyAfter } from "./keys.ts";
import { DataTree, type Txn, TxnFailure } from "../tree/data_tree.ts";
import type { ZNode } from "../tree/node.ts";
import { CONTAINER_EPHEMERAL_OWNER, isSequential, isTtl } from "../api/create_mode.ts";
import { parentOf } from "../api/path.ts";
import { ErrorCode } from "../errors.ts";
import { encodeChildren, encodeNode, NodeFlag } from "./codec.ts";
import { isSystem, type LoadedPath, type ReadWant, type Snapshot, widest, znodeOfLoaded } from "./snapshot.ts";
import { runsOf } from "./coalesce.ts";
import { lastZxidAt, MAX_WRITES_PER_TXN, SUB_BITS, subOf, zxidOf } from "./zxid.ts";

/** The zxids the model gives the writes of a batch, by index; replaced once their Txn commits. */
const PENDING_BASE = -0x7ffffffffffff000n;

function pendingZxid(sub: number): bigint {
  return PENDING_BASE + BigInt(sub);
}

const PENDING_END = PENDING_BASE + BigInt(MAX_WRITES_PER_TXN);

/** The index of a pending zxid, or undefined for a committed one. */
function pendingSub(zxid: bigint): number | undefined {
  return zxid >= PENDING_BASE && zxid < PENDING_END ? Number(zxid - PENDING_BASE) : undefined;
}

/** Writes that answer from a snapshot carry these. */
export type WriteRequest = Exclude<Request, { type: "exists" | "getData" | "getChildren" | "getAcl" }>;

/** Who sent a write: the owner of the ephemerals it creates, and the identities its ACLs are judged against. */
export interface Writer {
  readonly sessionId: bigint;
  readonly authIds: readonly Id[];
}

/** A write and its writer. */
export interface Write {
  readonly request: WriteRequest;
  readonly writer: Writer;
}

/**
 * The paths a write reads first, and what for: a create's target only whether it exists, the parent
 * of a create its node and counters (no reply of a create shows the parent's child count; a write
 * that does reads the parent for itself), the parent of a delete its children's names, a check's
 * target its node key (version and ACL), and the whole znode for every other op (setData, setACL
 * and delete look at nothing else: their stats, or whether it has children).
 */
export function pathsOf(request: WriteRequest, into: Map<string, ReadWant> = new Map()): Map<string, ReadWant> {
  if (request.type !== "multi") addPaths(request, into);
  else for (const op of request.ops) addPaths(op, into);
  return into;
}

function addPaths(op: Exclude<ZkOp | WriteRequest, { type: "multi" }>, into: Map<string, ReadWant>): void {
  if ((op.type === "create" || op.type === "delete") && op.path !== "/") {
    const parent = parentOf(op.path);
    into.set(parent, widest(into.get(parent), op.type === "delete" ? "names" : "counter"));
  }
  if (op.type === "create") {
    if (!isSequential(op.mode)) into.set(op.path, widest(into.get(op.path), "node"));
  } else into.set(op.path, widest(into.get(op.path), op.type === "check" ? "node" : "count"));
}

/** The outcome of running writes on a snapshot. */
export type Plan =
  /** The first write looked at paths the snapshot lacks: read them too, then plan again. */
  | { kind: "missing"; paths: string[] }
  /** Nothing to write (failures, Multis of checks): the replies of the first `taken` writes, final at the snapshot. */
  | { kind: "answer"; taken: number; replies: StoreReply[] }
  /**
   * One guarded Txn for the first `taken` writes; `finish(revision)` is their replies once it committed
   * at `revision`. `assumed`: paths the snapshot lacked that the plan took as absent (sequential
   * names), guarded as still absent.
   */
  | { kind: "write"; taken: number; compare: Compare[]; success: RequestOp[]; assumed: string[]; finish(revision: bigint): StoreReply[] };

/**
 * A DataTree over a snapshot. A path the snapshot lacks (only ever a sequential create's actual name:
 * every other path a write touches is read first) is taken as absent and recorded, so a success can
 * guard it and a failure can be judged again once it was read.
 */
class SnapshotTree extends DataTree {
  override readonly nodes: JournaledNodes = new JournaledNodes();
  readonly misses = new Set<string>();
  /** Every path the writes looked up: the ones a Txn must guard (a batch may be shorter than its read). */
  readonly looked = new Set<string>();
  /**
   * The snapshot's znodes; the model replaces the ones it changes, except their children sets, which
   * it changes in place (a create costs O(1), not a copy of its parent's children) and reverts with
   * the writes it undoes.
   */
  readonly initial = new Map<string, ZNode>();
  readonly #known: ReadonlySet<string>;
  constructor(snapshot: Snapshot) {
    super({ childrenInPlace: true });
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
    this.looked.add(path);
    if (!this.#known.has(path)) this.misses.add(path);
    return this.nodes.get(path);
  }
}

/** The tree's nodes, recording what each write replaced so the write can be told apart or undone. */
class JournaledNodes extends Map<string, ZNode> {
  /** Paths changed since `mark()`, with the node each had before (undefined: absent). */
  journal: [string, ZNode | undefined][] = [];
  override set(path: string, node: ZNode): this {
    this.journal.push([path, super.get(path)]);
    return super.set(path, node);
  }
  override delete(path: string): boolean {
    this.journal.push([path, super.get(path)]);
    return super.delete(path);
  }
  mark(): void {
    this.journal = [];
  }
  /** The nodes as they were at `mark()`: path -> node before, for every path changed since. */
  before(): Map<string, ZNode | undefined> {
    const out = new Map<string, ZNode | undefined>();
    for (const [path, node] of this.journal) if (!out.has(path)) out.set(path, node);
    return out;
  }
  /** Back to `mark()`. */
  undo(): void {
    for (const [path, node] of this.before()) {
      if (node) super.set(path, node);
      else super.delete(path);
    }
    this.journal = [];
  }
}

function settle(stat: Stat, revision: bigint): Stat {
  const z = (x: bigint) => {
    const sub = pendingSub(x);
    return sub === undefined ? x : zxidOf(revision, sub);
  };
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

/** One write on the tree: committed into it on success (the reply, once the revision is known), else its failure. */
function runOne(txn: Txn, request: WriteRequest): { failed: StoreReply } | { finish(revision: bigint): StoreReply } {
  if (request.type === "multi") {
    const outcomes: OpOutcome[] = [];
    for (let i = 0; i < request.ops.length; i++) {
      try {
        outcomes.push(apply(txn, request.ops[i]!));
      } catch (e) {
        if (!(e instanceof TxnFailure)) throw e;
        txn.abort();
        const opResults = request.ops.map((_, j) => ({
          resultCode: j < i ? ErrorCode.Ok : j === i ? e.code : ErrorCode.RuntimeInconsistency,
        }));
        return { failed: { resultCode: 0, opResults } };
      }
    }
    txn.commit();
    return {
      finish: (revision) => ({
        resultCode: 0,
        opResults: request.ops.map((op, i) => {
          const { name, stat } = outcomes[i]!;
          if (op.type === "create") return { resultCode: 0, name: name! };
          return stat ? { resultCode: 0, stat: settle(stat, revision) } : { resultCode: 0 };
        }),
      }),
    };
  }
  let outcome: OpOutcome;
  try {
    outcome = apply(txn, request);
  } catch (e) {
    if (!(e instanceof TxnFailure)) throw e;
    txn.abort();
    return { failed: { resultCode: e.code } };
  }
  txn.commit();
  return {
    finish: (revision) => ({
      resultCode: 0,
      ...(outcome.name !== undefined ? { name: outcome.name } : {}),
      ...(outcome.stat ? { stat: settle(outcome.stat, revision) } : {}),
    }),
  };
}

/** True when the node key must be written to turn `before` into `after` (children changes live in the children key). */
function nodeKeyDiffers(before: ZNode | undefined, after: ZNode | undefined): boolean {
  if (!before || !after) return before !== after;
  return after.czxid !== before.czxid || after.data !== before.data || after.acl !== before.acl ||
    after.version !== before.version || after.aversion !== before.aversion || after.mzxid !== before.mzxid ||
    after.mtime !== before.mtime || after.ctime !== before.ctime || after.ephemeralOwner !== before.ephemeralOwner;
}

/**
 * Runs `writes`, in order, each as its writer, on `snapshot` at wall time `timeMs`, as many as one
 * Txn can carry faithfully: a write that would write a node key an earlier one wrote (etcd keeps one
 * value per key and revision, so watchers could not hear both), or that needs paths the snapshot
 * lacks, ends the batch; it goes first in the next one.
 */
export function plan(
  keys: KeyLayout,
  snapshot: Snapshot,
  writes: readonly Write[],
  timeMs: bigint,
): Plan {
  const tree = new SnapshotTree(snapshot);
  const written = new Set<string>();
  /** Paths the writes changed, in the order they first changed: the Txn's ops follow it, so watch events do. */
  const touched = new Set<string>();
  const results: ({ failed: StoreReply } | { finish(revision: bigint): StoreReply })[] = [];
  const limit = Math.min(writes.length, MAX_WRITES_PER_TXN);
  for (let i = 0; i < limit; i++) {
    tree.nodes.mark();
    const missed = tree.misses.size;
    const { request, writer } = writes[i]!;
    const txn = tree.begin({ zxid: pendingZxid(i), timeMs, sessionId: writer.sessionId, authIds: writer.authIds });
    const result = runOne(txn, request);
    // Sets keep insertion order: the misses past `missed` are this write's.
    const fresh = tree.misses.size > missed ? [...tree.misses].slice(missed) : [];
    if ("failed" in result && fresh.length > 0) {
      if (i === 0) return { kind: "missing", paths: fresh };
      undoWrite(tree, txn, fresh);
      break;
    }
    const before = tree.nodes.before();
    const nodeKeys: string[] = [];
    for (const [p, node] of before) if (nodeKeyDiffers(node, tree.nodes.get(p))) nodeKeys.push(p);
    if (i > 0 && nodeKeys.some((p) => written.has(p))) {
      undoWrite(tree, txn, fresh);
      break;
    }
    for (const p of nodeKeys) written.add(p);
    for (const p of before.keys()) touched.add(p);
    results.push(result);
  }
  const taken = results.length;
  // Each write, failed ones too, has its zxid in the Txn; without a Txn, the zxid the snapshot has seen.
  const replies = (revision: bigint, written: boolean) =>
    results.map((r, i): StoreReply => ({
      ...("failed" in r ? r.failed : r.finish(revision)),
      zxid: written ? zxidOf(revision, i) : lastZxidAt(revision),
    }));
  const success = diff(keys, snapshot, tree, touched);
  const assumed = [...tree.misses];
  if (success.length === 0) {
    return assumed.length > 0 ? { kind: "missing", paths: assumed } : { kind: "answer", taken, replies: replies(snapshot.revision, false) };
  }
  // Guards on what the batch's writes read, not on the whole read, which may serve writes after it.
  const read = new Set(tree.looked);
  for (let i = 0; i < taken; i++) for (const path of pathsOf(writes[i]!.request).keys()) read.add(path);
  const guarded = new Map<string, LoadedPath>();
  for (const [path, loaded] of snapshot.paths) if (read.has(path)) guarded.set(path, loaded);
  const compare = guards(keys, guarded.size < snapshot.paths.size ? { ...snapshot, paths: guarded } : snapshot);
  for (const path of assumed) compare.push({ key: keys.node(path), target: "create", result: "equal", operand: 0n });
  return { kind: "write", taken, compare, success, assumed, finish: (revision) => replies(revision, true) };
}

/** Takes the last write out of the tree: its changes and the paths it found missing. */
function undoWrite(tree: SnapshotTree, txn: Txn, misses: readonly string[]): void {
  txn.undoChildren();
  tree.nodes.undo();
  for (const path of misses) tree.misses.delete(path);
}

/**
 * Every key the model read must be as it was: same mod_revision, or still absent (0). The children
 * keys of paths read for their child counts (setData's and delete's targets) go as one compare per
 * run of them (coalesce.ts runsOf): no key from the first to the last changed since the oldest read,
 * when none of them had changed by then. A key created since fails that too; one deleted goes with
 * its node key (a children key outlives no node), which has its own compare.
 */
export function guards(keys: KeyLayout, snapshot: Snapshot): Compare[] {
  const out: Compare[] = [];
  const grouped: string[] = [];
  const children = (path: string, loaded: LoadedPath) =>
    out.push({ key: keys.children(path), target: "mod", result: "equal", operand: loaded.children?.modRevision ?? 0n });
  for (const [path, loaded] of snapshot.paths) {
    out.push({ key: keys.node(path), target: "mod", result: "equal", operand: loaded.node?.modRevision ?? 0n });
    if (loaded.want === "names" || loaded.want === "counter") children(path, loaded);
    if (loaded.want !== "names") grouped.push(path);
  }
  const { runs, rest } = runsOf(grouped);
  const counted = (path: string) => snapshot.paths.get(path)!.want === "count";
  for (const path of rest) if (counted(path)) children(path, snapshot.paths.get(path)!);
  for (const run of runs) {
    const mine = run.filter(counted);
    // Every children key of the run known, not only the counted ones: a create parent among them that
    // an earlier Txn of this chain wrote would fail the range against our own write.
    const unchanged = run.every((path) => (snapshot.paths.get(path)!.children?.modRevision ?? 0n) <= snapshot.readAt);
    if (mine.length < 2 || !unchanged) {
      for (const path of mine) children(path, snapshot.paths.get(path)!);
      continue;
    }
    const last = keys.children(mine.at(-1)!);
    out.push({ key: keys.children(mine[0]!), rangeEnd: keyAfter(last), target: "mod", result: "less", operand: snapshot.readAt + 1n });
  }
  return out;
}

/** The puts and deletes that turn the snapshot into the committed model: one op per key, folded. */
function diff(keys: KeyLayout, snapshot: Snapshot, tree: SnapshotTree, touched: ReadonlySet<string>): RequestOp[] {
  const ops: RequestOp[] = [];
  for (const path of touched) {
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
    const createdSub = pendingSub(after.czxid);
    const created = createdSub !== undefined;
    if (nodeKeyDiffers(before, after)) {
      let flags = 0;
      if (!created && isSystem(loaded)) flags |= NodeFlag.System;
      const mzsub = pendingSub(after.mzxid);
      if (mzsub === undefined) flags |= NodeFlag.StoredMzxid;
      if (created && before) flags |= NodeFlag.Recreated;
      // A czxid its key's create_revision does not give (a re-created node's, once the key moves on) is stored.
      const storedCzxid = !created && loaded?.node !== undefined && !(flags & NodeFlag.System) &&
        after.czxid >> SUB_BITS !== loaded.node.createRevision;
      if (storedCzxid) flags |= NodeFlag.StoredCzxid;
      // The fields one by one: a spread of the znode is most of a create's planning time.
      const value = encodeNode({
        flags,
        version: after.version,
        aversion: after.aversion,
        ctime: after.ctime,
        mtime: after.mtime,
        ephemeralOwner: after.ephemeralOwner,
        acl: after.acl,
        data: after.data,
        mzxid: mzsub === undefined ? after.mzxid : 0n,
        czxid: storedCzxid ? after.czxid : 0n,
        czsub: created ? createdSub : flags & NodeFlag.System ? 0 : subOf(after.czxid),
        mzsub: mzsub ?? 0,
      });
      // An ephemeral's key lives on its session's lease; containers and TTL nodes carry negative markers.
      ops.push({ put: { key: keys.node(path), value, ...(after.ephemeralOwner > 0n ? { lease: after.ephemeralOwner } : {}) } });
    }
    // The children key exists once a node had a child change (or was re-created over an old one).
    const pzsub = pendingSub(after.pzxid);
    if (pzsub !== undefined && (before !== undefined || after.childCreations !== 0)) {
      ops.push({ put: { key: keys.children(path), value: encodeChildren({ creations: after.childCreations, pzsub }) } });
    }
  }
  return ops;
}
