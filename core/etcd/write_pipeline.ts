// A session's queued writes, committed a batch at a time: the longest run of them one snapshot read
// and one guarded Txn can carry (plan.ts decides where a batch must end), instead of a read and a
// Txn per write. A lost compare re-plans the whole batch on the fresh snapshot the Txn's failure
// branch returns; an etcd call that fails leaves the batch's outcome unknown, and the caller answers
// ConnectionLoss without sending it again.
import type { Clock } from "../clock.ts";
import type { StoreReply } from "../store.ts";
import type { Id } from "../api/acl.ts";
import type { EtcdApi, RequestOp } from "./api.ts";
import type { KeyLayout } from "./keys.ts";
import { ErrorCode } from "../errors.ts";
import { classify } from "./failures.ts";
import { markerOp, parseAll, parseMarker, readAllOps, type ReadWant, type Snapshot, widest } from "./snapshot.ts";
import { ReadCost, ReadTooWide } from "./coalesce.ts";
import { pathsOf, plan, type WriteRequest } from "./plan.ts";
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

/** Txns a batch loses to other writers before its first write gives up with SystemError. */
const MAX_WRITE_ATTEMPTS = 64;
/** Reads a batch may need before its plan stops discovering paths (sequential names). */
const MAX_EXTRA_READS = 8;

const EMPTY = new Uint8Array(0);

/** Compares guarding a plan over `paths` (before sequential names): a create's target 1, others 2. */
function guardCost(paths: ReadonlyMap<string, ReadWant>): number {
  let n = 0;
  for (const want of paths.values()) n += want === "node" ? 1 : 2;
  return n;
}

/**
 * The paths of the first writes whose reads fit in one Txn beside the marker and whose guards fit
 * its compares (at least the first write).
 */
function readSet(requests: readonly WriteRequest[], maxTxnOps: number): { count: number; paths: Map<string, ReadWant> } {
  let cost = new ReadCost();
  for (const [path, want] of pathsOf(requests[0]!)) cost.add(path, want);
  let count = 1;
  for (; count < Math.min(requests.length, MAX_WRITES_PER_TXN); count++) {
    const next = cost.copy();
    for (const [path, want] of pathsOf(requests[count]!)) next.add(path, want);
    if (next.ops > maxTxnOps - 1 || guardCost(next.paths) > maxTxnOps) break;
    cost = next;
  }
  return { count, paths: cost.paths };
}

/** A bound on the protobuf size of a Txn branch: keys, values and per-op framing. */
function txnBytes(ops: RequestOp[]): number {
  let n = 0;
  for (const op of ops) {
    if ("put" in op) n += op.put.key.length + op.put.value.length + 32;
    else if ("deleteRange" in op) n += op.deleteRange.key.length + 16;
    else if ("range" in op) n += op.range.key.length + (op.range.rangeEnd?.length ?? 0) + 16;
  }
  return n;
}

/**
 * Commits the longest possible batch from the head of `requests` (never empty) for `sessionId`, its
 * ACLs judged against `authIds`, and returns the replies of the writes it covered, in order. Rejects
 * when an etcd call fails.
 */
export async function commitWrites(
  core: WriteCore,
  sessionId: bigint,
  requests: readonly WriteRequest[],
  authIds: readonly Id[] = [],
): Promise<Committed> {
  const { api, keys, clock, maxTxnOps, maxRequestBytes } = core;
  const alone = (code: number): Committed => ({ replies: [{ resultCode: code }], revision: 0n });
  const fits = (paths: ReadonlyMap<string, ReadWant>) => {
    const cost = new ReadCost();
    for (const [path, want] of paths) cost.add(path, want);
    return cost.ops <= maxTxnOps - 1;
  };
  let { count, paths } = readSet(requests, maxTxnOps);
  if (!fits(paths)) return alone(ErrorCode.BadArguments);
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
        for (const request of requests.slice(0, count)) pathsOf(request, paths);
        addTransient([...transient]);
      }
    }
  };
  let snapshot = await read();
  if (!snapshot) return alone(ErrorCode.BadArguments);
  let extraReads = 0;
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS;) {
    const p = plan(keys, snapshot, requests.slice(0, count), sessionId, BigInt(Math.floor(clock.wallMs())), authIds);
    if (p.kind === "missing") {
      if (++extraReads > MAX_EXTRA_READS) return alone(ErrorCode.SystemError);
      addTransient(p.paths);
      if (!fits(paths)) {
        // Only the first write's paths and its discoveries, then.
        if (count === 1) return alone(ErrorCode.BadArguments);
        count = 1;
        paths = pathsOf(requests[0]!);
        addTransient([...transient]);
        if (!fits(paths)) return alone(ErrorCode.BadArguments);
      }
      const fresh = await read();
      if (!fresh) return alone(ErrorCode.BadArguments);
      snapshot = fresh;
      continue;
    }
    if (p.kind === "answer") return { replies: p.replies, revision: snapshot.marker };
    extraReads = 0;
    // Names taken as free are re-read with the rest if the Txn loses.
    for (const path of transient) if (!p.assumed.includes(path)) paths.delete(path);
    transient = new Set([...transient].filter((path) => p.assumed.includes(path)));
    addTransient(p.assumed);
    const success: RequestOp[] = [...p.success, { put: { key: keys.marker(), value: EMPTY } }];
    // The failure branch re-reads what the plan read, so a lost race costs no extra round trip.
    const reread = [markerOp(keys), ...readAllOps(keys, paths)];
    const failure = reread.length <= maxTxnOps ? reread : [];
    const bytes = txnBytes(success) + txnBytes(failure) + p.compare.reduce((n, c) => n + c.key.length + 24, 0);
    if (p.compare.length > maxTxnOps || success.length > maxTxnOps || bytes > maxRequestBytes) {
      // Past etcd's limits: fewer writes; a single Multi that cannot be one Txn is refused whole
      // rather than split (atomicity).
      if (p.taken === 1) return alone(ErrorCode.BadArguments);
      count = Math.max(1, p.taken >> 1);
      continue;
    }
    attempt++;
    let response;
    try {
      response = await api.txn({ compare: p.compare, success, failure });
    } catch (e) {
      // Refused for its size (so not applied) although the estimate let it through: fewer writes.
      if (p.taken === 1 || classify(e) !== "too-large") throw e;
      count = Math.max(1, p.taken >> 1);
      continue;
    }
    if (response.succeeded) return { replies: p.finish(response.header.revision), revision: response.header.revision };
    if (failure.length === 0) {
      const fresh = await read();
      if (!fresh) return alone(ErrorCode.BadArguments);
      snapshot = fresh;
      continue;
    }
    snapshot = { revision: response.header.revision, marker: parseMarker(response.responses[0]), paths: parseAll(keys, paths, response.responses, 1) };
  }
  return alone(ErrorCode.SystemError);
}
