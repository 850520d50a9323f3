import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { childPath, nameOf, parentOf, pathProblem, validatePath } from "./path.ts";
import { ErrorCode, isKeeperError } from "../errors.ts";

describe("validatePath()", () => {
  it("accepts the root and ordinary paths", () => {
    for (const p of ["/", "/a", "/brokers/ids/0", "/a.b/..c/...", "/ünïcode/日本", "/with space"]) {
      assert.equal(validatePath(p), p);
    }
  });

  it("rejects what ZooKeeper's PathUtils rejects, with BadArguments", () => {
    const bad = ["", "a", "/a/", "//", "/a//b", "/.", "/a/.", "/..", "/a/../b", "/a\u0000", "/\u001f", "/\u007f", "/\u009f", "/\ud800", "/\uf8ff", "/\ufff0", "/\uffff"];
    for (const p of bad) {
      assert.throws(() => validatePath(p), (e: unknown) => isKeeperError(e, ErrorCode.BadArguments), JSON.stringify(p));
    }
  });

  it("checks a sequential path with a digit appended, so a trailing slash is allowed", () => {
    assert.equal(validatePath("/queue/", true), "/queue/");
    assert.throws(() => validatePath("/queue/"), (e: unknown) => isKeeperError(e, ErrorCode.BadArguments));
  });

  it("names the rule in the message", () => {
    assert.throws(() => validatePath("/a//b"), /empty node name specified @3/);
  });

  it("accepts exactly the paths built from valid segments (property)", () => {
    const okChar = fc.constantFrom(..."abcXYZ019-_:é日 ".split(""));
    const segment = fc.oneof(
      fc.array(okChar, { minLength: 1, maxLength: 6 }).map((cs) => cs.join("")).filter((s) => s !== "." && s !== ".."),
    );
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segments) => {
        const path = "/" + segments.join("/");
        assert.equal(pathProblem(path), undefined);
        assert.equal(parentOf(path), segments.length === 1 ? "/" : "/" + segments.slice(0, -1).join("/"));
        assert.equal(nameOf(path), segments.at(-1));
        assert.equal(childPath(parentOf(path), nameOf(path)), path);
      }),
    );
  });

  it("rejects any path containing a control or surrogate code unit (property)", () => {
    const badUnit = fc.oneof(fc.integer({ min: 1, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }), fc.integer({ min: 0xd800, max: 0xf8ff }), fc.integer({ min: 0xfff0, max: 0xffff }));
    fc.assert(
      fc.property(fc.string({ maxLength: 5 }), badUnit, fc.string({ maxLength: 5 }), (before, unit, after) => {
        const path = "/a" + before.replace(/\//g, "") + String.fromCharCode(unit) + after.replace(/\//g, "");
        assert.notEqual(pathProblem(path), undefined);
      }),
    );
  });
});
