// Sequences kept because they once diverged (shrunk by fast-check) or probe a known-hard corner.
import { type CreateMode, OPEN_ACL_UNSAFE } from "../../core/mod.ts";
import type { Step } from "./steps.ts";

const create = (path: string, mode: CreateMode = 0) => ({ type: "create" as const, path, data: null, acl: OPEN_ACL_UNSAFE, mode });

export const FIXTURES: Record<string, Step[]> = {
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
};
