// Random operation sequences on the memory store keep ZooKeeper's tree invariants.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createMemoryStore, type MemoryStore } from "./memory_store.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { OPEN_ACL_UNSAFE } from "../api/acl.ts";
import type { Request, ZkOp } from "../api/requests.ts";
import type { StoreSession } from "../store.ts";
import { ErrorCode } from "../errors.ts";
import { parentOf } from "../api/path.ts";

const PATHS = ["/a", "/b", "/a/x", "/a/y", "/b/x", "/a/x/z"];
const path = fc.constantFrom(...PATHS);
const version = fc.constantFrom(-1, 0, 1);
const data = fc.option(fc.uint8Array({ maxLength: 4 }), { nil: null });
const op: fc.Arbitrary<ZkOp> = fc.oneof(
  fc.record({ type: fc.constant("create" as const), path, data, acl: fc.constant(OPEN_ACL_UNSAFE), mode: fc.constantFrom(0, 1, 2, 3, 4) }),
  fc.record({ type: fc.constant("delete" as const), path, version }),
  fc.record({ type: fc.constant("setData" as const), path, data, version }),
  fc.record({ type: fc.constant("check" as const), path, version }),
);
type Step = { session: number; request: Request } | { session: number; close: true };
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ session: fc.nat(2), request: op as fc.Arbitrary<Request> }) },
  { weight: 2, arbitrary: fc.record({ session: fc.nat(2), request: fc.record({ type: fc.constant("multi" as const), ops: fc.array(op, { maxLength: 4 }) }) }) },
  { weight: 1, arbitrary: fc.record({ session: fc.nat(2), close: fc.constant(true as const) }) },
);

function checkInvariants(store: MemoryStore, live: Set<bigint>): void {
  const nodes = new Map(store.dump().map((n) => [n.path, n]));
  for (const [p, n] of nodes) {
    const parent = parentOf(p);
    if (parent !== "/") {
      const pn = nodes.get(parent);
      assert.ok(pn, `parent of ${p} exists`);
      assert.equal(pn.stat.ephemeralOwner > 0n, false, `ephemeral ${parent} has no children`);
    }
    const kids = [...nodes.keys()].filter((q) => parentOf(q) === p && q !== p);
    assert.equal(n.stat.numChildren, kids.length, `numChildren of ${p}`);
    assert.ok((n.stat.cversion + n.stat.numChildren) % 2 === 0, `cversion parity of ${p}`);
    assert.ok(n.stat.mzxid >= n.stat.czxid && n.stat.pzxid >= n.stat.czxid, `zxids of ${p}`);
    assert.equal(n.stat.dataLength, n.data?.length ?? 0);
    if (n.stat.ephemeralOwner > 0n) assert.ok(live.has(n.stat.ephemeralOwner), `owner of ${p} is live`);
  }
}

describe("memory store invariants", () => {
  it("hold after every step of random sequences over three sessions", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
        const store = createMemoryStore({ clock: new FakeClock() });
        const open = () => store.openSession({ onWatch() {}, onSessionEvent() {} }, { sessionTimeoutMs: 6000 });
        const sessions: StoreSession[] = [open(), open(), open()];
        for (const s of steps) {
          if ("close" in s) {
            await sessions[s.session]!.close();
            sessions[s.session] = open();
          } else {
            const before = JSON.stringify(store.dump(), (_, v) => (typeof v === "bigint" ? v.toString() : v));
            const reply = await sessions[s.session]!.submit(s.request, false);
            if (s.request.type === "multi" && reply.opResults?.some((r) => r.resultCode !== ErrorCode.Ok)) {
              const after = JSON.stringify(store.dump(), (_, v) => (typeof v === "bigint" ? v.toString() : v));
              assert.equal(after, before, "a failed Multi changes nothing");
              const codes = reply.opResults.map((r) => r.resultCode);
              const k = codes.findIndex((c) => c !== ErrorCode.Ok);
              assert.ok(codes.slice(k + 1).every((c) => c === ErrorCode.RuntimeInconsistency));
            }
          }
          checkInvariants(store, new Set(sessions.map((x) => x.sessionId)));
        }
      }),
      { numRuns: 200 },
    );
  });
});
