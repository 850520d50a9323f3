import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { hashCapacity, javaHashOrder, javaStringHash, zooKeeperChildOrder } from "./java_hash_order.ts";

describe("Java hash order", () => {
  it("hashes strings as String.hashCode", () => {
    assert.equal(javaStringHash("abc"), 96354);
    assert.equal(javaStringHash("polygenelubricants"), -2147483648);
    assert.equal(javaStringHash(""), 0);
  });

  it("grows a table past three quarters full and never below its start", () => {
    assert.deepEqual([0, 6, 7, 12, 13].map((n) => hashCapacity(n, 8)), [8, 8, 16, 16, 32]);
  });

  it("iterates by bucket, then by insertion within a bucket", () => {
    // 1 and 9 share bucket 1 of 8; 9 was inserted first.
    assert.deepEqual(javaHashOrder([9, 3, 1, 8], (n) => n, 8), [8, 9, 1, 3]);
  });

  it("orders children by the capacity the node's set reached, not by the names left", () => {
    const names = new Set(["y", "x"]);
    assert.deepEqual(zooKeeperChildOrder(names), ["x", "y"]);
    // "b" (98) and "r" (114) share bucket 2 of 16 but not of 32.
    assert.deepEqual(zooKeeperChildOrder(new Set(["r", "b"]), 16), ["r", "b"]);
    assert.deepEqual(zooKeeperChildOrder(new Set(["r", "b"]), 32), ["b", "r"]);
  });
});
