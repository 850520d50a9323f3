// Queued writes (a session's, or several sessions' merged: write_lane.ts), committed a batch at a time: the longest run of them one snapshot read
// and one guarded Txn can carry (plan.ts decides where a batch must end), instead of a read and a
// Txn per write. While a batch's Txn is in flight, the next ones are planned on the prediction that
// it commits (predict.ts) and sent behind it, each guarded so that it commits only right after the
// one before and only if the prediction held. A lost compare re-plans the head batch on the fresh
// snapshot the Txn's failure branch returns; an etcd call that fails leaves its batch's outcome
// unknown, and the caller answers ConnectionLoss without sending it again.
import type { Clock } from "../clock.ts";
import type { StoreReply } from "../store.ts";
import type { Compare, EtcdApi, RequestOp, TxnResponse } from "./api.ts";
import type { KeyLayout } from "./keys.ts";
import { ErrorCode } from "../errors.ts";
import { classify } from "./failures.ts";
import { type LoadedPath, markerOp, parseAll, parseMarker, readAllOps, type ReadWant, type Snapshot, widest } from "./snapshot.ts";
import { applyPredicted, project } from "./predict.ts";
import { ReadCost, ReadTooWide } from "./coalesce.ts";
import { pathsOf, plan, type Write } from "./plan.ts";
import { MAX_WRITES_PER_TXN } from "./zxid.ts";

/** What the pipeline needs from its store. */
export interface WriteCore {
  readonly api: EtcdApi;
  readonly keys: KeyLayout;
  readonly clock: Clock;
  readonly maxTxnOps: number;
  readonly maxRequestBytes: number;
  read(paths: ReadonlyMap<string, ReadWant>): Promise<Snapshot>;
}

/** The replies of the first writes of a queue, and the revision a reply must follow. */
export interface Committed {
  replies: StoreReply[];
  /** The Txn's revision, or the snapshot's marker when nothing was written. */
  revision: bigint;
}

/** What one call committed: one or more batches, and the failure of the Txn after them, if one failed. */
export interface Commits {
  batches: Committed[];
  /** Every write after the batches has an unknown outcome, or etcd refused the first of them. */
  error?: unknown;
}

/** Txns of one session in flight at once: its head batch and the ones planned on its prediction. */
const PIPELINE_DEPTH = 4;
/** Txns a batch loses to other writers before its first write gives up with SystemError. */
const MAX_WRITE_ATTEMPTS = 64;
/** Reads a batch may need before its plan stops discovering paths (sequential names). */
const MAX_EXTRA_READS = 8;

/**
 * The paths of the first writes from `from` whose reads fit `readOps` range ops and whose guards fit
 * `compares` (at least the first write).
 */
function readSet(writes: readonly Write[], from: number, readOps: number, compares: number): { count: number; paths: Map<string, ReadWant> } {
  const cost = new ReadCost();
  for (const [path, want] of pathsOf(writes[from]!.request)) cost.add(path, want);
  const end = Math.min(writes.length, from + MAX_WRITES_PER_TXN);
  const mine = new Map<string, ReadWant>();
  const before: (ReadWant | undefined)[] = [];
  let at = from + 1;
  for (; at < end; at++) {
    mine.clear();
    before.length = 0;
    for (const [path, want] of pathsOf(writes[at]!.request, mine)) {
      before.push(cost.paths.get(path));
      cost.add(path, want);
    }
    if (cost.ops > readOps || cost.compares > compares) {
      let i = 0;
      for (const path of mine.keys()) cost.set(path, before[i++]);
      break;
    }
  }
  return { count: at - from, paths: cost.paths };
}

/** A bound on the protobuf size of a Txn: keys, values and per-op framing. */
function txnBytes(compare: readonly Compare[], ...branches: (readonly RequestOp[])[]): number {
  let n = 0;
  for (const c of compare) n += c.key.length + (c.operand instanceof Uint8Array ? c.operand.length : 0) + 24;
  for (const op of branches.flat()) {
    if ("put" in op) n += op.put.key.length + op.put.value.length + 32;
    else if ("deleteRange" in op) n += op.deleteRange.key.length + 16;
    else if ("range" in op) n += op.range.key.length + (op.range.rangeEnd?.length ?? 0) + 16;
  }
  return n;
}

/**
 * Commits the longest possible batch from the head of `writes` (never empty), each as its writer,
 * and, when more writes are queued behind it, the batches after it
 * (up to PIPELINE_DEPTH in all), each planned while the one before is in flight on the prediction
 * that it commits. Calls `committed` with each batch's replies as it commits, in order; returns
 * the failure of the Txn after the last, if one failed. Rejects when the head's etcd call fails.
 */
export async function commitWrites(
  core: WriteCore,
  writes: readonly Write[],
  committed: (batch: Committed) => void,
): Promise<{ error?: unknown }> {
  const { api, keys, clock, maxTxnOps, maxRequestBytes } = core;
  const alone = (code: number) => {
    committed({ replies: [{ resultCode: code }], revision: 0n });
    return {};
  };
  const fits = (paths: ReadonlyMap<string, ReadWant>) => {
    const cost = new ReadCost();
    for (const [path, want] of paths) cost.add(path, want);
    return cost.ops <= maxTxnOps - 1;
  };
  let { count, paths } = readSet(writes, 0, maxTxnOps - 1, maxTxnOps);
  if (!fits(paths)) return alone(ErrorCode.BadArguments);
  // The reads of the batches that may follow, sent beside the head's (one group more than they
  // can use, as their batches need not end where the groups do).
  const ahead: Promise<Snapshot | undefined>[] = [];
  for (let at = count; at < writes.length && ahead.length < PIPELINE_DEPTH;) {
    const next = readSet(writes, at, maxTxnOps - 1, maxTxnOps);
    ahead.push(core.read(next.paths).catch(() => undefined));
    at += next.count;
  }
  // Sequential names read or guessed for one attempt; dropped when a later attempt needs others,
  // so a long race does not grow the reads.
  let transient = new Set<string>();
  const addTransient = (found: readonly string[]) => {
    for (const path of found) {
      if (!paths.has(path)) transient.add(path);
      paths.set(path, widest(paths.get(path), "node"));
    }
  };
  /**
   * Reads `paths`; when their ranges stopped at their limits and they do not fit one Txn path by
   * path (ReadTooWide), with fewer writes. Undefined when even the first write's do not.
   */
  const read = async (): Promise<Snapshot | undefined> => {
    for (;;) {
      try {
        return await core.read(paths);
      } catch (e) {
        if (!(e instanceof ReadTooWide)) throw e;
        if (count === 1) return undefined;
        count = Math.max(1, count >> 1);
        paths = new Map();
        for (const write of writes.slice(0, count)) pathsOf(write.request, paths);
        addTransient([...transient]);
      }
    }
  };
  let snapshot = await read();
  if (!snapshot) return alone(ErrorCode.BadArguments);
  let extraReads = 0;
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS;) {
    const p = plan(keys, snapshot, writes.slice(0, count), BigInt(Math.floor(clock.wallMs())));
    if (p.kind === "missing") {
      if (++extraReads > MAX_EXTRA_READS) return alone(ErrorCode.SystemError);
      addTransient(p.paths);
      if (!fits(paths)) {
        // Only the first write's paths and its discoveries, then.
        if (count === 1) return alone(ErrorCode.BadArguments);
        count = 1;
        paths = pathsOf(writes[0]!.request);
        addTransient([...transient]);
        if (!fits(paths)) return alone(ErrorCode.BadArguments);
      }
      const fresh = await read();
      if (!fresh) return alone(ErrorCode.BadArguments);
      snapshot = fresh;
      continue;
    }
    if (p.kind === "answer") {
      committed({ replies: p.replies, revision: snapshot.marker });
      return {};
    }
    extraReads = 0;
    // Names taken as free are re-read with the rest if the Txn loses.
    for (const path of transient) if (!p.assumed.includes(path)) paths.delete(path);
    transient = new Set([...transient].filter((path) => p.assumed.includes(path)));
    addTransient(p.assumed);
    const success: RequestOp[] = [...p.success, markerPut(keys)];
    // The failure branch re-reads what the plan read, so a lost race costs no extra round trip.
    const reread = [markerOp(keys), ...readAllOps(keys, paths)];
    const failure = reread.length <= maxTxnOps ? reread : [];
    if (p.compare.length > maxTxnOps || success.length > maxTxnOps || txnBytes(p.compare, success, failure) > maxRequestBytes) {
      // Past etcd's limits: fewer writes; a single Multi that cannot be one Txn is refused whole
      // rather than split (atomicity).
      if (p.taken === 1) return alone(ErrorCode.BadArguments);
      count = Math.max(1, p.taken >> 1);
      continue;
    }
    const first = attempt++ === 0;
    const head = api.txn({ compare: p.compare, success, failure });
    // The batches behind, planned while the head is in flight: on its first attempt only.
    const successors = first && p.taken < writes.length ? followers(core, writes.slice(p.taken), snapshot, ahead, success) : undefined;
    let response;
    try {
      response = await head;
    } catch (e) {
      // Refused for its size (so not applied) although the estimate let it through: fewer writes.
      if (p.taken === 1 || classify(e) !== "too-large") throw e;
      count = Math.max(1, p.taken >> 1);
      continue;
    }
    if (response.succeeded) {
      committed({ replies: p.finish(response.header.revision), revision: response.header.revision });
      const next = await successors;
      return next ? next.run(success, response.header.revision, committed) : {};
    }
    if (failure.length === 0) {
      const fresh = await read();
      if (!fresh) return alone(ErrorCode.BadArguments);
      snapshot = fresh;
      continue;
    }
    snapshot = { revision: response.header.revision, marker: parseMarker(response.responses[0]), readAt: response.header.revision, paths: parseAll(keys, paths, response.responses, 1) };
  }
  return alone(ErrorCode.SystemError);
}

/**
 * The successors of a head batch read at `snapshot` and writing `headOps`, once the reads `ahead`
 * are in; undefined if planning failed (the head's outcome must not wait on it).
 */
function followers(
  core: WriteCore,
  writes: readonly Write[],
  snapshot: Snapshot,
  ahead: readonly Promise<Snapshot | undefined>[],
  headOps: readonly RequestOp[],
): Promise<Successors | undefined> {
  return Promise.all(ahead).then((found) => {
    const known = new Map<string, LoadedPath>();
    let revision = snapshot.revision;
    let readAt = snapshot.readAt;
    for (const s of found) {
      if (!s) continue;
      for (const [path, loaded] of s.paths) known.set(path, loaded);
      if (s.revision > revision) revision = s.revision;
      if (s.readAt < readAt) readAt = s.readAt;
    }
    // The head's reads win: the Txn in flight was planned on them.
    for (const [path, loaded] of snapshot.paths) known.set(path, loaded);
    return new Successors(core, writes, known, readAt, headOps, revision + 1n);
  }).catch(() => undefined);
}

function markerPut(keys: KeyLayout): RequestOp {
  return { put: { key: keys.marker(), value: new Uint8Array(0) } };
}

/** A batch planned on what the Txns before it leave, if the last commits at `revision`. */
interface Guess {
  revision: bigint;
  /** Every path read, with the writes of the Txns before applied. */
  known: Map<string, LoadedPath>;
  /** Undefined when the next batch cannot be planned on `known` (it writes nothing, or reads more). */
  batch: Planned | undefined;
}

interface Planned {
  taken: number;
  compare: Compare[];
  success: RequestOp[];
  finish(revision: bigint): StoreReply[];
}

/**
 * The batches after a head batch. Each is planned while the Txn before it is in flight, on what
 * that Txn leaves if it commits at the revision after the last seen (predict.ts), and sent once it
 * committed: re-planned first if it committed at another revision. Its reads are guarded at the
 * revisions planned on, so another writer coming between fails it; that ends the run, and the
 * caller's next call reads afresh. The Txns go one after another, never together: etcd may apply
 * requests in flight at once in any order, and a session's writes commit in request order.
 */
class Successors {
  readonly #core: WriteCore;
  readonly #writes: readonly Write[];
  /** The paths read, as the last committed Txn left them. */
  #known: Map<string, LoadedPath>;
  /** Requests already sent. */
  #at = 0;
  #guess: Guess;

  /** The revision of the oldest read in `#known`. */
  readonly #readAt: bigint;

  /**
   * `known`: the head batch's reads and the reads ahead, the oldest at `readAt`; the head's Txn
   * writes `headOps`, predicted at `revision`.
   */
  constructor(core: WriteCore, writes: readonly Write[], known: Map<string, LoadedPath>, readAt: bigint, headOps: readonly RequestOp[], revision: bigint) {
    this.#core = core;
    this.#writes = writes;
    this.#known = known;
    this.#readAt = readAt;
    this.#guess = this.#prepare(headOps, revision);
  }

  /** The next batch, planned on `#known` with `ops` applied at `revision`. */
  #prepare(ops: readonly RequestOp[], revision: bigint): Guess {
    const { keys, clock, maxTxnOps, maxRequestBytes } = this.#core;
    const known = new Map(this.#known);
    applyPredicted(keys, known, ops, revision);
    const guess: Guess = { revision, known, batch: undefined };
    if (this.#at === this.#writes.length) return guess;
    const wants = readSet(this.#writes, this.#at, Infinity, maxTxnOps);
    const paths = project(known, wants.paths);
    if (!paths) return guess;
    const p = plan(keys, { revision, marker: revision, readAt: this.#readAt, paths }, this.#writes.slice(this.#at, this.#at + wants.count), BigInt(Math.floor(clock.wallMs())));
    if (p.kind !== "write") return guess;
    const success = [...p.success, markerPut(keys)];
    if (p.compare.length > maxTxnOps || success.length > maxTxnOps || txnBytes(p.compare, success) > maxRequestBytes) return guess;
    guess.batch = { taken: p.taken, compare: p.compare, success, finish: p.finish };
    return guess;
  }

  /**
   * Sends the batches after the head's, which wrote `headOps` and committed at `revision`, up to
   * PIPELINE_DEPTH - 1 of them; returns the error of the one whose etcd call failed, if one did.
   */
  async run(headOps: readonly RequestOp[], revision: bigint, committed: (batch: Committed) => void): Promise<{ error?: unknown }> {
    let ops = headOps;
    for (let sent = 0; sent < PIPELINE_DEPTH - 1; sent++) {
      const guess = this.#guess.revision === revision ? this.#guess : this.#prepare(ops, revision);
      this.#known = guess.known;
      const batch = guess.batch;
      if (!batch) return {};
      const call = this.#core.api.txn({ compare: batch.compare, success: batch.success, failure: [] });
      this.#at += batch.taken;
      this.#guess = this.#prepare(batch.success, revision + 1n);
      let response: TxnResponse;
      try {
        response = await call;
      } catch (e) {
        // Refused for its size (nothing applied): the caller plans those writes again, fewer at a time.
        return classify(e) === "too-large" && batch.taken > 1 ? {} : { error: e };
      }
      if (!response.succeeded) return {};
      revision = response.header.revision;
      committed({ replies: batch.finish(revision), revision });
      ops = batch.success;
    }
    return {};
  }
}
