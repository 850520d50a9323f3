import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeUtf8, encodeJavaUtf8, javaUtf8Length } from "./utf8.ts";
import { fromHex, toHex } from "../../tests/fixtures/zk/hex.ts";

const isSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdfff;
// Strings of BMP characters outside the surrogate range, where Java's writer and UTF-8 agree.
const bmpString = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).filter((c) => !isSurrogate(c)).map((c) => String.fromCharCode(c)),
  maxLength: 64,
});

describe("encodeJavaUtf8()", () => {
  it("encodes 1-, 2- and 3-byte characters as UTF-8", () => {
    assert.equal(toHex(encodeJavaUtf8("a/é€")), "612fc3a9e282ac");
  });
  it("writes U+0000 as a single zero byte", () => {
    assert.equal(toHex(encodeJavaUtf8("\0")), "00");
  });
  it("writes a supplementary character as two 3-byte surrogates (CESU-8), as Java's jute writer does", () => {
    assert.equal(toHex(encodeJavaUtf8("😀")), "eda0bdedb880");
  });
  it("writes a lone surrogate as 3 bytes", () => {
    assert.equal(toHex(encodeJavaUtf8("\ud800")), "eda080");
  });
  // The host codecs are the reference here; QuickJS-wasm has none, so these two run on Node, Deno and Bun only.
  it("matches TextEncoder for strings without surrogates", { skip: typeof TextEncoder === "undefined" }, () => {
    fc.assert(
      fc.property(bmpString, (s) => {
        assert.deepEqual(encodeJavaUtf8(s), new TextEncoder().encode(s));
        assert.equal(javaUtf8Length(s), encodeJavaUtf8(s).length);
      }),
      { numRuns: 300 },
    );
  });
});

describe("decodeUtf8()", () => {
  it("decodes a 4-byte sequence to a surrogate pair", () => {
    assert.equal(decodeUtf8(fromHex("f09f9880")), "😀");
  });
  it("replaces CESU-8 surrogates like a standard decoder", () => {
    assert.equal(decodeUtf8(fromHex("eda0bdedb880")), "\ufffd".repeat(6));
  });
  it("replaces a truncated sequence with one U+FFFD", () => {
    assert.equal(decodeUtf8(fromHex("61e282")), "a\ufffd");
  });
  it("round-trips strings without surrogates", () => {
    fc.assert(fc.property(bmpString, (s) => assert.equal(decodeUtf8(encodeJavaUtf8(s)), s)), { numRuns: 300 });
  });
  it("matches TextDecoder on arbitrary bytes", { skip: typeof TextDecoder === "undefined" }, () => {
    const bytes = fc.uint8Array({ maxLength: 48 });
    const utf8ish = fc.array(fc.constantFrom(0x41, 0x80, 0xbf, 0xc2, 0xe0, 0xed, 0xa0, 0xf0, 0xf4, 0x90, 0xff), {
      maxLength: 24,
    }).map((a) => Uint8Array.from(a));
    fc.assert(
      fc.property(fc.oneof(bytes, utf8ish), (b) => assert.equal(decodeUtf8(b), new TextDecoder().decode(b))),
      { numRuns: 1000 },
    );
  });
  it("decodes inputs longer than one output chunk", () => {
    const s = "é".repeat(5000) + "x".repeat(5000);
    assert.equal(decodeUtf8(encodeJavaUtf8(s)), s);
  });
});
