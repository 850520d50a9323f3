// ZooKeeper's server-side watch tables and their trigger rules (DataTree + WatchManager of 3.8):
// one-shot watches armed by reads, persistent and persistent-recursive watches added by addWatch.
import { EventType, type WatchEvent } from "../api/events.ts";
import type { PersistentWatchMode } from "../store.ts";

export type WatchKind = "data" | "child";
export type WatchMode = "standard" | PersistentWatchMode;

/**
 * Which watches an event consumes (ZooKeeper's DataTree): creation and data changes the data (and
 * exists) watches, deletion both kinds, a child change the child watches.
 */
export function watchKindsFiredBy(type: EventType): readonly WatchKind[] {
  switch (type) {
    case EventType.NodeCreated:
    case EventType.NodeDataChanged:
      return ["data"];
    case EventType.NodeDeleted:
      return ["data", "child"];
    case EventType.NodeChildrenChanged:
      return ["child"];
    default:
      return [];
  }
}

/** `path`, then each ancestor up to "/". */
function* selfAndAncestors(path: string): Generator<string> {
  yield path;
  while (path !== "/") {
    const cut = path.lastIndexOf("/");
    path = cut === 0 ? "/" : path.slice(0, cut);
    yield path;
  }
}

/**
 * Armed watches by kind and path, each session with one mode per path and kind: as in ZooKeeper
 * 3.8, the latest arming sets it (a read's one-shot watch on a path replaces a persistent one).
 * A persistent watch sits in both tables, a recursive one in the data table only.
 */
export class WatchTable {
  readonly #tables: Record<WatchKind, Map<string, Map<bigint, WatchMode>>> = { data: new Map(), child: new Map() };
  /** Watches held per session, so that "does this session wait for any event" is cheap. */
  readonly #held = new Map<bigint, number>();
  #recursive = 0;

  /** Arms a watch; returns false when the session held one there already (only its mode changes). */
  arm(kind: WatchKind, path: string, sessionId: bigint, mode: WatchMode = "standard"): boolean {
    const table = this.#tables[kind];
    let sessions = table.get(path);
    if (!sessions) table.set(path, (sessions = new Map()));
    const previous = sessions.get(sessionId);
    if (previous === "persistentRecursive") this.#recursive--;
    if (mode === "persistentRecursive") this.#recursive++;
    if (previous === undefined) this.#held.set(sessionId, (this.#held.get(sessionId) ?? 0) + 1);
    sessions.set(sessionId, mode);
    return previous === undefined;
  }

  /** True when the session holds any watch. */
  has(sessionId: bigint): boolean {
    return this.#held.has(sessionId);
  }

  /** addWatch: a persistent watch in both tables, a recursive one in the data table. */
  addPersistent(path: string, sessionId: bigint, mode: PersistentWatchMode): void {
    this.arm("data", path, sessionId, mode);
    if (mode === "persistent") this.arm("child", path, sessionId, mode);
  }

  /** The mode of a session's watch, if it holds one. */
  modeOf(kind: WatchKind, path: string, sessionId: bigint): WatchMode | undefined {
    return this.#tables[kind].get(path)?.get(sessionId);
  }

  /** Removes one watch; returns whether there was one. */
  remove(kind: WatchKind, path: string, sessionId: bigint): boolean {
    const sessions = this.#tables[kind].get(path);
    const mode = sessions?.get(sessionId);
    if (mode === undefined) return false;
    if (mode === "persistentRecursive") this.#recursive--;
    sessions!.delete(sessionId);
    if (sessions!.size === 0) this.#tables[kind].delete(path);
    const held = this.#held.get(sessionId)! - 1;
    if (held === 0) this.#held.delete(sessionId);
    else this.#held.set(sessionId, held);
    return true;
  }

  /** Forgets every watch of a session (closed, or its connection gone). */
  drop(sessionId: bigint): void {
    for (const kind of ["data", "child"] as const) {
      for (const [path] of this.#tables[kind]) this.remove(kind, path, sessionId);
    }
  }

  /** Every watch held, by kind, path, session and mode. */
  entries(): { kind: WatchKind; path: string; sessionId: bigint; mode: WatchMode }[] {
    const out: { kind: WatchKind; path: string; sessionId: bigint; mode: WatchMode }[] = [];
    for (const kind of ["data", "child"] as const) {
      for (const [path, sessions] of this.#tables[kind]) {
        for (const [sessionId, mode] of sessions) out.push({ kind, path, sessionId, mode });
      }
    }
    return out;
  }

  /** How many watches, on how many paths, held by how many sessions (`wchs`). */
  counts(): { total: number; paths: number; sessions: number } {
    let total = 0;
    const paths = new Set<string>();
    const sessions = new Set<bigint>();
    for (const kind of ["data", "child"] as const) {
      for (const [path, held] of this.#tables[kind]) {
        total += held.size;
        paths.add(path);
        for (const id of held.keys()) sessions.add(id);
      }
    }
    return { total, paths: paths.size, sessions: sessions.size };
  }

  /**
   * Fires the watches an event consumes and returns the sessions to notify, each once: a node's
   * deletion reaches its data and child watchers with a single NodeDeleted; recursive watches on an
   * ancestor see every change but child changes; one-shot watches are consumed. `accept` passes over
   * the watches it refuses (the etcd store's: armed after the event's revision).
   */
  trigger(event: WatchEvent, accept?: (kind: WatchKind, path: string, sessionId: bigint) => boolean): Set<bigint> {
    const fired = new Set<bigint>();
    for (const kind of watchKindsFiredBy(event.type)) {
      const table = this.#tables[kind];
      // Ancestors matter only to recursive watches, which exist only in the data table.
      const paths = this.#recursive > 0 && kind === "data" ? selfAndAncestors(event.path) : [event.path];
      for (const path of paths) {
        const sessions = table.get(path);
        if (!sessions) continue;
        for (const [id, mode] of sessions) {
          if (accept && !accept(kind, path, id)) continue;
          if (mode === "persistentRecursive") {
            if (event.type !== EventType.NodeChildrenChanged) fired.add(id);
          } else if (path === event.path) {
            fired.add(id);
            if (mode === "standard") this.remove(kind, path, id);
          }
        }
      }
    }
    return fired;
  }
}
