// The retry and fencing rules of ZkRequests against a scripted KafkaMetastore: which codes are sent
// again, when the client waits for a connection, and how a fenced Multi's outcome is unwrapped.
// (The same rules run against real ZooKeeper and etcd in tests/kafka/kafka_suite.ts.)
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { KafkaMetastore } from "../api/metastore.ts";
import type { Request } from "../api/requests.ts";
import type { OpResult, Response } from "../api/responses.ts";
import { OPEN_ACL_UNSAFE } from "../api/acl.ts";
import { ErrorCode, isKeeperError } from "../errors.ts";
import { isKafkaError } from "./errors.ts";
import { ZkRequests } from "./zk_requests.ts";

const METADATA = { sendTimeMs: 0, receivedTimeMs: 0 };

/** Answers each request with the next code scripted for its path (Ok when the script runs out). */
function scripted(codes: Record<string, number[]>, multiResults?: (r: Request) => OpResult[] | null) {
  const sent: string[] = [];
  let waits = 0;
  const answer = (r: Request): Response => {
    const key = r.type === "multi" ? `multi:${r.ops.map((o) => o.path).join(",")}` : `${r.type}:${r.path}`;
    sent.push(key);
    const resultCode = codes[key]?.shift() ?? ErrorCode.Ok;
    if (r.type === "multi") return { type: "multi", resultCode, path: null, ctx: r.ctx, metadata: METADATA, results: multiResults?.(r) ?? null };
    if (r.type === "getData") return { type: "getData", resultCode, path: r.path, ctx: r.ctx, metadata: METADATA, data: null, stat: null };
    return { type: "delete", resultCode, path: r.path, ctx: r.ctx, metadata: METADATA } as Response;
  };
  const zk = {
    handleRequests: (requests: readonly Request[]) => Promise.resolve(requests.map(answer)),
    waitUntilConnected: () => {
      waits++;
      return Promise.resolve();
    },
  } as unknown as KafkaMetastore;
  return { zk, sent, waits: () => waits };
}

describe("ZkRequests.retry()", () => {
  it("sends ConnectionLoss responses again after waitUntilConnected, keeping request order", async () => {
    const s = scripted({ "getData:/a": [ErrorCode.ConnectionLoss, ErrorCode.ConnectionLoss], "getData:/b": [ErrorCode.NoNode] });
    const r = new ZkRequests(s.zk, () => OPEN_ACL_UNSAFE);
    const responses = await r.retry([{ type: "getData", path: "/a" }, { type: "getData", path: "/b" }, { type: "getData", path: "/c" }]);
    assert.deepEqual(responses.map((x) => [x.path, x.resultCode]), [["/a", 0], ["/b", ErrorCode.NoNode], ["/c", 0]]);
    assert.deepEqual(s.sent, ["getData:/a", "getData:/b", "getData:/c", "getData:/a", "getData:/a"]);
    assert.equal(s.waits(), 2);
  });

  it("returns SessionExpired as it is: not retried, no wait", async () => {
    const s = scripted({ "getData:/a": [ErrorCode.SessionExpired] });
    const r = new ZkRequests(s.zk, () => OPEN_ACL_UNSAFE);
    const [response] = await r.retry([{ type: "getData", path: "/a" }]);
    assert.equal(response!.resultCode, ErrorCode.SessionExpired);
    assert.deepEqual(s.sent, ["getData:/a"]);
    assert.equal(s.waits(), 0);
  });
});

describe("ZkRequests.fenced()", () => {
  const del = { type: "delete" as const, path: "/t", version: -1, ctx: "mine" };
  const results = (check: number, inner: number) => (r: Request): OpResult[] =>
    r.type === "multi" ? [{ op: r.ops[0]!, resultCode: check }, { op: r.ops[1]!, resultCode: inner }] : [];

  it("wraps the write in a Multi with a check of /controller_epoch and unwraps the inner outcome", async () => {
    const s = scripted({ "multi:/controller_epoch,/t": [ErrorCode.NoNode] }, results(ErrorCode.Ok, ErrorCode.NoNode));
    const [response] = await new ZkRequests(s.zk, () => OPEN_ACL_UNSAFE).fenced([del], 4);
    assert.deepEqual([response!.type, response!.path, response!.resultCode, response!.ctx], ["delete", "/t", ErrorCode.NoNode, "mine"]);
  });

  it("turns BadVersion on the check into ControllerMovedError", async () => {
    const s = scripted({ "multi:/controller_epoch,/t": [ErrorCode.BadVersion] }, results(ErrorCode.BadVersion, ErrorCode.RuntimeInconsistency));
    await assert.rejects(new ZkRequests(s.zk, () => OPEN_ACL_UNSAFE).fenced([del], 4), (e) => isKafkaError(e, "ControllerMovedError") && e.expectedVersion === 4);
  });

  it("throws the check's other failures and a Multi that failed as a whole as KeeperErrors", async () => {
    const noEpoch = scripted({ "multi:/controller_epoch,/t": [ErrorCode.NoNode] }, results(ErrorCode.NoNode, ErrorCode.RuntimeInconsistency));
    await assert.rejects(new ZkRequests(noEpoch.zk, () => OPEN_ACL_UNSAFE).fenced([del], 0), (e) => isKeeperError(e, ErrorCode.NoNode));
    const expired = scripted({ "multi:/controller_epoch,/t": [ErrorCode.SessionExpired] });
    await assert.rejects(new ZkRequests(expired.zk, () => OPEN_ACL_UNSAFE).fenced([del], 0), (e) => isKeeperError(e, ErrorCode.SessionExpired));
  });

  it("sends MATCH_ANY_VERSION writes bare and refuses other negative versions", async () => {
    const s = scripted({});
    const r = new ZkRequests(s.zk, () => OPEN_ACL_UNSAFE);
    await r.fenced([del], -1);
    assert.deepEqual(s.sent, ["delete:/t"]);
    await assert.rejects(r.fenced([del], -2), (e) => isKeeperError(e, ErrorCode.BadArguments));
  });
});
