import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createEtcdStore } from "./etcd_store.ts";
import { FakeEtcd } from "../testing/fake_etcd.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { OPEN_ACL_UNSAFE } from "../api/acl.ts";
import type { Request } from "../api/requests.ts";
import type { StoreReply, StoreSession } from "../store.ts";
import type { TxnRequest } from "./api.ts";
import fc from "fast-check";
import { layoutOf, rangeOps, ReadCost } from "./coalesce.ts";
import { KeyLayout } from "./keys.ts";
import { type LoadedPath, opsFor, type ReadWant } from "./snapshot.ts";
import { guards } from "./plan.ts";

async function settle(rounds = 400): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

const create = (path: string, i = 0): Request => ({ type: "create", path, data: new Uint8Array([i]), acl: OPEN_ACL_UNSAFE, mode: 0 });

/** A store whose Txns are recorded, with one session. */
async function setup() {
  const etcd = new FakeEtcd();
  const api = etcd.api();
  const txns: TxnRequest[] = [];
  const recorded = { ...api, txn: (r: TxnRequest) => (txns.push(r), api.txn(r)) };
  const store = createEtcdStore({ api: recorded, clock: new FakeClock(), prefix: "t/" });
  const session = store.openSession({ onSessionEvent() {}, onWatch() {} }, { sessionTimeoutMs: 6000 });
  await settle();
  const all = async (requests: Request[]): Promise<StoreReply[]> => {
    const pending = requests.map((r) => session.submit(r, false));
    await settle();
    return await Promise.all(pending);
  };
  return { txns, session, all };
}

/** Each request alone (a group of one is read path by path). */
async function oneByOne(session: StoreSession, requests: Request[]): Promise<StoreReply[]> {
  const out: StoreReply[] = [];
  for (const r of requests) {
    const p = session.submit(r, false);
    await settle();
    out.push(await p);
  }
  return out;
}

describe("ReadCost", () => {
  it("counts the ops of layoutOf's reads, and the compares guarding them, as paths come, widen and go", () => {
    const segment = fc.constantFrom("a", "b", "c", "a-b", "t1", "t10", "t2");
    const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => "/" + s.join("/"));
    const want = fc.constantFrom<ReadWant>("node", "counter", "count", "names");
    // add, set (undefined: removed), or tryAdd within a budget of ops.
    const step = fc.oneof(
      fc.record({ path, want, how: fc.constant("add" as const) }),
      fc.record({ path, want: fc.option(want, { nil: undefined }), how: fc.constant("set" as const) }),
      fc.record({ path, want, how: fc.constant("tryAdd" as const), budget: fc.integer({ min: 0, max: 60 }) }),
    );
    const layoutOps = (paths: ReadonlyMap<string, ReadWant>) => {
      const { ranges, single } = layoutOf(paths);
      assert.equal(ranges.flat().length + single.size, paths.size, "every path read once");
      const keys = new KeyLayout("t/");
      return ranges.reduce((n, r) => n + rangeOps(keys, r, paths).length, 0) + [...single.values()].reduce((n, w) => n + opsFor(w), 0);
    };
    const guardCount = (wants: ReadonlyMap<string, ReadWant>) => {
      const paths = new Map<string, LoadedPath>();
      for (const [path, want] of wants) paths.set(path, { want, node: undefined, children: undefined, childCount: 0, names: want === "names" ? [] : undefined });
      return guards(new KeyLayout("t/"), { revision: 10n, marker: 0n, readAt: 10n, paths }).length;
    };
    fc.assert(fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
      const cost = new ReadCost();
      for (const s of steps) {
        if (s.how === "add") cost.add(s.path, s.want);
        else if (s.how === "set") cost.set(s.path, s.want);
        else {
          const before = new Map(cost.paths);
          if (!cost.tryAdd(s.path, s.want, s.budget)) assert.deepEqual(cost.paths, before);
          else assert.ok(cost.ops <= s.budget);
        }
        assert.equal(cost.ops, layoutOps(cost.paths));
        assert.equal(cost.compares, guardCount(cost.paths));
      }
    }), { numRuns: 300 });
  });
});

describe("coalesced reads", () => {
  it("many getData at one depth are one Txn of ranges, answered exactly as one by one", async () => {
    const { txns, session, all } = await setup();
    const writes: Request[] = [create("/t")];
    for (let i = 0; i < 12; i++) writes.push(create(`/t/p${i}`, i), create(`/t/p${i}/state`, i));
    writes.push(create("/t/p3/extra"), { type: "delete", path: "/t/p3/extra", version: -1 }, create("/t/p5/more"));
    // Sorts between /t/p1 and /t/p1/state's siblings: "/t/p1/..." comes after "/t/p1-x/...".
    writes.push(create("/t/p1-x"), create("/t/p1-x/state"), create("/t/p1/state/deep"));
    await all(writes);
    const reads: Request[] = [];
    for (let i = 0; i < 12; i++) reads.push({ type: "getData", path: `/t/p${i}/state` }, { type: "exists", path: `/t/p${i}` });
    reads.push({ type: "exists", path: "/t/p1-x" }, { type: "getData", path: "/t/p1-x/state" });
    reads.push({ type: "getData", path: "/t/p3/missing" }, { type: "getData", path: "/t/p99/state" });
    txns.length = 0;
    const together = await all(reads);
    assert.equal(txns.length, 1, "one Txn");
    assert.ok(txns[0]!.success.length <= 1 + 3 + 3 + 6, `ranges, not ${txns[0]!.success.length} ops`);
    assert.deepEqual(together, await oneByOne(session, reads));
    assert.equal(together[11]!.stat!.numChildren, 2, "/t/p5: state and more");
    assert.equal(together[3]!.stat!.numChildren, 1, "/t/p1, its children sorting after /t/p1-x's");
    assert.equal(together[2]!.stat!.numChildren, 1, "/t/p1/state");
  });

  it("sizes read groups by what recent reads returned: large values make small groups, small ones regrow them", async () => {
    const { session, all } = await setup();
    const big = new Uint8Array(1024 * 1024);
    await all([create("/b"), { type: "create", path: "/b/big", data: big, acl: OPEN_ACL_UNSAFE, mode: 0 }, ...Array.from({ length: 20 }, (_, i) => create(`/b/s${i}`))]);
    const full = session.requestsPerRoundTrip!;
    assert.ok(full >= 1024, `${full} reads a group at first`);
    await all([{ type: "getData", path: "/b/big" }]);
    const few = session.requestsPerRoundTrip!;
    assert.ok(few <= 4, `${few} reads a group after a 1 MiB answer`);
    // Reads beyond that many go in more groups, answered as before.
    const reads: Request[] = Array.from({ length: 20 }, (_, i) => ({ type: "getData", path: `/b/s${i}` }));
    assert.deepEqual(await all(reads), await oneByOne(session, reads));
    for (let i = 0; i < 20 && session.requestsPerRoundTrip! < full; i++) await all(reads);
    assert.equal(session.requestsPerRoundTrip, full, "small answers regrow the groups");
  });

  it("counts the children of a path whose children sort after the last path (\"/u/a/c\" after \"/u/a-b/\")", async () => {
    const { session, all } = await setup();
    const names = ["0", "1", "2", "3", "4", "5", "6", "a", "a-b"];
    await all([create("/u"), ...names.map((n) => create(`/u/${n}`)), create("/u/a/c")]);
    const reads: Request[] = names.map((n) => ({ type: "exists", path: `/u/${n}` }));
    const together = await all(reads);
    assert.equal(together[7]!.stat!.numChildren, 1);
    assert.deepEqual(together, await oneByOne(session, reads));
  });

  it("ranges that would return far more keys than asked for fall back to reads path by path", async () => {
    const { txns, session, all } = await setup();
    const writes: Request[] = [create("/w")];
    for (let i = 0; i < 300; i++) writes.push(create(`/w/n${String(i).padStart(3, "0")}`, i));
    await all(writes);
    const reads: Request[] = Array.from({ length: 10 }, (_, i) => ({ type: "getData", path: `/w/n${String(i * 29).padStart(3, "0")}` }));
    txns.length = 0;
    const together = await all(reads);
    assert.equal(txns.length, 2, "the ranges, then the paths one by one");
    assert.deepEqual(together, await oneByOne(session, reads));
    // Remembered: the next reads under /w go path by path at once.
    txns.length = 0;
    assert.deepEqual(await all(reads), together);
    assert.equal(txns.length, 1);
  });

  it("a burst of creates among a crowded parent's children reads the targets whose range stopped path by path, once, with the rest", async () => {
    const { txns, all } = await setup();
    const writes: Request[] = [create("/w"), create("/v")];
    for (let i = 0; i < 300; i++) writes.push(create(`/w/n${String(i).padStart(3, "0")}`, i));
    await all(writes);
    // New names between the existing ones (as sessions creating under one parent interleave).
    const burst = (tag: string) => Array.from({ length: 40 }, (_, i) => [create(`/w/n${String(i * 7).padStart(3, "0")}${tag}`), create(`/v/x${tag}${i}`)]).flat();
    const isRead = (t: TxnRequest) => !t.success.some((op) => "put" in op || "deleteRange" in op);
    txns.length = 0;
    const first = await all(burst("a"));
    assert.deepEqual(new Set(first.map((r) => r.resultCode)), new Set([0]));
    assert.equal(txns.filter(isRead).length, 2, "the ranges, then /w's targets one by one beside /v's range");
    // The marker, /w's 40 targets, /v's as one range, the two parents' node and children keys.
    assert.equal(txns.filter(isRead)[1]!.success.length, 46);
    txns.length = 0;
    assert.deepEqual(new Set((await all(burst("b"))).map((r) => r.resultCode)), new Set([0]));
    assert.equal(txns.filter(isRead).length, 1, "remembered: /w's targets one by one at once");
  });

  it("ranges the paths under each grandparent apart, so one topic's states are not a range across others' in byte order", async () => {
    const { txns, session, all } = await setup();
    const writes: Request[] = [create("/k")];
    for (let t = 0; t < 30; t++) {
      writes.push(create(`/k/t${t}`));
      for (let p = 0; p < 20; p++) writes.push(create(`/k/t${t}/${p}`), create(`/k/t${t}/${p}/state`, p));
    }
    await all(writes);
    // t1, t2 and t3's states: one range from /k/t1/0/state to /k/t3/9/state would cross t10..t29's 400.
    const reads: Request[] = [1, 2, 3].flatMap((t) => Array.from({ length: 20 }, (_, p) => ({ type: "getData", path: `/k/t${t}/${p}/state` })));
    // A lone path under another grandparent, and the partitions of t4 and t5, one each.
    reads.push({ type: "getData", path: "/k/t7/3/state" }, { type: "exists", path: "/k/t4/0" }, { type: "exists", path: "/k/t5/0" });
    txns.length = 0;
    const together = await all(reads);
    assert.equal(txns.length, 1, "one Txn: no fallback path by path");
    assert.equal(txns[0]!.success.length, 1 + 3 * 3 + 3 + 2 * 3, "three runs as ranges, the lone paths one by one");
    assert.deepEqual(together, await oneByOne(session, reads));
  });

  it("ranges names of 1, 2 and 3 bytes a unit where their keys sort (paths have no surrogates)", async () => {
    const { txns, session, all } = await setup();
    const names = ["a", "z", "\u00e9", "\u0800", "\ud7ff", "\uf900", "\uffef", "0", "~"];
    await all([create("/s"), ...names.map((n, i) => create(`/s/${n}`, i))]);
    const reads: Request[] = names.map((n) => ({ type: "getData", path: `/s/${n}` }));
    txns.length = 0;
    const together = await all(reads);
    assert.equal(txns.length, 1);
    assert.deepEqual(together.map((r) => r.data?.[0]), names.map((_, i) => i));
    assert.deepEqual(together, await oneByOne(session, reads));
  });
});
