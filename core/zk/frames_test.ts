import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode, isKeeperError } from "../errors.ts";
import { createFrameDecoder, MAX_FRAME_BYTES } from "./frames.ts";
import * as golden from "../../tests/fixtures/zk/frames.ts";
import { fromHex } from "../../tests/fixtures/zk/hex.ts";

const marshalling = (e: unknown): boolean => isKeeperError(e, ErrorCode.MarshallingError);
const frames = Object.values(golden).map((hex) => fromHex(hex));
const bodies = frames.map((f) => f.slice(4));
const stream = Uint8Array.from(frames.flatMap((f) => [...f]));

describe("createFrameDecoder()", () => {
  it("returns nothing until the length prefix is complete", () => {
    const decoder = createFrameDecoder();
    assert.deepEqual(decoder.push(fromHex("000000")), []);
    assert.equal(decoder.bufferedBytes, 3);
    assert.deepEqual(decoder.push(fromHex("01")), []);
    assert.deepEqual(decoder.push(fromHex("aa")), [fromHex("aa")]);
    assert.equal(decoder.bufferedBytes, 0);
  });
  it("returns every frame of a chunk that holds several", () => {
    assert.deepEqual(createFrameDecoder().push(stream), bodies);
  });
  it("returns the same frames when fed one byte at a time", () => {
    const decoder = createFrameDecoder();
    const out: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...decoder.push(stream.subarray(i, i + 1)));
    assert.deepEqual(out, bodies);
    assert.equal(decoder.bufferedBytes, 0);
  });
  it("returns the same frames when the stream is split at any offset", () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const decoder = createFrameDecoder();
      const out = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
      assert.deepEqual(out, bodies, `split at ${cut}`);
    }
  });
  it("returns the same frames when the stream is split at any two offsets", () => {
    const sample = stream.subarray(0, 160);
    const expected = createFrameDecoder().push(sample);
    for (let a = 0; a <= sample.length; a++) {
      for (let b = a; b <= sample.length; b++) {
        const decoder = createFrameDecoder();
        const out = [a, b, sample.length].flatMap((end, i) => decoder.push(sample.subarray([0, a, b][i], end)));
        assert.deepEqual(out, expected, `split at ${a}, ${b}`);
      }
    }
  });
  it("completes an empty frame as soon as its prefix is in", () => {
    const decoder = createFrameDecoder();
    assert.deepEqual(decoder.push(fromHex("00000000")), [new Uint8Array(0)]);
    assert.deepEqual(decoder.push(fromHex("00000000 00000000 000000")), [new Uint8Array(0), new Uint8Array(0)]);
  });
  it("returns copies, so the caller may reuse its chunk buffer", () => {
    const chunk = fromHex("00000001 aa");
    const [body] = createFrameDecoder().push(chunk);
    chunk.fill(0);
    assert.deepEqual(body, fromHex("aa"));
  });
  it("with views, returns a frame lying whole in its chunk as a view of it", () => {
    const chunk = fromHex("00000001 aa 00000002 bbcc");
    const [a, b] = createFrameDecoder({ views: true }).push(chunk);
    chunk.fill(0);
    assert.deepEqual([a, b], [fromHex("00"), fromHex("0000")]);
  });
  it("with views, returns the same frames when the stream is split at any offset", () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const decoder = createFrameDecoder({ views: true });
      const out = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
      assert.deepEqual(out, bodies, `split at ${cut}`);
    }
  });
  it("accepts a frame of exactly maxFrameBytes", () => {
    const decoder = createFrameDecoder({ maxFrameBytes: 3 });
    assert.deepEqual(decoder.push(fromHex("00000003 010203")), [fromHex("010203")]);
  });
  it("throws MarshallingError for a length above maxFrameBytes", () => {
    assert.throws(() => createFrameDecoder({ maxFrameBytes: 3 }).push(fromHex("00000004")), {
      message: "[MarshallingError] Cannot read frame: length 4 is out of range 0..3",
    });
  });
  it("defaults maxFrameBytes to jute.maxbuffer (0xFFFFF)", () => {
    assert.equal(MAX_FRAME_BYTES, 1048575);
    assert.throws(() => createFrameDecoder().push(fromHex("00100000")), marshalling);
    assert.deepEqual(createFrameDecoder().push(fromHex("000fffff")), []);
  });
  it("throws MarshallingError for a negative length", () => {
    assert.throws(() => createFrameDecoder().push(fromHex("ffffffff")), marshalling);
  });
  it("keeps failing after a bad length, as the stream has lost its framing", () => {
    const decoder = createFrameDecoder();
    assert.throws(() => decoder.push(fromHex("80000000")), marshalling);
    assert.throws(() => decoder.push(fromHex("00000000")), marshalling);
  });
  it("throws for a bad length split across chunks only once the prefix is complete", () => {
    const decoder = createFrameDecoder({ maxFrameBytes: 10 });
    assert.deepEqual(decoder.push(fromHex("0000")), []);
    assert.throws(() => decoder.push(fromHex("ffff")), marshalling);
  });
});
