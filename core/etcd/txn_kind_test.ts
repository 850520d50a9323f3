import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { RequestOp } from "./api.ts";
import { isReadOnlyTxn } from "./txn_kind.ts";

const key = new Uint8Array([1]);
const range: RequestOp = { range: { key } };
const put: RequestOp = { put: { key, value: key } };

describe("isReadOnlyTxn()", () => {
  it("is true only when no branch, nested ones included, writes", () => {
    assert.equal(isReadOnlyTxn({ compare: [], success: [range, range], failure: [] }), true);
    assert.equal(isReadOnlyTxn({ compare: [], success: [], failure: [] }), true);
    assert.equal(isReadOnlyTxn({ compare: [], success: [range, put], failure: [] }), false);
    assert.equal(isReadOnlyTxn({ compare: [], success: [range], failure: [{ deleteRange: { key } }] }), false);
    assert.equal(isReadOnlyTxn({ compare: [], success: [{ txn: { compare: [], success: [range], failure: [] } }], failure: [] }), true);
    assert.equal(isReadOnlyTxn({ compare: [], success: [{ txn: { compare: [], success: [put], failure: [] } }], failure: [] }), false);
  });
});
