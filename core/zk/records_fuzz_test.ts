// Property tests: hostile bytes make the decoders throw KeeperError or return, never anything else,
// and what they return is never larger than the bytes they were given.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { isKeeperError } from "../errors.ts";
import { createFrameDecoder } from "./frames.ts";
import { OpCode } from "./opcodes.ts";
import { decodeReply, decodeRequest, encodeReply, encodeRequest, type ZkWireRequest } from "./records.ts";
import { decodeConnectRequest, decodeConnectResponse } from "./records_session.ts";
import * as golden from "../../tests/fixtures/zk/frames.ts";
import { fromHex } from "../../tests/fixtures/zk/hex.ts";
import { SAMPLE_REQUESTS, SAMPLE_RESPONSES, STAT } from "../../tests/fixtures/zk/samples.ts";

const RUNS = 400;
const OP_CODES = Object.values(OpCode);

// Bytes, string units and array slots a decoded value holds; each costs at least one input byte.
function weight(value: unknown): number {
  if (value instanceof Uint8Array || typeof value === "string") return value.length;
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + 1 + weight(v), 0);
  if (typeof value === "object" && value !== null) {
    return Object.values(value).reduce((s: number, v) => s + weight(v), 0);
  }
  return 0;
}

// Runs `decode`; it may throw KeeperError only, and its result must fit in `body`.
function checkDecoder(decode: (body: Uint8Array) => unknown, body: Uint8Array): void {
  let result: unknown;
  try {
    result = decode(body);
  } catch (e) {
    if (!isKeeperError(e)) throw e;
    return;
  }
  assert.ok(weight(result) <= body.length, `decoded ${weight(result)} units from ${body.length} bytes`);
}

const decoders: [string, (body: Uint8Array, op: OpCode) => unknown][] = [
  ["decodeRequest()", (body) => decodeRequest(body)],
  ["decodeReply()", (body, op) => decodeReply(body, op)],
  ["decodeConnectRequest()", (body) => decodeConnectRequest(body)],
  ["decodeConnectResponse()", (body) => decodeConnectResponse(body)],
];

const validBodies: Uint8Array[] = [
  ...Object.values(golden).map((hex) => fromHex(hex).subarray(4)),
  ...SAMPLE_REQUESTS.map((r) => encodeRequest(1, r).subarray(4)),
  ...SAMPLE_RESPONSES.map((r) => encodeReply({ xid: 1, zxid: 1n, err: 0 }, r).subarray(4)),
];

// A valid body with bytes overwritten, cut short, or spliced in: the mutations that reach deep branches.
const mutatedBody = fc
  .record({
    base: fc.constantFrom(...validBodies),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("set", "cut", "insert")), {
      minLength: 1,
      maxLength: 4,
    }),
  })
  .map(({ base, edits }) => {
    let bytes = [...base];
    for (const [at, value, kind] of edits) {
      const i = bytes.length === 0 ? 0 : at % bytes.length;
      if (kind === "set") bytes[i] = value;
      else if (kind === "cut") bytes = bytes.slice(0, i);
      else bytes.splice(i, 0, value, value, value, value);
    }
    return Uint8Array.from(bytes);
  });

describe("decoders on hostile input", () => {
  for (const [name, decode] of decoders) {
    it(`${name} throws only KeeperError on random bytes`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 96 }),
          fc.constantFrom(...OP_CODES),
          (body, op) => checkDecoder((b) => decode(b, op), body),
        ),
        { numRuns: RUNS },
      );
    });
    it(`${name} throws only KeeperError on mutated valid frames`, () => {
      fc.assert(
        fc.property(mutatedBody, fc.constantFrom(...OP_CODES), (body, op) => checkDecoder((b) => decode(b, op), body)),
        { numRuns: RUNS },
      );
    });
  }
  it("decodeReply() allocates nothing for a huge claimed length", () => {
    // xid 1, err 0, then getData's buffer claims 2 GiB.
    const body = fromHex("00000001 0000000000000001 00000000 7fffffff");
    assert.throws(() => decodeReply(body, OpCode.GetData), (e: unknown) => isKeeperError(e));
  });
});

describe("createFrameDecoder() on hostile input", () => {
  it("throws only KeeperError, buffers at most maxFrameBytes + 4, and returns no more bytes than it got", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 12 }), fc.nat(64), (chunks, max) => {
        const decoder = createFrameDecoder({ maxFrameBytes: max });
        let fed = 0;
        let returned = 0;
        try {
          for (const chunk of chunks) {
            fed += chunk.length;
            for (const frame of decoder.push(chunk)) {
              assert.ok(frame.length <= max);
              returned += frame.length + 4;
            }
            assert.ok(decoder.bufferedBytes <= max + 4);
          }
        } catch (e) {
          if (!isKeeperError(e)) throw e;
        }
        assert.ok(returned <= fed);
      }),
      { numRuns: RUNS },
    );
  });
});

// Generated records: encode then decode gives back the same record.
const path = fc.string({ minLength: 1, maxLength: 12 }).map((s) => "/" + s.replace(/[\ud800-\udfff]/g, "x"));
const data = fc.option(fc.uint8Array({ maxLength: 16 }), { nil: null });
const int = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const long = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const acl = fc.array(
  fc.record({ perms: int, id: fc.record({ scheme: fc.constantFrom("world", "digest", "ip"), id: fc.string() }) }),
  { maxLength: 3 },
).map((list) => list.map((a) => ({ ...a, id: { ...a.id, id: a.id.id.replace(/[\ud800-\udfff]/g, "?") } })));
const create = fc.record({
  type: fc.constantFrom(OpCode.Create, OpCode.Create2, OpCode.CreateContainer),
  path,
  data,
  acl,
  flags: int,
});
const setData = fc.record({ type: fc.constant(OpCode.SetData), path, data, version: int });
const request: fc.Arbitrary<ZkWireRequest> = fc.oneof(
  create,
  setData,
  fc.record({ type: fc.constant(OpCode.CreateTtl), path, data, acl, flags: int, ttlMs: long }),
  fc.record({ type: fc.constantFrom(OpCode.Exists, OpCode.GetChildren2), path, watch: fc.boolean() }),
  fc.record({ type: fc.constant(OpCode.Multi), ops: fc.array(fc.oneof(create, setData), { maxLength: 4 }) }),
  fc.record({
    type: fc.constant(OpCode.SetWatches2),
    relativeZxid: long,
    dataWatches: fc.array(path, { maxLength: 3 }),
    existWatches: fc.array(path, { maxLength: 3 }),
    childWatches: fc.array(path, { maxLength: 3 }),
    persistentWatches: fc.array(path, { maxLength: 3 }),
    persistentRecursiveWatches: fc.array(path, { maxLength: 3 }),
  }),
);

describe("generated round trips", () => {
  it("decodeRequest(encodeRequest(xid, r)) returns r", () => {
    fc.assert(
      // fc.record builds null-prototype objects, which deepEqual tells apart from decoded ones.
      fc.property(int, request.map((r) => plain(r)), (xid, r) => {
        assert.deepEqual(decodeRequest(encodeRequest(xid, r).subarray(4)), {
          header: { xid, type: r.type },
          request: r,
        });
      }),
      { numRuns: RUNS },
    );
  });
  it("decodeReply(encodeReply(h, getChildren2)) returns it", () => {
    fc.assert(
      fc.property(
        fc.nat(),
        long,
        fc.array(fc.string().map((s) => s.replace(/[\ud800-\udfff]/g, "")), { maxLength: 5 }),
        (
          xid,
          zxid,
          children,
        ) => {
          const header = { xid, zxid, err: 0 };
          const body = { type: OpCode.GetChildren2, children, stat: STAT } as const;
          assert.deepEqual(decodeReply(encodeReply(header, body).subarray(4), OpCode.GetChildren2), { header, body });
        },
      ),
      { numRuns: RUNS },
    );
  });
});

/** A deep copy made of ordinary objects (QuickJS has no structuredClone). */
function plain<T>(value: T): T {
  if (value instanceof Uint8Array || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(plain) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)])) as T;
}
