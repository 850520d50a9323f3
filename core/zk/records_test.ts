import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode, isKeeperError } from "../errors.ts";
import { OPEN_ACL_UNSAFE } from "../api/acl.ts";
import { OpCode, Xid } from "./opcodes.ts";
import { encodeJavaUtf8 } from "./utf8.ts";
import {
  decodeReply,
  decodeRequest,
  decodeRequestHeader,
  encodeReply,
  encodeRequest,
  type ZkReply,
  type ZkWireRequest,
} from "./records.ts";
import {
  type ConnectRequest,
  type ConnectResponse,
  decodeConnectRequest,
  decodeConnectResponse,
  encodeConnectRequest,
  encodeConnectResponse,
} from "./records_session.ts";
import { SAMPLE_REQUESTS, SAMPLE_RESPONSES, STAT, stat } from "../../tests/fixtures/zk/samples.ts";
import * as golden from "../../tests/fixtures/zk/frames.ts";
import { fromHex, toHex } from "../../tests/fixtures/zk/hex.ts";

const bodyOf = (frame: Uint8Array): Uint8Array => frame.subarray(4);
const goldenBody = (hex: string): Uint8Array => bodyOf(fromHex(hex));
const bytes = (s: string): Uint8Array => encodeJavaUtf8(s);
const acl = [...OPEN_ACL_UNSAFE];

const goldenRequests: [string, string, number, ZkWireRequest][] = [
  ["create", golden.CREATE_REQUEST, 1, { type: OpCode.Create, path: "/a", data: bytes("hi"), acl, flags: 0 }],
  [
    "createTTL",
    golden.CREATE_TTL_REQUEST,
    4,
    { type: OpCode.CreateTtl, path: "/t", data: null, acl, flags: 5, ttlMs: 60000n },
  ],
  ["create2 with UTF-8", golden.CREATE2_UTF8_REQUEST, 25, {
    type: OpCode.Create2,
    path: "/é€",
    data: null,
    acl,
    flags: 0,
  }],
  ["getData", golden.GET_DATA_REQUEST, 5, { type: OpCode.GetData, path: "/a", watch: true }],
  ["multi", golden.MULTI_REQUEST, 16, {
    type: OpCode.Multi,
    ops: [
      { type: OpCode.Create, path: "/n", data: null, acl, flags: 0 },
      { type: OpCode.Check, path: "/a", version: 9 },
      { type: OpCode.Delete, path: "/a", version: -1 },
    ],
  }],
  ["multiRead", golden.MULTI_READ_REQUEST, 17, {
    type: OpCode.MultiRead,
    ops: [
      { type: OpCode.GetData, path: "/a", watch: false },
      { type: OpCode.GetChildren, path: "/m", watch: false },
      { type: OpCode.GetData, path: "/missing", watch: false },
    ],
  }],
  ["setWatches", golden.SET_WATCHES_REQUEST, Xid.SetWatches, {
    type: OpCode.SetWatches,
    relativeZxid: 1n,
    dataWatches: ["/a"],
    existWatches: ["/nope"],
    childWatches: ["/"],
  }],
  ["ping", golden.PING_REQUEST, Xid.Ping, { type: OpCode.Ping }],
  ["auth", golden.AUTH_REQUEST, Xid.Auth, { type: OpCode.Auth, authType: 0, scheme: "digest", auth: bytes("u:p") }],
  ["closeSession", golden.CLOSE_SESSION_REQUEST, 28, { type: OpCode.CloseSession }],
];

const STAT_B = stat({
  czxid: 3n,
  mzxid: 3n,
  ctime: 0x1a2161952bcn,
  mtime: 0x1a2161952bcn,
  ephemeralOwner: 0x0100000805eb0000n,
  pzxid: 3n,
});

const goldenReplies: [string, string, OpCode | undefined, ZkReply][] = [
  ["create2", golden.CREATE2_REPLY, OpCode.Create2, {
    header: { xid: 2, zxid: 3n, err: 0 },
    body: { type: OpCode.Create2, path: "/b", stat: STAT_B },
  }],
  ["getData", golden.GET_DATA_REPLY, OpCode.GetData, {
    header: { xid: 5, zxid: 5n, err: 0 },
    body: {
      type: OpCode.GetData,
      data: bytes("hi"),
      stat: stat({ czxid: 2n, mzxid: 2n, ctime: 0x1a2161952abn, mtime: 0x1a2161952abn, dataLength: 2, pzxid: 2n }),
    },
  }],
  ["a notification", golden.NOTIFICATION_REPLY, undefined, {
    header: { xid: Xid.Notification, zxid: -1n, err: 0 },
    body: { type: OpCode.Notification, event: { type: 3, state: 3, path: "/a" } },
  }],
  ["an error", golden.ERROR_REPLY, OpCode.Exists, { header: { xid: 7, zxid: 6n, err: ErrorCode.NoNode }, body: null }],
  ["a failed multi", golden.MULTI_FAILED_REPLY, OpCode.Multi, {
    header: { xid: 16, zxid: 0x13n, err: 0 },
    body: {
      type: OpCode.Multi,
      results: [
        { type: OpCode.Error, err: 0 },
        { type: OpCode.Error, err: ErrorCode.BadVersion },
        { type: OpCode.Error, err: ErrorCode.RuntimeInconsistency },
      ],
    },
  }],
  ["multiRead", golden.MULTI_READ_REPLY, OpCode.MultiRead, {
    header: { xid: 17, zxid: 0x13n, err: 0 },
    body: {
      type: OpCode.MultiRead,
      results: [
        {
          type: OpCode.GetData,
          data: bytes("yo"),
          stat: stat({
            czxid: 2n,
            mzxid: 0xfn,
            ctime: 0x1a2161952abn,
            mtime: 0x1a21619eff6n,
            version: 2,
            aversion: 1,
            dataLength: 2,
            pzxid: 2n,
          }),
        },
        { type: OpCode.GetChildren, children: ["c"] },
        { type: OpCode.Error, err: ErrorCode.NoNode },
      ],
    },
  }],
  ["whoAmI", golden.WHO_AM_I_REPLY, OpCode.WhoAmI, {
    header: { xid: 24, zxid: 0x13n, err: 0 },
    body: {
      type: OpCode.WhoAmI,
      clientInfo: [{ authScheme: "ip", user: "127.0.0.1" }, { authScheme: "digest", user: "u" }],
    },
  }],
  ["getChildren", golden.GET_CHILDREN_REPLY, OpCode.GetChildren, {
    header: { xid: 26, zxid: 0x14n, err: 0 },
    body: { type: OpCode.GetChildren, children: ["a", "b", "c", "é€", "zookeeper", "t", "m"] },
  }],
];

describe("golden request frames", () => {
  for (const [name, hex, xid, request] of goldenRequests) {
    it(`encodeRequest() writes ${name} byte for byte`, () => {
      assert.equal(toHex(encodeRequest(xid, request)), toHex(fromHex(hex)));
    });
    it(`decodeRequest() reads ${name}`, () => {
      assert.deepEqual(decodeRequest(goldenBody(hex)), { header: { xid, type: request.type }, request });
    });
  }
});

describe("golden reply frames", () => {
  for (const [name, hex, expectedOpCode, reply] of goldenReplies) {
    it(`decodeReply() reads ${name}`, () => {
      assert.deepEqual(decodeReply(goldenBody(hex), expectedOpCode), reply);
    });
    it(`encodeReply() writes ${name} byte for byte`, () => {
      assert.equal(toHex(encodeReply(reply.header, reply.body)), toHex(fromHex(hex)));
    });
  }
});

describe("connect frames", () => {
  const request: ConnectRequest = {
    protocolVersion: 0,
    lastZxidSeen: 0n,
    timeoutMs: 30000,
    sessionId: 0n,
    passwd: new Uint8Array(16),
    readOnly: false,
  };
  const response: ConnectResponse = {
    protocolVersion: 0,
    timeoutMs: 30000,
    sessionId: 0x0100000805eb0000n,
    passwd: fromHex("1754642c58a90d4e4df616976155ae60"),
    readOnly: false,
  };
  it("encodeConnectRequest() writes the golden 45-byte body", () => {
    assert.equal(toHex(encodeConnectRequest(request)), toHex(fromHex(golden.CONNECT_REQUEST)));
  });
  it("decodeConnectRequest() reads the readOnly byte when present and leaves it out when absent", () => {
    const body = goldenBody(golden.CONNECT_REQUEST);
    assert.deepEqual(decodeConnectRequest(body), request);
    const { readOnly: _, ...withoutByte } = request;
    assert.equal(body.length, 45);
    assert.deepEqual(decodeConnectRequest(body.subarray(0, 44)), withoutByte);
    assert.equal(encodeConnectRequest(withoutByte).length, 4 + 44);
  });
  it("decodeConnectResponse() accepts 37 bytes (with readOnly) and 36 (without)", () => {
    const body = goldenBody(golden.CONNECT_RESPONSE);
    assert.deepEqual(decodeConnectResponse(body), response);
    const { readOnly: _, ...withoutByte } = response;
    assert.deepEqual(decodeConnectResponse(body.subarray(0, 36)), withoutByte);
  });
  it("encodeConnectResponse() writes the golden body", () => {
    assert.equal(toHex(encodeConnectResponse(response)), toHex(fromHex(golden.CONNECT_RESPONSE)));
  });
  it("decodeConnectResponse() reads an expired session's negative timeout", () => {
    const expired = { protocolVersion: 0, timeoutMs: -1, sessionId: 0n, passwd: new Uint8Array(16), readOnly: true };
    assert.deepEqual(decodeConnectResponse(bodyOf(encodeConnectResponse(expired))), expired);
  });
});

describe("request round trips", () => {
  it("cover every op code a client sends", () => {
    const sent = new Set(SAMPLE_REQUESTS.map((r) => r.type));
    const expected = Object.values(OpCode).filter((c) =>
      ![OpCode.Notification, OpCode.Error, OpCode.Reconfig, OpCode.Sasl, OpCode.DeleteContainer, OpCode.CreateSession]
        .includes(c as never)
    );
    assert.deepEqual([...sent].sort((a, b) => a - b), expected.sort((a, b) => a - b));
  });
  for (const request of SAMPLE_REQUESTS) {
    it(`decodeRequest() reads back op ${request.type}`, () => {
      const frame = encodeRequest(9, request);
      assert.equal(new DataView(frame.buffer, frame.byteOffset).getInt32(0), frame.length - 4);
      assert.deepEqual(decodeRequest(bodyOf(frame)), { header: { xid: 9, type: request.type }, request });
    });
  }
});

describe("reply round trips", () => {
  for (const body of SAMPLE_RESPONSES) {
    it(`decodeReply() reads back op ${body.type}`, () => {
      const header = { xid: 11, zxid: 0x7fffffffffffffffn, err: 0 };
      assert.deepEqual(decodeReply(bodyOf(encodeReply(header, body)), body.type), { header, body });
    });
  }
  it("decodeReply() returns no body for ops that reply with a header only", () => {
    for (const type of [OpCode.Delete, OpCode.Check, OpCode.SetWatches, OpCode.RemoveWatches, OpCode.CloseSession]) {
      const header = { xid: 3, zxid: 1n, err: 0 };
      assert.deepEqual(decodeReply(bodyOf(encodeReply(header, null)), type), { header, body: null });
    }
  });
  it("decodeReply() decodes replies to ping, auth and setWatches without an expected op", () => {
    for (const xid of [Xid.Ping, Xid.Auth, Xid.SetWatches]) {
      const header = { xid, zxid: 5n, err: xid === Xid.Auth ? ErrorCode.AuthFailed : 0 };
      assert.deepEqual(decodeReply(bodyOf(encodeReply(header, null))), { header, body: null });
    }
  });
  it("decodeReply() ignores the body of an error reply and trailing bytes", () => {
    const header = { xid: 4, zxid: 1n, err: ErrorCode.NoNode };
    const frame = encodeReply(header, { type: OpCode.SetData, stat: STAT });
    assert.deepEqual(decodeReply(bodyOf(frame), OpCode.SetData), { header, body: null });
    const ok = encodeReply({ ...header, err: 0 }, { type: OpCode.Sync, path: "/a" });
    const padded = Uint8Array.of(...bodyOf(ok), 1, 2, 3);
    assert.deepEqual(decodeReply(padded, OpCode.Sync).body, { type: OpCode.Sync, path: "/a" });
  });
  it("decodeReply() throws MarshallingError for an ordinary xid when nothing is pending", () => {
    const frame = encodeReply({ xid: 1, zxid: 1n, err: 0 }, null);
    assert.throws(() => decodeReply(bodyOf(frame)), (e: unknown) => isKeeperError(e, ErrorCode.MarshallingError));
  });
  it("multi results of a type multi cannot hold fail both ways", () => {
    const result = { type: OpCode.Exists, stat: STAT_B } as never;
    assert.throws(() => encodeReply({ xid: 1, zxid: 1n, err: 0 }, { type: OpCode.Multi, results: [result] }), {
      message: /op type 3 is not allowed/,
    });
    const body = fromHex("00000001 0000000000000001 00000000 | 00000003 00 00000000");
    assert.throws(() => decodeReply(body, OpCode.Multi), (e: unknown) => isKeeperError(e, ErrorCode.MarshallingError));
  });
});

describe("request errors", () => {
  it("decodeRequest() throws Unimplemented for an unknown op code, and decodeRequestHeader() still reads the xid", () => {
    const body = fromHex("00000007 000003e7");
    assert.throws(() => decodeRequest(body), (e: unknown) => isKeeperError(e, ErrorCode.Unimplemented));
    assert.deepEqual(decodeRequestHeader(body), { xid: 7, type: 999 });
  });
  it("decodeRequest() rejects a read op inside a write multi with MarshallingError", () => {
    const body = fromHex("00000001 0000000e | 00000004 00 ffffffff 00000002 2f61 00 | ffffffff 01 ffffffff");
    assert.throws(() => decodeRequest(body), (e: unknown) => isKeeperError(e, ErrorCode.MarshallingError));
  });
  it("decodeRequest() throws MarshallingError for a multi without its done header", () => {
    const body = fromHex("00000001 0000000e | 00000002 00 ffffffff 00000002 2f61 ffffffff");
    assert.throws(() => decodeRequest(body), (e: unknown) => isKeeperError(e, ErrorCode.MarshallingError));
  });
  it("encodeRequest() throws BadArguments for an unknown op code or an int out of range", () => {
    const badArguments = (e: unknown): boolean => isKeeperError(e, ErrorCode.BadArguments);
    assert.throws(() => encodeRequest(1, { type: 999 } as never), badArguments);
    assert.throws(() => encodeRequest(1, { type: OpCode.Delete, path: "/a", version: 2 ** 31 }), badArguments);
  });
});
