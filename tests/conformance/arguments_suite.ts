// The same answer for the same mistake on every store: requests plain JavaScript can build with
// fields of the wrong type or range are refused by the client before any I/O, with one BadArguments
// naming the field, and leave nothing behind in the store.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode, isKeeperError, OPEN_ACL_UNSAFE, type Request } from "../../core/mod.ts";
import type { ConformanceTarget } from "./target.ts";
import { assertCode, withClient } from "./helpers.ts";

const acl = OPEN_ACL_UNSAFE;
const node = "/arg";

/** [what, request, the exact message]: written out so a change of wording is a visible change here. */
const CASES: [string, Record<string, unknown>, string][] = [
  ["create mode 9", { type: "create", path: node, data: null, acl, mode: 9 }, 'Invalid mode of create "/arg": expected a CreateMode (an integer 0..6), got 9'],
  ["create mode \"PERSISTENT\"", { type: "create", path: node, data: null, acl, mode: "PERSISTENT" }, 'Invalid mode of create "/arg": expected a CreateMode (an integer 0..6), got "PERSISTENT"'],
  ["create without a mode", { type: "create", path: node, data: null, acl }, 'Invalid mode of create "/arg": expected a CreateMode (an integer 0..6), got undefined'],
  ["create mode 1.5", { type: "create", path: node, data: null, acl, mode: 1.5 }, 'Invalid mode of create "/arg": expected a CreateMode (an integer 0..6), got 1.5'],
  ["create with string data", { type: "create", path: node, data: "x", acl, mode: 0 }, 'Invalid data of create "/arg": expected a Uint8Array or null, got "x"'],
  ["create with a non-array acl", { type: "create", path: node, data: null, acl: "world:anyone", mode: 0 }, 'Invalid acl of create "/arg": expected an array of { perms, id: { scheme, id } }, got "world:anyone"'],
  ["create with perms 32", { type: "create", path: node, data: null, acl: [{ perms: 32, id: { scheme: "world", id: "anyone" } }], mode: 0 }, 'Invalid acl[0].perms of create "/arg": expected an integer 0..31 (Perms), got 32'],
  ["create with perms -1", { type: "create", path: node, data: null, acl: [{ perms: -1, id: { scheme: "world", id: "anyone" } }], mode: 0 }, 'Invalid acl[0].perms of create "/arg": expected an integer 0..31 (Perms), got -1'],
  ["create with an ACL id missing", { type: "create", path: node, data: null, acl: [{ perms: 31 }], mode: 0 }, 'Invalid acl[0].id of create "/arg": expected an object { scheme, id }, got undefined'],
  ["create with a numeric ACL scheme", { type: "create", path: node, data: null, acl: [{ perms: 31, id: { scheme: 1, id: "anyone" } }], mode: 0 }, 'Invalid acl[0].id.scheme of create "/arg": expected a string, got 1'],
  ["create with a numeric path", { type: "create", path: 5, data: null, acl, mode: 0 }, "Invalid path of create: expected a string, got 5"],
  ["delete version \"0\"", { type: "delete", path: node, version: "0" }, 'Invalid version of delete "/arg": expected a 32-bit integer (-1 for any version), got "0"'],
  ["delete version 1.5", { type: "delete", path: node, version: 1.5 }, 'Invalid version of delete "/arg": expected a 32-bit integer (-1 for any version), got 1.5'],
  ["delete version 2^31", { type: "delete", path: node, version: 2 ** 31 }, 'Invalid version of delete "/arg": expected a 32-bit integer (-1 for any version), got 2147483648'],
  ["delete version NaN", { type: "delete", path: node, version: NaN }, 'Invalid version of delete "/arg": expected a 32-bit integer (-1 for any version), got NaN'],
  ["delete without a version", { type: "delete", path: node }, 'Invalid version of delete "/arg": expected a 32-bit integer (-1 for any version), got undefined'],
  ["setData version \"0\"", { type: "setData", path: node, data: null, version: "0" }, 'Invalid version of setData "/arg": expected a 32-bit integer (-1 for any version), got "0"'],
  ["setAcl version 2^31", { type: "setAcl", path: node, acl, version: 2 ** 31 }, 'Invalid version of setAcl "/arg": expected a 32-bit integer (-1 for any version), got 2147483648'],
  ["setAcl with a non-array acl", { type: "setAcl", path: node, acl: {}, version: -1 }, 'Invalid acl of setAcl "/arg": expected an array of { perms, id: { scheme, id } }, got an object'],
  ["getChildren without registerWatch", { type: "getChildren", path: node }, 'Invalid registerWatch of getChildren "/arg": expected a boolean, got undefined'],
  ["an unknown request type", { type: "sync", path: node }, 'Unknown request type "sync"'],
  ["Multi ops not an array", { type: "multi", ops: {} }, "Invalid ops of Multi: expected an array of ops, got an object"],
  ["Multi check version \"0\"", { type: "multi", ops: [{ type: "create", path: node, data: null, acl, mode: 0 }, { type: "check", path: node, version: "0" }] }, 'Invalid version of Multi op 1, check "/arg": expected a 32-bit integer (-1 for any version), got "0"'],
  ["Multi create mode 9", { type: "multi", ops: [{ type: "create", path: node, data: null, acl, mode: 9 }] }, 'Invalid mode of Multi op 0, create "/arg": expected a CreateMode (an integer 0..6), got 9'],
  ["Multi op of an unknown type", { type: "multi", ops: [{ type: "create", path: node, data: null, acl, mode: 0 }, { type: "getData", path: node }] }, 'Unknown type "getData" of Multi op 1 (use create, delete, setData or check)'],
];

export function argumentsSuite(target: ConformanceTarget): void {
  describe(`${target.name}: invalid arguments`, () => {
    it("every field of every request and Multi op is checked before any I/O, with one BadArguments naming it", () =>
      withClient(target, async (c) => {
        for (const [what, request, message] of CASES) {
          await assert.rejects(
            c.handleRequest(request as unknown as Request),
            (e) => isKeeperError(e, ErrorCode.BadArguments) && e.message === `[BadArguments] ${message}`,
            what,
          );
        }
        // Nothing reached the store: not even the valid first op of a refused Multi.
        assertCode(await c.handleRequest({ type: "exists", path: node }), ErrorCode.NoNode);
      }));

    it("a batch with one invalid request sends none of it", () =>
      withClient(target, async (c) => {
        const batch = [
          { type: "create", path: node, data: null, acl, mode: 0 },
          { type: "delete", path: node, version: "0" },
        ] as unknown as Request[];
        await assert.rejects(c.handleRequests(batch), (e) => isKeeperError(e, ErrorCode.BadArguments));
        assertCode(await c.handleRequest({ type: "exists", path: node }), ErrorCode.NoNode);
      }));
  });
}
