// Sequences kept because they once diverged (shrunk by fast-check) or probe a known-hard corner.
import { type CreateMode, OPEN_ACL_UNSAFE } from "../../core/mod.ts";
import type { Step } from "./steps.ts";

const create = (path: string, mode: CreateMode = 0) => ({ type: "create" as const, path, data: null, acl: OPEN_ACL_UNSAFE, mode });
const setData = (path: string, version: number) => ({ type: "setData" as const, path, data: new Uint8Array([version + 1]), version });
const del = (path: string, version = -1) => ({ type: "delete" as const, path, version });

export const FIXTURES: Record<string, Step[]> = {
  "children created y then x are listed x, y (ZooKeeper's HashSet order)": [
    { session: 0, request: create("/a"), watch: false },
    { session: 0, request: create("/a/y"), watch: false },
    { session: 0, request: create("/a/x"), watch: false },
    { session: 0, request: { type: "getChildren", path: "/a", registerWatch: false }, watch: false },
  ],
  "delete and re-create one node in a single Multi gets a new czxid": [
    { session: 0, request: create("/a"), watch: false },
    { session: 1, request: { type: "getData", path: "/a" }, watch: true },
    { session: 0, request: { type: "multi", ops: [{ type: "delete", path: "/a", version: -1 }, create("/a")] }, watch: false },
    { session: 0, request: { type: "exists", path: "/a" }, watch: false },
  ],
  "an ephemeral's close fires deletion and child watches, parent counters follow": [
    { session: 0, request: create("/a"), watch: false },
    { session: 1, request: create("/a/x", 1), watch: false },
    { session: 0, request: { type: "getChildren", path: "/a", registerWatch: true }, watch: true },
    { session: 2, request: { type: "exists", path: "/a/x" }, watch: true },
    { session: 1, close: true },
    { session: 0, request: { type: "getChildren", path: "/a", registerWatch: false }, watch: false },
    { session: 0, request: create("/a/", 2), watch: false },
  ],
  "three sessions pipelining writes under the same parents: each write's own answer, in order": [
    { session: 0, request: create("/a"), watch: false },
    { session: 1, request: create("/b"), watch: false },
    { session: 2, request: { type: "getChildren", path: "/a", registerWatch: true }, watch: true },
    { session: 1, request: { type: "exists", path: "/b/s1-0" }, watch: true },
    {
      burst: [
        [create("/s0-0"), create("/a/s0-0"), setData("/a/s0-0", 0), setData("/a/s0-0", 0), setData("/a/s0-0", 1), create("/a/s0-0/z", 1), del("/a/s0-1"), {
          type: "multi",
          ops: [{ type: "check", path: "/a/s0-0", version: 2 }, create("/b/s0-0")],
        }, setData("/b/s0-0", 0)],
        [create("/a/s1-0"), create("/a/s1-0"), del("/a/s1-0", 1), del("/a/s1-0", 0), create("/a/s1-0", 1), setData("/a/s1-0", 0), create("/b/s1-0"), del("/b/s1-0")],
        [create("/a/s2-0", 4), create("/a/s2-0/z"), setData("/a/s2-0/z", 0), del("/a/s2-0/z"), setData("/a/s2-0", 0), create("/a/s2-1"), del("/a/s2-0")],
      ],
    },
    { session: 0, request: { type: "exists", path: "/a" }, watch: false },
    { session: 0, request: { type: "getChildren", path: "/b", registerWatch: false }, watch: false },
  ],
};
