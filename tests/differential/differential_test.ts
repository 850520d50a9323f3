// The judge for the etcd store: random operation sequences run on real ZooKeeper 3.8, on the memory
// store and on etcd, compared exactly (codes, data, children, stats with zxids by order and owners
// by session, sequential names, the watch events each step fires, the final tree).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import fc from "fast-check";
import type { Store } from "../../core/mod.ts";
import { execute, type Transcript } from "./execute.ts";
import { firstDivergence } from "./compare.ts";
import { sequence, type Step } from "./steps.ts";
import { storesUnderTest } from "./stores.ts";
import { FIXTURES } from "./fixtures.ts";

// CI runs 150 sequences (450 store runs); `npm run soak` many more.
const RUNS = Number(process.env.KMETA_DIFF_RUNS ?? 150);
const runId = Date.now().toString(36);
let counter = 0;

/** Creates a fresh root on a store, runs the steps under it, then removes the root's subtree. */
async function onStore(store: Store, steps: Step[]): Promise<Transcript> {
  const root = `/diff-${runId}-${counter++}`;
  const admin = store.openSession({ onWatch() {}, onSessionEvent() {} }, { sessionTimeoutMs: 20000 });
  const acl = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
  await admin.submit({ type: "create", path: root, data: null, acl, mode: 0 }, false);
  try {
    return await execute(store, root, steps);
  } finally {
    const remove = async (path: string): Promise<void> => {
      const kids = await admin.submit({ type: "getChildren", path, registerWatch: false }, false);
      for (const name of kids.children ?? []) await remove(`${path}/${name}`);
      await admin.submit({ type: "delete", path, version: -1 }, false);
    };
    await remove(root);
    await admin.close();
  }
}

async function judge(steps: Step[]): Promise<void> {
  const transcripts: [string, Transcript][] = [];
  for (const s of storesUnderTest()) {
    const store = s.open();
    try {
      transcripts.push([s.name, await onStore(store, steps)]);
    } finally {
      await store.close?.();
    }
  }
  const divergence = firstDivergence(steps, transcripts[0]!, transcripts.slice(1));
  assert.equal(divergence, undefined, divergence);
}

describe("differential: ZooKeeper 3.8, memory and etcd answer alike", () => {
  for (const [name, steps] of Object.entries(FIXTURES)) {
    it(`fixture: ${name}`, () => judge(steps));
  }

  it(`${RUNS} random sequences show no divergence`, async () => {
    // KMETA_DIFF_SEED replays the run a failure reported.
    const seed = process.env.KMETA_DIFF_SEED === undefined ? {} : { seed: Number(process.env.KMETA_DIFF_SEED) };
    await fc.assert(fc.asyncProperty(sequence, judge), { numRuns: RUNS, includeErrorInReport: true, ...seed });
  });
});
