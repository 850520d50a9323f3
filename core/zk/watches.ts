// The client's record of the one-shot watches the server holds for it (Java's ZKWatchManager), kept so
// a reconnect can re-arm them with setWatches.
import { EventType, type WatchEvent } from "../api/events.ts";
import { OpCode } from "./opcodes.ts";
import type { WireSetWatchesRequest } from "./records_ops.ts";
import { javaUtf8Length } from "./utf8.ts";

/** data: getData, or exists on a node that existed; exist: exists on a missing node; child: getChildren. */
export type WatchKind = "data" | "exist" | "child";

/** Java's client sends setWatches in frames of at most 128 KiB of paths (ClientCnxn.SET_WATCHES_MAX_LENGTH). */
export const SET_WATCHES_MAX_PATH_BYTES: number = 128 * 1024;

/** Paths with an armed watch, by kind. */
export class WatchRegistry {
  readonly #paths: Record<WatchKind, Set<string>> = { data: new Set(), exist: new Set(), child: new Set() };

  add(kind: WatchKind, path: string): void {
    this.#paths[kind].add(path);
  }

  has(kind: WatchKind, path: string): boolean {
    return this.#paths[kind].has(path);
  }

  get size(): number {
    return this.#paths.data.size + this.#paths.exist.size + this.#paths.child.size;
  }

  /** Forgets the watches a notification consumed (the server dropped them when it fired). */
  consume(event: WatchEvent): void {
    const { data, exist, child } = this.#paths;
    switch (event.type) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
        data.delete(event.path);
        exist.delete(event.path);
        break;
      case EventType.NodeDeleted:
        data.delete(event.path);
        exist.delete(event.path);
        child.delete(event.path);
        break;
      case EventType.NodeChildrenChanged:
        child.delete(event.path);
        break;
    }
  }

  clear(): void {
    for (const set of Object.values(this.#paths)) set.clear();
  }

  /**
   * The setWatches requests that re-arm every watch relative to `relativeZxid` (the server fires at
   * once what changed after it). Paths are packed in order, a new request starting whenever the next
   * path would take one past `maxPathBytes` of UTF-8; a single longer path goes alone.
   */
  setWatchesRequests(relativeZxid: bigint, maxPathBytes: number = SET_WATCHES_MAX_PATH_BYTES): WireSetWatchesRequest[] {
    const requests: WireSetWatchesRequest[] = [];
    let current = { data: [] as string[], exist: [] as string[], child: [] as string[] };
    let bytes = 0;
    const flush = () => {
      if (bytes === 0) return;
      requests.push({
        type: OpCode.SetWatches,
        relativeZxid,
        dataWatches: current.data,
        existWatches: current.exist,
        childWatches: current.child,
      });
      current = { data: [], exist: [], child: [] };
      bytes = 0;
    };
    for (const kind of ["data", "exist", "child"] as const) {
      for (const path of this.#paths[kind]) {
        // Count at least one byte per path so an empty-path oddity still ends a frame.
        const length = Math.max(1, javaUtf8Length(path));
        if (bytes > 0 && bytes + length > maxPathBytes) flush();
        current[kind].push(path);
        bytes += length;
      }
    }
    flush();
    return requests;
  }
}
