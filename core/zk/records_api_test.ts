import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode, isKeeperError } from "../errors.ts";
import { OPEN_ACL_UNSAFE } from "../api/acl.ts";
import { CreateMode } from "../api/create_mode.ts";
import { OpCode } from "./opcodes.ts";
import { toWireRequest } from "./records_api.ts";

const acl = OPEN_ACL_UNSAFE;
const data = Uint8Array.of(1);

describe("toWireRequest()", () => {
  it("sends a create as create2 with the mode as flags", () => {
    assert.deepEqual(
      toWireRequest({ type: "create", path: "/a", data, acl, mode: CreateMode.EphemeralSequential }, false),
      {
        type: OpCode.Create2,
        path: "/a",
        data,
        acl,
        flags: 3,
      },
    );
  });
  it("sends a container create as createContainer", () => {
    const wire = toWireRequest({ type: "create", path: "/c", data: null, acl, mode: CreateMode.Container }, false);
    assert.deepEqual(wire, { type: OpCode.CreateContainer, path: "/c", data: null, acl, flags: 4 });
  });
  it("sends a TTL create as createTTL with the TTL as a long", () => {
    const request = {
      type: "create",
      path: "/t",
      data,
      acl,
      mode: CreateMode.PersistentSequentialWithTtl,
      ttlMs: 5000,
    } as const;
    assert.deepEqual(toWireRequest(request, false), {
      type: OpCode.CreateTtl,
      path: "/t",
      data,
      acl,
      flags: 6,
      ttlMs: 5000n,
    });
  });
  it("rejects a TTL create without an integer ttlMs with BadArguments", () => {
    for (const ttlMs of [undefined, 1.5]) {
      const request = { type: "create", path: "/t", data, acl, mode: CreateMode.PersistentWithTtl, ttlMs } as const;
      assert.throws(() => toWireRequest(request, false), (e: unknown) => isKeeperError(e, ErrorCode.BadArguments));
    }
  });
  it("passes the watch flag to exists and getData", () => {
    assert.deepEqual(toWireRequest({ type: "exists", path: "/e" }, true), {
      type: OpCode.Exists,
      path: "/e",
      watch: true,
    });
    assert.deepEqual(toWireRequest({ type: "getData", path: "/g" }, false), {
      type: OpCode.GetData,
      path: "/g",
      watch: false,
    });
  });
  it("sends getChildren as getChildren2, watching only when registerWatch is set too", () => {
    const wire = (registerWatch: boolean, watch: boolean) =>
      toWireRequest({ type: "getChildren", path: "/p", registerWatch }, watch);
    assert.deepEqual(wire(true, true), { type: OpCode.GetChildren2, path: "/p", watch: true });
    assert.deepEqual(wire(false, true), { type: OpCode.GetChildren2, path: "/p", watch: false });
    assert.deepEqual(wire(true, false), { type: OpCode.GetChildren2, path: "/p", watch: false });
  });
  it("maps delete, setData, getAcl and setAcl field by field", () => {
    assert.deepEqual(toWireRequest({ type: "delete", path: "/d", version: -1 }, false), {
      type: OpCode.Delete,
      path: "/d",
      version: -1,
    });
    assert.deepEqual(toWireRequest({ type: "setData", path: "/s", data: null, version: 3 }, false), {
      type: OpCode.SetData,
      path: "/s",
      data: null,
      version: 3,
    });
    assert.deepEqual(toWireRequest({ type: "getAcl", path: "/g" }, true), { type: OpCode.GetAcl, path: "/g" });
    assert.deepEqual(toWireRequest({ type: "setAcl", path: "/s", acl, version: 1 }, false), {
      type: OpCode.SetAcl,
      path: "/s",
      acl,
      version: 1,
    });
  });
  it("maps multi ops, creates by mode as for a single create", () => {
    const wire = toWireRequest({
      type: "multi",
      ops: [
        { type: "create", path: "/a", data: null, acl, mode: CreateMode.Persistent },
        { type: "create", path: "/b", data: null, acl, mode: CreateMode.Container },
        { type: "setData", path: "/a", data, version: 0 },
        { type: "check", path: "/a", version: 1 },
        { type: "delete", path: "/b", version: -1 },
      ],
    }, true);
    assert.deepEqual(wire, {
      type: OpCode.Multi,
      ops: [
        { type: OpCode.Create2, path: "/a", data: null, acl, flags: 0 },
        { type: OpCode.CreateContainer, path: "/b", data: null, acl, flags: 4 },
        { type: OpCode.SetData, path: "/a", data, version: 0 },
        { type: OpCode.Check, path: "/a", version: 1 },
        { type: OpCode.Delete, path: "/b", version: -1 },
      ],
    });
  });
});
