// Turns a store's reply into the typed response Kafka's client returns for that request.
import type { Request, ZkOp } from "../api/requests.ts";
import type { OpResult, Response, ResponseMetadata } from "../api/responses.ts";
import type { StoreReply } from "../store.ts";
import { ErrorCode } from "../errors.ts";

/** Builds the response to `request` (client paths) from `reply` (names already relative to the chroot). */
export function buildResponse(request: Request, reply: StoreReply, metadata: ResponseMetadata): Response {
  const resultCode = reply.resultCode;
  const ok = resultCode === ErrorCode.Ok;
  const ctx = request.ctx;
  if (request.type === "multi") {
    const results: OpResult[] | null = reply.opResults
      ? reply.opResults.map((r, i) => opResult(request.ops[i]!, r))
      : null;
    // As the Java client reports it: the first op's non-OK code, else the reply's own code.
    const code = results?.find((r) => r.resultCode !== ErrorCode.Ok)?.resultCode ?? resultCode;
    return { type: "multi", resultCode: code, path: null, ctx, metadata, results: ok ? results : null };
  }
  // Written out per type rather than spread from a shared base: one object per response, not two.
  const path = request.path;
  const stat = ok ? reply.stat ?? null : null;
  switch (request.type) {
    case "create":
      return { type: "create", resultCode, path, ctx, metadata, name: ok ? reply.name ?? null : null };
    case "delete":
      return { type: "delete", resultCode, path, ctx, metadata };
    case "exists":
      return { type: "exists", resultCode, path, ctx, metadata, stat };
    case "getData":
      return { type: "getData", resultCode, path, ctx, metadata, data: ok ? reply.data ?? null : null, stat };
    case "setData":
      return { type: "setData", resultCode, path, ctx, metadata, stat };
    case "getAcl":
      return { type: "getAcl", resultCode, path, ctx, metadata, acl: ok ? reply.acl ?? [] : [], stat };
    case "setAcl":
      return { type: "setAcl", resultCode, path, ctx, metadata, stat };
    case "getChildren":
      return { type: "getChildren", resultCode, path, ctx, metadata, children: ok ? reply.children ?? [] : [], stat };
  }
}

function opResult(op: ZkOp, r: NonNullable<StoreReply["opResults"]>[number]): OpResult {
  const result: OpResult = { op, resultCode: r.resultCode };
  if (r.name !== undefined) result.name = r.name;
  if (r.stat !== undefined) result.stat = r.stat;
  return result;
}

/** The same response with ConnectionLoss and no payload: a later request of a batch after a lost link. */
export function asConnectionLoss(response: Response): Response {
  const base = { resultCode: ErrorCode.ConnectionLoss, path: response.path, ctx: response.ctx, metadata: response.metadata };
  switch (response.type) {
    case "create":
      return { type: "create", ...base, name: null };
    case "exists":
    case "setData":
    case "setAcl":
      return { type: response.type, ...base, stat: null };
    case "getData":
      return { type: "getData", ...base, data: null, stat: null };
    case "getAcl":
      return { type: "getAcl", ...base, acl: [], stat: null };
    case "getChildren":
      return { type: "getChildren", ...base, children: [], stat: null };
    case "multi":
      return { type: "multi", ...base, results: null };
    case "delete":
      return { type: "delete", ...base };
  }
}
