import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode, isKeeperError } from "../errors.ts";
import { JuteReader } from "./jute_reader.ts";
import { JuteWriter, writeFrame } from "./jute_writer.ts";
import { fromHex, toHex } from "../../tests/fixtures/zk/hex.ts";

const marshalling = (e: unknown): boolean => isKeeperError(e, ErrorCode.MarshallingError);
const badArguments = (e: unknown): boolean => isKeeperError(e, ErrorCode.BadArguments);
const written = (write: (w: JuteWriter) => void): string => {
  const w = new JuteWriter();
  write(w);
  return toHex(w.bytes());
};

describe("JuteWriter", () => {
  it("writes ints and longs big-endian in two's complement", () => {
    assert.equal(written((w) => w.int(-2).int(0x01020304)), "fffffffe01020304");
    assert.equal(written((w) => w.long(-1n).long(0x0102030405060708n)), "ffffffffffffffff0102030405060708");
  });
  it("writes booleans as 0 and 1", () => {
    assert.equal(written((w) => w.bool(true).bool(false)), "0100");
  });
  it("writes null buffers, strings and vectors as length -1, distinct from empty", () => {
    assert.equal(written((w) => w.buffer(null).buffer(new Uint8Array(0))), "ffffffff00000000");
    assert.equal(written((w) => w.ustring(null).ustring("")), "ffffffff00000000");
    assert.equal(written((w) => w.vector(null, (w2, v: number) => w2.int(v))), "ffffffff");
  });
  it("writes strings as their UTF-8 byte length then the bytes", () => {
    assert.equal(written((w) => w.ustring("/é")), "000000032fc3a9");
  });
  it("writes vectors as a count then each element", () => {
    assert.equal(written((w) => w.vector(["a", "b"], (w2, s) => w2.ustring(s))), "00000002000000016100000001" + "62");
  });
  it("grows past its initial capacity", () => {
    const data = new Uint8Array(1000).fill(7);
    const w = new JuteWriter(16).int(1).buffer(data).long(2n);
    assert.equal(w.length, 4 + 4 + 1000 + 8);
    assert.deepEqual(w.bytes().subarray(8, 1008), data);
  });
  it("rejects ints and longs outside their jute range with BadArguments", () => {
    assert.throws(() => new JuteWriter().int(2 ** 31), badArguments);
    assert.throws(() => new JuteWriter().int(1.5), badArguments);
    assert.throws(() => new JuteWriter().long(1n << 63n), badArguments);
  });
});

describe("writeFrame()", () => {
  it("patches the body length into the 4-byte prefix", () => {
    assert.equal(toHex(writeFrame((w) => w.int(7).bool(true))), "00000005" + "00000007" + "01");
  });
  it("writes an empty body as a zero length", () => {
    assert.equal(toHex(writeFrame(() => {})), "00000000");
  });
  it("returns bytes of their own, which later frames leave alone", () => {
    const first = writeFrame((w) => w.int(1));
    writeFrame((w) => w.int(2).int(3));
    assert.equal(toHex(first), "00000004" + "00000001");
    assert.equal(first.buffer.byteLength, 8);
  });
  it("encodes a frame written while another is being written", () => {
    let inner: Uint8Array = new Uint8Array(0);
    const outer = writeFrame((w) => {
      w.int(1);
      inner = writeFrame((v) => v.int(2));
      w.int(3);
    });
    assert.equal(toHex(outer), "00000008" + "00000001" + "00000003");
    assert.equal(toHex(inner), "00000004" + "00000002");
  });
  it("starts clean after a write that threw", () => {
    assert.throws(() => writeFrame((w) => w.int(1).int(2 ** 31)), /32-bit integer/);
    assert.equal(toHex(writeFrame((w) => w.int(7))), "00000004" + "00000007");
  });
});

describe("JuteReader", () => {
  it("reads back what JuteWriter wrote", () => {
    const w = new JuteWriter()
      .int(-5)
      .long(-(1n << 63n))
      .bool(true)
      .buffer(null)
      .buffer(Uint8Array.of(1, 2))
      .ustring(null)
      .ustring("€")
      .vector([3, 4], (w2, v) => w2.int(v));
    const r = new JuteReader(w.bytes());
    assert.equal(r.int(), -5);
    assert.equal(r.long(), -(1n << 63n));
    assert.equal(r.bool(), true);
    assert.equal(r.buffer(), null);
    assert.deepEqual(r.buffer(), Uint8Array.of(1, 2));
    assert.equal(r.ustring(), null);
    assert.equal(r.ustring(), "€");
    assert.deepEqual(r.vector((r2) => r2.int()), [3, 4]);
    assert.equal(r.remaining, 0);
  });
  it("treats any non-zero byte as true", () => {
    assert.equal(new JuteReader(fromHex("7f")).bool(), true);
  });
  it("reads within a subarray's bounds", () => {
    const whole = fromHex("ffffffff 00000009 ff");
    const r = new JuteReader(whole.subarray(4, 8));
    assert.equal(r.int(), 9);
    assert.throws(() => r.bool(), marshalling);
  });
  it("returns buffers that do not alias the frame", () => {
    const frame = fromHex("00000001 aa");
    const data = new JuteReader(frame).buffer()!;
    frame[4] = 0xbb;
    assert.equal(data[0], 0xaa);
  });
  it("throws MarshallingError on a truncated int, long or boolean", () => {
    assert.throws(() => new JuteReader(fromHex("000000")).int(), marshalling);
    assert.throws(() => new JuteReader(fromHex("00000000000000")).long(), marshalling);
    assert.throws(() => new JuteReader(new Uint8Array(0)).bool(), marshalling);
  });
  it("throws MarshallingError on a negative length other than -1", () => {
    assert.throws(() => new JuteReader(fromHex("fffffffe")).buffer(), marshalling);
    assert.throws(() => new JuteReader(fromHex("80000000")).ustring(), marshalling);
    assert.throws(() => new JuteReader(fromHex("fffffff0")).vector((r) => r.int()), marshalling);
  });
  it("throws MarshallingError when a length exceeds the bytes left, before allocating", () => {
    assert.throws(
      () => new JuteReader(fromHex("7fffffff 00")).buffer(),
      (e: unknown) => marshalling(e) && /length 2147483647 exceeds the 1 bytes left/.test((e as Error).message),
    );
    assert.throws(() => new JuteReader(fromHex("00000002 61")).ustring(), marshalling);
    assert.throws(() => new JuteReader(fromHex("00000005 00000000")).vector((r) => r.bool()), marshalling);
  });
  it("names the type and offset in its message", () => {
    const r = new JuteReader(fromHex("00000001 0000"));
    r.int();
    assert.throws(() => r.int(), { message: "[MarshallingError] Cannot read int at offset 4: needs 4 bytes, 2 left" });
  });
});
