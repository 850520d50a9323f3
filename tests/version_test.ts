// core/version.ts names the version both manifests carry.
import { it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { VERSION } from "../core/version.ts";

it("VERSION equals package.json's and deno.json's version", () => {
  for (const manifest of ["../package.json", "../deno.json"]) {
    assert.equal(JSON.parse(readFileSync(new URL(manifest, import.meta.url), "utf8")).version, VERSION, manifest);
  }
});
