// One-shot watches armed by reads at an etcd revision. The trigger rules are tree/watch_table.ts's
// (ZooKeeper's WatchManager); the difference is time: a watch armed by a read at revision R fires on
// the first qualifying event after R, so events the stream delivers late (at or before R) pass it by.
import type { WatchEvent } from "../api/events.ts";
import { type WatchKind, watchKindsFiredBy } from "../tree/watch_table.ts";

export type { WatchKind };

export class RevisionWatchTable {
  /** path -> session -> revision of the read that armed it. */
  readonly #data = new Map<string, Map<bigint, bigint>>();
  readonly #child = new Map<string, Map<bigint, bigint>>();
  /** Data watches armed on a missing node (exists): they wait for a creation. */
  readonly #absent = new Set<string>();
  /** Armed watches per session, to know cheaply whether a session waits for any event. */
  readonly #count = new Map<bigint, number>();

  /** Arms a watch; a session holds at most one per path and kind (the earliest arming stands). */
  arm(kind: WatchKind, path: string, sessionId: bigint, revision: bigint, existed = true): void {
    const table = kind === "data" ? this.#data : this.#child;
    let sessions = table.get(path);
    if (!sessions) table.set(path, (sessions = new Map()));
    const armed = sessions.get(sessionId);
    if (armed === undefined) this.#count.set(sessionId, (this.#count.get(sessionId) ?? 0) + 1);
    if (armed === undefined || revision < armed) {
      sessions.set(sessionId, revision);
      const id = `${sessionId} ${path}`;
      if (kind === "data" && !existed) this.#absent.add(id);
      else if (kind === "data") this.#absent.delete(id);
    }
  }

  /** Whether a data watch was armed on a node that did not exist then. */
  armedOnAbsent(path: string, sessionId: bigint): boolean {
    return this.#absent.has(`${sessionId} ${path}`);
  }

  /** True when the session holds any armed watch. */
  has(sessionId: bigint): boolean {
    return (this.#count.get(sessionId) ?? 0) > 0;
  }

  /** The revision a session's watch was armed at, if armed. */
  armedAt(kind: WatchKind, path: string, sessionId: bigint): bigint | undefined {
    return (kind === "data" ? this.#data : this.#child).get(path)?.get(sessionId);
  }

  /** Every armed watch, for re-checking after a gap in the event stream. */
  entries(): { kind: WatchKind; path: string; sessionId: bigint; revision: bigint }[] {
    const out: { kind: WatchKind; path: string; sessionId: bigint; revision: bigint }[] = [];
    for (const [kind, table] of [["data", this.#data], ["child", this.#child]] as const) {
      for (const [path, sessions] of table) for (const [sessionId, revision] of sessions) out.push({ kind, path, sessionId, revision });
    }
    return out;
  }

  /** Forgets every watch of an ended session. */
  drop(sessionId: bigint): void {
    for (const table of [this.#data, this.#child]) {
      for (const [path, sessions] of table) {
        sessions.delete(sessionId);
        if (sessions.size === 0) table.delete(path);
      }
    }
    this.#count.delete(sessionId);
    for (const id of this.#absent) if (id.startsWith(`${sessionId} `)) this.#absent.delete(id);
  }

  /**
   * Fires the watches `event` (at `revision`) consumes and returns the sessions to notify, each once:
   * a deletion reaches a session's data and child watches with a single NodeDeleted. `only`
   * restricts firing to one session (replaying history for a watch just armed).
   */
  trigger(event: WatchEvent, revision: bigint, only?: bigint): Set<bigint> {
    const fired = new Set<bigint>();
    const take = (table: Map<string, Map<bigint, bigint>>) => {
      const sessions = table.get(event.path);
      if (!sessions) return;
      for (const [sessionId, armed] of sessions) {
        if (armed >= revision || (only !== undefined && sessionId !== only)) continue;
        sessions.delete(sessionId);
        if (table === this.#data) this.#absent.delete(`${sessionId} ${event.path}`);
        this.#count.set(sessionId, (this.#count.get(sessionId) ?? 1) - 1);
        fired.add(sessionId);
      }
      if (sessions.size === 0) table.delete(event.path);
    };
    for (const kind of watchKindsFiredBy(event.type)) take(kind === "data" ? this.#data : this.#child);
    return fired;
  }
}
