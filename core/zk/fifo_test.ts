import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Fifo } from "./fifo.ts";

describe("Fifo", () => {
  it("shifts items in the order they were pushed, undefined once empty", () => {
    const q = new Fifo<number>();
    q.push(1);
    q.push(2);
    assert.equal(q.peek(), 1);
    assert.equal(q.shift(), 1);
    q.push(3);
    assert.deepEqual([q.length, q.shift(), q.shift(), q.shift(), q.peek(), q.length], [2, 2, 3, undefined, undefined, 0]);
  });
  it("keeps its order across compactions while items come and go", () => {
    const q = new Fifo<number>();
    let pushed = 0;
    let shifted = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 300; i++) q.push(pushed++);
      for (let i = 0; i < 250; i++) assert.equal(q.shift(), shifted++);
    }
    assert.equal(q.length, pushed - shifted);
    assert.deepEqual(q.drain(), Array.from({ length: pushed - shifted }, (_, i) => shifted + i));
    assert.equal(q.length, 0);
  });
});
