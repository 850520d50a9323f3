// ZooKeeper's server-side one-shot watch tables and its trigger rules (DataTree + WatchManager).
import { EventType, type WatchEvent } from "../api/events.ts";

export type WatchKind = "data" | "child";

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

/** Armed watches by path, per session; a session holds at most one watch per path and kind. */
export class WatchTable {
  readonly #data = new Map<string, Set<bigint>>();
  readonly #child = new Map<string, Set<bigint>>();

  arm(kind: WatchKind, path: string, sessionId: bigint): void {
    const table = kind === "data" ? this.#data : this.#child;
    let sessions = table.get(path);
    if (!sessions) table.set(path, (sessions = new Set()));
    sessions.add(sessionId);
  }

  /** Forgets every watch of a closed session. */
  drop(sessionId: bigint): void {
    for (const table of [this.#data, this.#child]) {
      for (const [path, sessions] of table) {
        sessions.delete(sessionId);
        if (sessions.size === 0) table.delete(path);
      }
    }
  }

  /**
   * Fires the watches an event consumes and returns the sessions to notify, each once: a node's
   * deletion reaches its data and child watchers with a single NodeDeleted.
   */
  trigger(event: WatchEvent): Set<bigint> {
    const fired = new Set<bigint>();
    const take = (table: Map<string, Set<bigint>>) => {
      const sessions = table.get(event.path);
      if (!sessions) return;
      table.delete(event.path);
      for (const s of sessions) fired.add(s);
    };
    for (const kind of watchKindsFiredBy(event.type)) take(kind === "data" ? this.#data : this.#child);
    return fired;
  }
}
