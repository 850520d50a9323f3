// Checks over a recorded load (reliability.md §7.2): C1 no acknowledged write lost, C5 typed errors in
// bounded time, C6 recovery; and the one-line summary each case prints.
import assert from "node:assert/strict";
import { codeName, ErrorCode, type ExistsResponse, type KafkaMetastore } from "../../../core/mod.ts";
import type { Stalls } from "../stalls.ts";
import { type Op, writtenValue } from "./workload.ts";

/** C6's bound: writes succeed again within this long after a fault heals (of this process's running time). */
export const RECOVERY_MS = 5000;

const isWrite = (o: Op) => o.kind !== "getData";

/** The first write invoked after `t` that succeeded, if any. */
export function firstWriteOkAfter(ops: readonly Op[], t: number): Op | undefined {
  return ops.find((o) => o.code === ErrorCode.Ok && isWrite(o) && o.start > t);
}

/** "N ops, M failed (codes), slowest op X ms (Y running: a KIND, CODE), longest stall Z ms", the numbers every case prints. */
export function describeOps(ops: readonly Op[], stalls: Stalls): string {
  const failed = ops.filter((o) => o.code !== ErrorCode.Ok);
  const codes = [...new Set(failed.map((o) => codeName(o.code)))].join(",");
  const worst = slowest(ops, stalls.running.bind(stalls));
  const which = worst.op ? `: a ${worst.op.kind}, ${codeName(worst.op.code)}` : "";
  return `${ops.length} ops, ${failed.length} failed (${codes}), slowest op ${Math.round(slowest(ops, (a, b) => b - a).ms)} ms ` +
    `(${Math.round(worst.ms)} running${which}), longest stall ${Math.round(stalls.longest())} ms`;
}

/** The op that took longest by `took`, and how long it took (0 for no ops). */
function slowest(ops: readonly Op[], took: (start: number, end: number) => number): { ms: number; op?: Op } {
  let worst: { ms: number; op?: Op } = { ms: 0 };
  for (const op of ops) {
    const ms = took(op.start, op.end);
    if (ms > worst.ms) worst = { ms, op };
  }
  return worst;
}

/**
 * C5: every failure has one of `codes` (ConnectionLoss: outcome unknown) and no operation took
 * longer than `maxMs` of this process's running time.
 */
export function checkTypedFailures(
  ops: readonly Op[],
  stalls: Stalls,
  maxMs: number,
  summary: string,
  codes: readonly number[] = [ErrorCode.ConnectionLoss],
): void {
  for (const o of ops) {
    if (o.code !== ErrorCode.Ok) assert.ok(codes.includes(o.code), `${o.kind} failed with ${codeName(o.code)}: ${summary}`);
  }
  const took = slowest(ops, stalls.running.bind(stalls)).ms;
  assert.ok(took <= maxMs, `an op took ${Math.round(took)} ms of running time (at most ${maxMs}): ${summary}`);
}

/**
 * C5's usual bound: one etcd call's request timeout, and 2 s for a busy machine (a read that timed
 * out on a paused member goes on to another one, which may still be electing a leader: ~1 s).
 */
export const opBoundMs = (requestTimeoutMs: number): number => requestTimeoutMs + 2000;

/**
 * C6: a write invoked after `healedAt` succeeds within `withinMs` of this process's running time,
 * and every op invoked after that succeeds.
 */
export function checkRecovery(ops: readonly Op[], stalls: Stalls, healedAt: number, withinMs: number, summary: string): void {
  const first = firstWriteOkAfter(ops, healedAt);
  const deadline = stalls.after(healedAt, withinMs);
  assert.ok(first && first.end <= deadline, `no write succeeded within ${withinMs} ms: ${summary}`);
  const tail = ops.filter((o) => o.start > deadline);
  assert.ok(tail.length > 0, `no op ran after the first ${withinMs} ms: ${summary}`);
  const failing = tail.filter((o) => o.code !== ErrorCode.Ok);
  assert.equal(failing.length, 0, `ops still failing after ${withinMs} ms: ${summary}`);
}

/**
 * C1 through `reader`: every acknowledged create (and multi) is there, and the register `reg` holds
 * the last acknowledged value or a value written later by an operation of unknown outcome.
 */
export async function checkAcknowledged(ops: readonly Op[], reader: KafkaMetastore, reg: string): Promise<void> {
  const created = ops.filter((o) => (o.kind === "create" || o.kind === "multi") && o.code === ErrorCode.Ok);
  const found = (await reader.handleRequests(created.map((o) => ({ type: "exists", path: o.path! })))) as ExistsResponse[];
  found.forEach((r, i) => assert.ok(r.stat, `acknowledged ${created[i]!.kind} of ${created[i]!.path} is lost (${codeName(r.resultCode)})`));
  const writes = ops.filter((o) => o.kind === "setData" || o.kind === "multi");
  let lastOk = writes.length - 1;
  while (lastOk >= 0 && writes[lastOk]!.code !== ErrorCode.Ok) lastOk--;
  // Before any acknowledged write the register is empty, as created.
  const allowed = new Set([lastOk >= 0 ? writtenValue(writes[lastOk]!) : ""]);
  for (const o of writes.slice(lastOk + 1)) if (o.code === ErrorCode.ConnectionLoss) allowed.add(writtenValue(o));
  const r = await reader.handleRequest({ type: "getData", path: reg });
  assert.equal(r.resultCode, ErrorCode.Ok);
  const value = new TextDecoder().decode(r.data ?? new Uint8Array());
  assert.ok(allowed.has(value), `register holds "${value}", expected one of ${[...allowed]}`);
}
