// The watch requests only a ZooKeeper-protocol server sends, removeWatches/checkWatches and the
// setWatches a reconnecting client re-arms with, as ZooKeeper 3.8 judges them: written once for
// every store (the memory store's WatchTable, the etcd store's RevisionWatchTable).
import { EventType, type WatchEvent } from "../api/events.ts";
import { ErrorCode } from "../errors.ts";
import type { PersistentWatchMode, ServerRequest } from "../store.ts";
import type { ZNode } from "./node.ts";
import type { WatchKind, WatchMode } from "./watch_table.ts";

/** What removeWatches needs of a watch table. */
export interface WatchModes {
  modeOf(kind: WatchKind, path: string, sessionId: bigint): WatchMode | undefined;
  remove(kind: WatchKind, path: string, sessionId: bigint): boolean;
}

/** The tables a checkWatches/removeWatches watcher type names, or undefined for a type 3.8 cannot read. */
function watcherKinds(type: number): WatchKind[] | undefined {
  switch (type) {
    case 1: // Children
      return ["child"];
    case 2: // Data
      return ["data"];
    case 3: // Any
      return ["child", "data"];
    default:
      return undefined;
  }
}

/**
 * checkWatches (`remove` false) and removeWatches, answered with a result code. As measured on
 * 3.8.0: its WatcherType knows only Children, Data and Any; a check sees a watch of any mode, a
 * removal takes one-shot watches only, and Any answers OK whenever the session holds any watch there.
 */
export function removeWatches(
  table: WatchModes,
  sessionId: bigint,
  request: Extract<ServerRequest, { type: "removeWatches" }>,
): number {
  const kinds = watcherKinds(request.watcherType);
  if (kinds === undefined) return ErrorCode.MarshallingError;
  const held = kinds.filter((kind) => table.modeOf(kind, request.path, sessionId) !== undefined);
  if (!request.remove) return held.length > 0 ? ErrorCode.Ok : ErrorCode.NoWatcher;
  const removable = held.filter((kind) => table.modeOf(kind, request.path, sessionId) === "standard");
  for (const kind of removable) table.remove(kind, request.path, sessionId);
  const any = request.watcherType === 3;
  return removable.length > 0 || (any && held.length > 0) ? ErrorCode.Ok : ErrorCode.NoWatcher;
}

/** What setWatches does: events to fire at once, one-shot watches to arm, persistent ones to add. */
export interface SetWatchesOutcome {
  fire: WatchEvent[];
  /** `existed` false for an exist watch waiting for its node's creation. */
  arm: { kind: WatchKind; path: string; existed: boolean }[];
  persistent: { path: string; mode: PersistentWatchMode }[];
}

/** The paths setWatches must look at. */
export function setWatchesPaths(request: Extract<ServerRequest, { type: "setWatches" }>): string[] {
  return [...new Set([...request.data, ...request.exist, ...request.child])];
}

/**
 * ZooKeeper's DataTree.setWatches: a watch whose node changed after `relativeZxid` (the last zxid
 * the client saw) fires at once, the others are armed. Judged from the current node alone.
 */
export function judgeSetWatches(
  request: Extract<ServerRequest, { type: "setWatches" }>,
  node: (path: string) => ZNode | undefined,
): SetWatchesOutcome {
  const out: SetWatchesOutcome = { fire: [], arm: [], persistent: [] };
  const fire = (type: EventType, path: string) => out.fire.push({ type, path });
  for (const path of request.data) {
    const n = node(path);
    if (!n) fire(EventType.NodeDeleted, path);
    else if (n.mzxid > request.relativeZxid) fire(EventType.NodeDataChanged, path);
    else out.arm.push({ kind: "data", path, existed: true });
  }
  for (const path of request.exist) {
    if (node(path)) fire(EventType.NodeCreated, path);
    else out.arm.push({ kind: "data", path, existed: false });
  }
  for (const path of request.child) {
    const n = node(path);
    if (!n) fire(EventType.NodeDeleted, path);
    else if (n.pzxid > request.relativeZxid) fire(EventType.NodeChildrenChanged, path);
    else out.arm.push({ kind: "child", path, existed: true });
  }
  for (const path of request.persistent) out.persistent.push({ path, mode: "persistent" });
  for (const path of request.persistentRecursive) out.persistent.push({ path, mode: "persistentRecursive" });
  return out;
}
