// etcd events of one revision -> the ZooKeeper watch events they stand for.
import type { WatchEvent as EtcdEvent } from "./api.ts";
import type { KeyLayout } from "./keys.ts";
import { EventType, type WatchEvent } from "../api/events.ts";
import { parentOf } from "../api/path.ts";
import { decodeNode, NodeFlag } from "./codec.ts";

/** What one revision of the namespace meant. */
export interface Translated {
  events: WatchEvent[];
  /** Sessions whose session key went: their lease was revoked or expired. */
  endedSessions: bigint[];
  /** Session keys written: a session started, or a server took it over (the value names its handle). */
  ownedSessions: { leaseId: bigint; value: Uint8Array }[];
}

/**
 * Translates the events of one revision, in etcd's order, without duplicates:
 * - node key created: NodeCreated, and NodeChildrenChanged on the parent;
 * - node key deleted (a request or a lease's end): NodeDeleted, and NodeChildrenChanged on the parent;
 * - node key rewritten: NodeDataChanged, unless a setACL rewrote it (stored mzxid: no watch fires);
 *   a node deleted and created again by one Multi: NodeDeleted then NodeCreated;
 * - children key written: NodeChildrenChanged (covers a child created and deleted by one Multi).
 */
export function translate(keys: KeyLayout, raw: readonly EtcdEvent[]): Translated {
  const events: WatchEvent[] = [];
  const endedSessions: bigint[] = [];
  const ownedSessions: Translated["ownedSessions"] = [];
  const seen = new Set<string>();
  const emit = (type: EventType, path: string) => {
    const id = `${type} ${path}`;
    if (seen.has(id)) return;
    seen.add(id);
    events.push({ type, path });
  };
  for (const ev of raw) {
    const parsed = keys.parse(ev.kv.key);
    switch (parsed.kind) {
      case "node": {
        const path = parsed.path;
        if (ev.type === "delete") {
          emit(EventType.NodeDeleted, path);
          if (path !== "/") emit(EventType.NodeChildrenChanged, parentOf(path));
          break;
        }
        const flags = decodeNode(ev.kv.value).flags;
        if (ev.kv.createRevision === ev.kv.modRevision || flags & NodeFlag.Recreated) {
          if (flags & NodeFlag.Recreated) emit(EventType.NodeDeleted, path);
          emit(EventType.NodeCreated, path);
          if (path !== "/") emit(EventType.NodeChildrenChanged, parentOf(path));
        } else if (!(flags & NodeFlag.StoredMzxid)) {
          emit(EventType.NodeDataChanged, path);
        }
        break;
      }
      case "children":
        if (ev.type === "put") emit(EventType.NodeChildrenChanged, parsed.path);
        break;
      case "session":
        if (ev.type === "delete") endedSessions.push(parsed.leaseId);
        else ownedSessions.push({ leaseId: parsed.leaseId, value: ev.kv.value });
        break;
    }
  }
  return { events, endedSessions, ownedSessions };
}
