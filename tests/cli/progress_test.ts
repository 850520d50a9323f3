// kmeta's progress: a bar redrawn in place on a terminal, plain lines every 2 s otherwise.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createProgress } from "../../runtimes/common/cli/progress.ts";
import type { CliHost } from "../../runtimes/common/cli/host.ts";

function fakeHost(isTTY: boolean): { host: CliHost; err: () => string; tick: (ms: number) => void } {
  let now = 0, err = "";
  const host = { isTTY, now: () => now, stderr: (t: string) => void (err += t) } as unknown as CliHost;
  return { host, err: () => err, tick: (ms) => void (now += ms) };
}

describe("createProgress()", () => {
  it("draws a bar with count, rate and ETA on a terminal, and ends it with the final count", () => {
    const { host, err, tick } = fakeHost(true);
    const p = createProgress(host, "migrating");
    tick(1000);
    p.update(250, 1000);
    tick(10);
    p.update(1000, 1000); // too soon to redraw: end() draws it
    p.end();
    const frames = err().split("\r").filter((f) => f !== "");
    assert.equal(frames[0], "migrating [######------------------] 25% 250/1,000 znodes, 250/s, ETA 3s\x1b[K");
    assert.equal(frames.at(-1), "migrating [########################] 100% 1,000/1,000 znodes, 990/s\x1b[K\n");
  });

  it("writes a plain line every 2 s when standard error is not a terminal", () => {
    const { host, err, tick } = fakeHost(false);
    const p = createProgress(host, "migrating");
    for (let i = 1; i <= 10; i++) {
      tick(500);
      p.update(i * 100, 1000);
    }
    p.end();
    assert.deepEqual(err().split("\n").filter((l) => l !== ""), [
      "migrating: 400/1,000 znodes, 200/s, ETA 3s",
      "migrating: 800/1,000 znodes, 200/s, ETA 1s",
    ]);
  });
});
