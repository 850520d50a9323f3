// Watches armed at an etcd revision: one-shot ones by reads, persistent ones by addWatch. Their modes
// and trigger rules are tree/watch_table.ts's (ZooKeeper's WatchManager); the difference is time: a
// watch armed at revision R fires on qualifying events after R only, so events the stream delivers
// late (at or before R) pass it by.
import type { WatchEvent } from "../api/events.ts";
import type { PersistentWatchMode } from "../store.ts";
import { type WatchKind, type WatchMode, WatchTable } from "../tree/watch_table.ts";

export type { WatchKind, WatchMode };

function keyOf(sessionId: bigint, kind: WatchKind, path: string): string {
  return `${sessionId} ${kind} ${path}`;
}

export class RevisionWatchTable {
  readonly #modes = new WatchTable();
  /** session kind path -> the revision the watch has been armed since. */
  readonly #since = new Map<string, bigint>();
  /** Data watches armed on a missing node (exists): they wait for a creation. */
  readonly #absent = new Set<string>();

  /**
   * Arms a watch at `revision`. A session holds one watch per path and kind: arming again sets its
   * mode (the latest arming, as ZooKeeper), while the earliest revision stands, since it has been
   * live from then on. Returns true when the watch is new.
   */
  arm(kind: WatchKind, path: string, sessionId: bigint, revision: bigint, existed = true, mode: WatchMode = "standard"): boolean {
    const fresh = this.#modes.arm(kind, path, sessionId, mode);
    const id = keyOf(sessionId, kind, path);
    const since = this.#since.get(id);
    if (fresh || since === undefined || revision < since) {
      this.#since.set(id, revision);
      if (kind === "data" && !existed) this.#absent.add(id);
      else this.#absent.delete(id);
    }
    return fresh;
  }

  /** addWatch: a persistent watch in both tables, a recursive one in the data table. */
  addPersistent(path: string, sessionId: bigint, mode: PersistentWatchMode, revision: bigint): boolean {
    const fresh = this.arm("data", path, sessionId, revision, true, mode);
    if (mode === "persistent") this.arm("child", path, sessionId, revision, true, mode);
    return fresh;
  }

  modeOf(kind: WatchKind, path: string, sessionId: bigint): WatchMode | undefined {
    return this.#modes.modeOf(kind, path, sessionId);
  }

  remove(kind: WatchKind, path: string, sessionId: bigint): boolean {
    const id = keyOf(sessionId, kind, path);
    this.#since.delete(id);
    this.#absent.delete(id);
    return this.#modes.remove(kind, path, sessionId);
  }

  /** Whether a data watch was armed on a node that did not exist then. */
  armedOnAbsent(path: string, sessionId: bigint): boolean {
    return this.#absent.has(keyOf(sessionId, "data", path));
  }

  /** True when the session holds any watch. */
  has(sessionId: bigint): boolean {
    return this.#modes.has(sessionId);
  }

  /** The revision a session's one-shot watch was armed at, if it holds one. */
  armedAt(kind: WatchKind, path: string, sessionId: bigint): bigint | undefined {
    return this.#modes.modeOf(kind, path, sessionId) === "standard" ? this.#since.get(keyOf(sessionId, kind, path)) : undefined;
  }

  /** Every one-shot watch, for re-checking after a gap in the event stream. */
  entries(): { kind: WatchKind; path: string; sessionId: bigint; revision: bigint }[] {
    return this.#modes.entries().filter((w) => w.mode === "standard")
      .map((w) => ({ ...w, revision: this.#since.get(keyOf(w.sessionId, w.kind, w.path))! }));
  }

  /** Forgets every watch of a session (ended, or its connection gone). */
  drop(sessionId: bigint): void {
    this.#modes.drop(sessionId);
    const prefix = `${sessionId} `;
    for (const id of this.#since.keys()) if (id.startsWith(prefix)) this.#since.delete(id);
    for (const id of this.#absent) if (id.startsWith(prefix)) this.#absent.delete(id);
  }

  counts(): { total: number; paths: number; sessions: number } {
    return this.#modes.counts();
  }

  /**
   * Fires the watches `event` (at `revision`) reaches and returns the sessions to notify, each once.
   * `only` restricts firing to one session (replaying history for a watch just armed).
   */
  trigger(event: WatchEvent, revision: bigint, only?: bigint): Set<bigint> {
    const fired = this.#modes.trigger(event, (kind, path, sessionId) => {
      if (only !== undefined && sessionId !== only) return false;
      const since = this.#since.get(keyOf(sessionId, kind, path));
      return since !== undefined && since < revision;
    });
    // One-shot watches the event consumed: their revisions go too.
    for (const sessionId of fired) {
      for (const kind of ["data", "child"] as const) {
        if (this.#modes.modeOf(kind, event.path, sessionId) === undefined) this.remove(kind, event.path, sessionId);
      }
    }
    return fired;
  }
}
