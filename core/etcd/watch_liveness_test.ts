import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { WatchLiveness } from "./watch_liveness.ts";

const options = { quietMs: 5000, graceMs: 2000 };

describe("WatchLiveness", () => {
  it("probes only after the stream was quiet for quietMs, and waits while the probe is out", () => {
    const w = new WatchLiveness(options, 0, 10n);
    assert.equal(w.deadline(), 5000);
    assert.equal(w.tick(4999), undefined);
    w.heard(3000, 0n); // an answer without events still shows the stream is alive
    assert.equal(w.tick(5000), undefined);
    assert.equal(w.deadline(), 8000);
    assert.deepEqual(w.tick(8000), { kind: "probe", afterRevision: 10n });
    assert.equal(w.deadline(), undefined);
    assert.equal(w.tick(20_000), undefined, "one probe at a time");
  });

  it("an unchanged range means one probe per quietMs, and never a resume", () => {
    const w = new WatchLiveness(options, 0, 10n);
    let probes = 0;
    for (let t = 0; t <= 60_000; t += 100) {
      const action = w.tick(t);
      if (action === undefined) continue;
      assert.deepEqual(action, { kind: "probe", afterRevision: 10n });
      probes++;
      w.probed(t + 3, 10n, "unchanged");
      assert.equal(w.deadline(), t + 5003);
    }
    assert.equal(probes, 11); // at 5000, 10100, 15200, ...: quietMs after each answer
  });

  it("resumes from the last delivered revision when a change the probe saw does not arrive within graceMs", () => {
    const w = new WatchLiveness(options, 0, 10n);
    w.heard(100, 12n);
    assert.deepEqual(w.tick(5100), { kind: "probe", afterRevision: 12n });
    w.probed(5110, 12n, "changed");
    assert.equal(w.deadline(), 7110);
    assert.equal(w.tick(7109), undefined);
    w.heard(7000, 0n); // an answer that delivers nothing new does not clear the suspicion
    assert.deepEqual(w.tick(7110), { kind: "resume", fromRevision: 13n });
  });

  it("clears the suspicion when the stream delivers past the probed revision within graceMs", () => {
    const w = new WatchLiveness(options, 0, 10n);
    assert.deepEqual(w.tick(5000), { kind: "probe", afterRevision: 10n });
    w.probed(5010, 10n, "changed");
    w.heard(5500, 11n);
    assert.equal(w.revision, 11n);
    assert.equal(w.tick(7010), undefined);
    assert.equal(w.deadline(), 10_500);
    assert.deepEqual(w.tick(10_500), { kind: "probe", afterRevision: 11n });
  });

  it("ignores a change the stream delivered while the probe was out", () => {
    const w = new WatchLiveness(options, 0, 10n);
    assert.deepEqual(w.tick(5000), { kind: "probe", afterRevision: 10n });
    w.heard(5005, 11n);
    w.probed(5010, 10n, "changed");
    assert.equal(w.tick(7010), undefined);
    assert.equal(w.deadline(), 10_010);
  });

  it("resumes at once when the probe reached no etcd at all", () => {
    const w = new WatchLiveness(options, 0, 10n);
    assert.deepEqual(w.tick(5000), { kind: "probe", afterRevision: 10n });
    w.probed(15_000, 10n, "unreachable");
    assert.equal(w.deadline(), 15_000);
    assert.deepEqual(w.tick(15_000), { kind: "resume", fromRevision: 11n });
  });

  it("never moves the delivered revision backwards", () => {
    const w = new WatchLiveness(options, 0, 10n);
    w.heard(1, 20n);
    w.heard(2, 15n);
    assert.equal(w.revision, 20n);
  });
});
