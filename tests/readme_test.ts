// The README's API example is examples/quickstart.ts verbatim, and it runs.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { quickstart } from "../examples/quickstart.ts";

describe("README", () => {
  it("shows examples/quickstart.ts verbatim", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const example = readFileSync(new URL("../examples/quickstart.ts", import.meta.url), "utf8");
    assert.ok(readme.includes(example.trim()), "README.md must contain examples/quickstart.ts");
  });

  it("quickstart() registers a broker and sees the watch fire", async () => {
    assert.deepEqual(await quickstart(), ["child change", "ephemeralOwner is our session: true"]);
  });
});
