// Random operation sequences for the differential test: a few sessions on a small, collision-heavy
// set of paths, every create mode, versioned writes, Multi with failures anywhere, armed watches;
// and bursts: every session pipelining writes at once under the same parents.
import fc from "fast-check";
import { OPEN_ACL_UNSAFE, type Request, type ZkOp } from "../../core/mod.ts";

export const SESSIONS = 3;
const PATHS = ["/a", "/b", "/a/x", "/a/y", "/b/x", "/a/x/z", "/c"];

const path = fc.constantFrom(...PATHS);
const version = fc.constantFrom(-1, 0, 1, 2);
const data = fc.option(fc.uint8Array({ maxLength: 6 }), { nil: null, freq: 5 });
/** 0 persistent, 1 ephemeral, 2 sequential, 3 ephemeral sequential, 4 container. */
const mode = fc.constantFrom(0, 0, 1, 2, 3, 4);

const write: fc.Arbitrary<ZkOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant("create" as const), path, data, acl: fc.constant(OPEN_ACL_UNSAFE), mode }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant("delete" as const), path, version }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant("setData" as const), path, data, version }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("check" as const), path, version }) },
);

/**
 * One step: a request with its watch flag, a session closing (and a fresh one taking its place), or
 * a burst: each session's writes submitted at once, all sessions racing.
 */
export type Step =
  | { session: number; request: Request; watch: boolean }
  | { session: number; close: true }
  | { burst: Request[][] };

/**
 * The parents a burst's sessions race on (the run's root, /a, /b), and the nodes each session owns
 * under them: a burst's outcome for a session then does not depend on how the sessions interleave,
 * only the parents' counters see them all (execute.ts removes the owned nodes after the burst).
 */
export const BURST_PARENTS = ["", "/a", "/b"];
export function ownedPaths(session: number): string[] {
  return BURST_PARENTS.flatMap((parent) => [0, 1].flatMap((k) => [`${parent}/s${session}-${k}`, `${parent}/s${session}-${k}/z`]));
}

function burstWrites(session: number): fc.Arbitrary<Request[]> {
  const owned = fc.constantFrom(...ownedPaths(session));
  // No sequential modes: their numbers under a shared parent depend on the interleaving.
  const op: fc.Arbitrary<ZkOp> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ type: fc.constant("create" as const), path: owned, data, acl: fc.constant(OPEN_ACL_UNSAFE), mode: fc.constantFrom(0, 0, 1, 4) }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant("delete" as const), path: owned, version: fc.constantFrom(-1, 0) }) },
    { weight: 3, arbitrary: fc.record({ type: fc.constant("setData" as const), path: owned, data, version: fc.constantFrom(-1, 0, 1) }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant("check" as const), path: owned, version: fc.constantFrom(-1, 0, 1) }) },
  );
  const one: fc.Arbitrary<Request> = fc.oneof(
    { weight: 5, arbitrary: op.filter((o) => o.type !== "check") as fc.Arbitrary<Request> },
    { weight: 1, arbitrary: fc.record({ type: fc.constant("multi" as const), ops: fc.array(op, { minLength: 1, maxLength: 3 }) }) },
  );
  return fc.array(one, { minLength: 0, maxLength: 10 });
}

export const burst: fc.Arbitrary<Step> = fc.tuple(...Array.from({ length: SESSIONS }, (_, i) => burstWrites(i))).map((writes) => ({ burst: writes }));

const session = fc.nat(SESSIONS - 1);
const request: fc.Arbitrary<Request> = fc.oneof(
  { weight: 6, arbitrary: write.filter((op) => op.type !== "check") as fc.Arbitrary<Request> },
  { weight: 2, arbitrary: fc.record({ type: fc.constant("multi" as const), ops: fc.array(write, { minLength: 1, maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constantFrom("exists" as const, "getData" as const), path }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant("getChildren" as const), path, registerWatch: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("getAcl" as const), path }) },
);

// Only reads that can arm a watch carry the flag, as the client sets it (Kafka's shouldWatch).
const watchable = (r: Request) =>
  r.type === "exists" || r.type === "getData" || (r.type === "getChildren" && r.registerWatch);
export const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({ session, request, watch: fc.boolean() }).map((s) => ({ ...s, watch: s.watch && watchable(s.request) })),
  },
  { weight: 1, arbitrary: fc.record({ session, close: fc.constant(true as const) }) },
  { weight: 1, arbitrary: burst },
);

export const sequence: fc.Arbitrary<Step[]> = fc.array(step, { minLength: 5, maxLength: 30 });
