import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { EventType } from "../api/events.ts";
import { SET_WATCHES_MAX_PATH_BYTES, WatchRegistry } from "./watches.ts";

const path = (i: number, bytes: number): string => `/${String(i).padStart(3, "0")}`.padEnd(bytes, "x");

describe("WatchRegistry", () => {
  it("setWatchesRequests() packs paths up to exactly 128 KiB per request, in kind order", () => {
    const watches = new WatchRegistry();
    const quarter = SET_WATCHES_MAX_PATH_BYTES / 4;
    for (let i = 0; i < 4; i++) watches.add("data", path(i, quarter));
    watches.add("child", path(4, 1));
    const [first, second, ...rest] = watches.setWatchesRequests(9n);
    assert.equal(rest.length, 0);
    assert.equal(first!.dataWatches.length, 4, "four quarters fill one request exactly");
    assert.deepEqual(first!.childWatches, []);
    assert.deepEqual(second!.childWatches, [path(4, 1)]);
    assert.equal(second!.relativeZxid, 9n);
  });

  it("setWatchesRequests() sends a path longer than the limit on its own, and nothing when empty", () => {
    const watches = new WatchRegistry();
    assert.deepEqual(watches.setWatchesRequests(1n), []);
    watches.add("exist", "/a");
    watches.add("data", path(1, SET_WATCHES_MAX_PATH_BYTES + 10));
    const requests = watches.setWatchesRequests(1n);
    assert.deepEqual(requests.map((r) => [r.dataWatches.length, r.existWatches.length]), [[1, 0], [0, 1]]);
  });

  it("consume() drops what a notification fires: a deletion takes every kind", () => {
    const watches = new WatchRegistry();
    for (const kind of ["data", "exist", "child"] as const) watches.add(kind, "/n");
    watches.consume({ type: EventType.NodeChildrenChanged, path: "/n" });
    assert.equal(watches.has("child", "/n"), false);
    assert.equal(watches.size, 2);
    watches.consume({ type: EventType.NodeDeleted, path: "/n" });
    assert.equal(watches.size, 0);
  });
});
