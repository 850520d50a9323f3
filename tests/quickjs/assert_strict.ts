// What `import ... from "node:assert/strict"` gives a test running in QuickJS.
import { createAssert } from "./assert.ts";

const assert = createAssert(true);
export default assert;
export const {
  AssertionError,
  ok,
  fail,
  equal,
  notEqual,
  strictEqual,
  notStrictEqual,
  deepEqual,
  notDeepEqual,
  deepStrictEqual,
  notDeepStrictEqual,
  match,
  doesNotMatch,
  throws,
  doesNotThrow,
  rejects,
  doesNotReject,
  ifError,
  strict,
} = assert;
