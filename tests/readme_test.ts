// The README's API examples are examples/*.ts verbatim, and they run.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { quickstart } from "../examples/quickstart.ts";
import { firstContact } from "../examples/first_contact.ts";

describe("README", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  for (const file of ["quickstart.ts", "first_contact.ts"]) {
    it(`shows examples/${file} verbatim`, () => {
      const example = readFileSync(new URL(`../examples/${file}`, import.meta.url), "utf8");
      assert.ok(readme.includes(example.trim()), `README.md must contain examples/${file}`);
    });
  }

  it("quickstart() registers a broker and sees the watch fire", async () => {
    assert.deepEqual(await quickstart(), ["child change", "ephemeralOwner is our session: true"]);
  });

  it("firstContact() creates its chroot, refuses a bad version before sending, and prints a stat as JSON", async () => {
    const stat = JSON.parse(await firstContact(`memory://readme-${Math.random().toString(36).slice(2)}/kafka`));
    assert.equal(typeof stat.czxid, "string");
    assert.equal(stat.version, 0);
  });
});
