// Which member a call goes to (runtimes/common/etcd/rotation.ts), shared by both etcd transports.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rotation } from "../../runtimes/common/etcd/rotation.ts";

describe("Rotation", () => {
  it("sends reads to each member in turn and writes to the current one", () => {
    const r = new Rotation(["a", "b", "c"]);
    assert.deepEqual([r.forRead(), r.forRead(), r.forRead(), r.forRead()], ["a", "b", "c", "a"]);
    assert.equal(r.current(), "a");
  });

  it("leaves a failed member out of reads, and moves writes past it to one that has not failed", () => {
    const r = new Rotation(["a", "b", "c"]);
    r.failed("b");
    assert.equal(r.current(), "a", "a failure elsewhere does not move writes");
    assert.deepEqual([r.forRead(), r.forRead(), r.forRead()], ["a", "c", "a"]);
    r.failed("a");
    assert.equal(r.current(), "c", "writes skip b, which failed too");
    assert.deepEqual([r.forRead(), r.forRead()], ["c", "c"]);
  });

  it("takes a failed member back into reads once it answers", () => {
    const r = new Rotation(["a", "b"]);
    r.failed("b");
    r.answered("b");
    assert.deepEqual([r.forRead(), r.forRead()], ["a", "b"], "an answer clears the failure");
    r.failed("b");
    r.failed("b");
    assert.deepEqual([r.forRead(), r.forRead()], ["a", "a"]);
  });

  it("when every member failed lately, reads go where writes go and writes keep cycling", () => {
    const r = new Rotation(["a", "b"]);
    r.failed("a");
    r.failed("b");
    assert.equal(r.current(), "a");
    assert.equal(r.forRead(), "a");
    r.failed("a");
    assert.equal(r.current(), "b");
  });
});
