import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PrefixWatcher } from "./watcher.ts";
import { KeyLayout } from "./keys.ts";
import { FakeEtcd } from "../testing/fake_etcd.ts";
import { FakeClock } from "../testing/fake_clock.ts";

async function settle(rounds = 100): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** A watcher over a FakeEtcd whose namespace history was compacted before the watcher started. */
function compactedSetup() {
  const etcd = new FakeEtcd();
  const clock = new FakeClock();
  const keys = new KeyLayout("t/");
  // A children key: any value, and NodeChildrenChanged when written.
  const touch = (path: string) => etcd.txn({ compare: [], success: [{ put: { key: keys.children(path), value: new Uint8Array(0) } }], failure: [] });
  for (let i = 0; i < 5; i++) touch("/a");
  etcd.compact(etcd.revision);
  const log: string[] = [];
  const gaps: { revision: bigint; settle: (ok: boolean) => void }[] = [];
  const watcher = new PrefixWatcher({
    api: etcd.api(),
    keys,
    clock,
    listener: {
      onRevision: (revision, { events }) => log.push(`${revision} ${events.map((e) => e.path).join(",")}`),
      onGap: (revision) =>
        new Promise<void>((resolve, reject) => {
          log.push(`gap ${revision}`);
          gaps.push({ revision, settle: (ok) => (ok ? resolve() : reject(new Error("read failed"))) });
        }),
      onError: () => {},
    },
  });
  return { etcd, clock, watcher, touch, log, gaps };
}

describe("PrefixWatcher across a compacted gap", () => {
  it("releases no reply and delivers no event until the re-check is done, then resumes at the compaction", async () => {
    const { etcd, watcher, touch, log, gaps } = compactedSetup();
    const compacted = etcd.compacted;
    watcher.start(1n);
    await settle();
    assert.deepEqual(log, [`gap ${compacted}`]);
    let released = false;
    void watcher.reached(compacted, 60_000).then(() => (released = true));
    touch("/b");
    await settle();
    assert.equal(released, false, "a reply waiting for the gap's revision is held while the re-check runs");
    assert.equal(watcher.revision, 1n);
    gaps[0]!.settle(true);
    await settle();
    assert.equal(released, true);
    // The write made during the re-check comes through the resumed stream, after the gap.
    assert.deepEqual(log, [`gap ${compacted}`, `${etcd.revision} /b`]);
    assert.equal(watcher.revision, etcd.revision);
    watcher.close();
  });

  it("crosses the gap again when the re-check failed, without moving past it first", async () => {
    const { etcd, clock, watcher, log, gaps } = compactedSetup();
    watcher.start(1n);
    await settle();
    gaps[0]!.settle(false);
    await settle();
    assert.equal(watcher.revision, 1n, "a failed re-check does not skip the gap");
    clock.advance(2000);
    await settle();
    assert.equal(gaps.length, 2, "the next stream meets the compaction and re-checks again");
    gaps[1]!.settle(true);
    await settle();
    assert.equal(watcher.revision, etcd.compacted);
    assert.deepEqual(log, [`gap ${etcd.compacted}`, `gap ${etcd.compacted}`]);
    watcher.close();
  });
});
