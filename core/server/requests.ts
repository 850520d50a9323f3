// A ZooKeeper-protocol server's translation between the wire and the store: each decoded request
// becomes a StoreRequest (or is answered by the server itself), each StoreReply the record the
// request's op code answers with.
import type { ZkOp } from "../api/requests.ts";
import type { CreateMode } from "../api/create_mode.ts";
import { pathProblem } from "../api/path.ts";
import { ErrorCode } from "../errors.ts";
import type { StoreReply, StoreRequest, WatcherTypeCode } from "../store.ts";
import { OpCode } from "../zk/opcodes.ts";
import type { ZkWireRequest, ZkWireResponse } from "../zk/records.ts";
import type { WireMultiOp, WireMultiReadOp, WireMultiResult } from "../zk/records_multi.ts";

/** What the store is asked for one wire request, and whether it arms a watch. */
export interface StoreCall {
  request: StoreRequest;
  watch: boolean;
}

/**
 * The store call for a request the store answers, or a result code the server answers with at once
 * (a read of a path that cannot exist: ZooKeeper looks it up and finds nothing).
 */
export function toStoreCall(request: ZkWireRequest): StoreCall | number {
  switch (request.type) {
    case OpCode.Create:
    case OpCode.Create2:
    case OpCode.CreateContainer:
    case OpCode.CreateTtl:
    case OpCode.Delete:
    case OpCode.SetData:
      return { request: toZkOp(request) as Exclude<ZkOp, { type: "check" }>, watch: false };
    case OpCode.Check:
      // A check alone is a one-op Multi to the store (ZooKeeper only runs it so); its reply is unwrapped below.
      return { request: { type: "multi", ops: [toZkOp(request)] }, watch: false };
    case OpCode.Exists:
    case OpCode.GetData:
      return read(request.type === OpCode.Exists ? "exists" : "getData", request.path, request.watch);
    case OpCode.GetChildren:
    case OpCode.GetChildren2:
      return read("getChildren", request.path, request.watch);
    case OpCode.GetAcl:
      return read("getAcl", request.path, false);
    case OpCode.SetAcl:
      return { request: { type: "setAcl", path: request.path, acl: request.acl, version: request.version }, watch: false };
    case OpCode.Sync:
      return { request: { type: "sync", path: request.path }, watch: false };
    case OpCode.GetAllChildrenNumber:
      return pathProblem(request.path) === undefined
        ? { request: { type: "getAllChildrenNumber", path: request.path }, watch: false }
        : ErrorCode.NoNode;
    case OpCode.GetEphemerals:
      return { request: { type: "getEphemerals", path: request.prefixPath.trim() }, watch: false };
    case OpCode.AddWatch:
      return {
        request: { type: "addWatch", path: request.path, mode: request.mode === 1 ? "persistentRecursive" : "persistent" },
        watch: false,
      };
    case OpCode.CheckWatches:
    case OpCode.RemoveWatches:
      return {
        request: {
          type: "removeWatches",
          path: request.path,
          watcherType: request.watcherType as WatcherTypeCode,
          remove: request.type === OpCode.RemoveWatches,
        },
        watch: false,
      };
    case OpCode.SetWatches:
    case OpCode.SetWatches2:
      return {
        request: {
          type: "setWatches",
          relativeZxid: request.relativeZxid,
          data: request.dataWatches,
          exist: request.existWatches,
          child: request.childWatches,
          persistent: "persistentWatches" in request ? request.persistentWatches : [],
          persistentRecursive: "persistentRecursiveWatches" in request ? request.persistentRecursiveWatches : [],
        },
        watch: false,
      };
    case OpCode.Multi:
      return { request: { type: "multi", ops: request.ops.map(toZkOp) }, watch: false };
    default:
      // Answered by the server itself (ping, auth, whoAmI, closeSession, multiRead) or refused.
      return ErrorCode.Unimplemented;
  }
}

function read(type: "exists" | "getData" | "getChildren" | "getAcl", path: string, watch: boolean): StoreCall | number {
  if (pathProblem(path) !== undefined) return ErrorCode.NoNode;
  const request: StoreRequest = type === "getChildren" ? { type, path, registerWatch: watch } : { type, path };
  return { request, watch };
}

/** A multiRead's ops as the reads the store answers one by one. */
export function multiReadCalls(ops: readonly WireMultiReadOp[]): (StoreCall | number)[] {
  return ops.map((op) => read(op.type === OpCode.GetData ? "getData" : "getChildren", op.path, op.watch));
}

// The tree judges raw flags, TTLs and paths in ZooKeeper's order, and a refused write still consumes its zxid.
function toZkOp(op: WireMultiOp): ZkOp {
  switch (op.type) {
    case OpCode.Delete:
      return { type: "delete", path: op.path, version: op.version };
    case OpCode.Check:
      return { type: "check", path: op.path, version: op.version };
    case OpCode.SetData:
      return { type: "setData", path: op.path, data: op.data, version: op.version };
    default: {
      const mode = op.flags as CreateMode;
      const ttlMs = op.type === OpCode.CreateTtl ? Number(op.ttlMs) : undefined;
      return { type: "create", path: op.path, data: op.data, acl: op.acl, mode, ...(ttlMs === undefined ? {} : { ttlMs }) };
    }
  }
}

/** A store's answer as the reply's err and body for the request's op code. */
export function toWireReply(request: ZkWireRequest, reply: StoreReply): { err: number; body: ZkWireResponse | null } {
  if (reply.resultCode !== ErrorCode.Ok) return { err: reply.resultCode, body: null };
  switch (request.type) {
    case OpCode.Create:
      return ok({ type: OpCode.Create, path: reply.name! });
    case OpCode.Create2:
    case OpCode.CreateContainer:
    case OpCode.CreateTtl:
      return ok({ type: request.type, path: reply.name!, stat: reply.stat! });
    case OpCode.SetData:
      return ok({ type: OpCode.SetData, stat: reply.stat! });
    case OpCode.Delete:
      return { err: 0, body: null };
    case OpCode.Check:
      // 3.8.0 never answers a standalone check that passes; a header alone is what a client can use.
      return { err: reply.opResults![0]!.resultCode, body: null };
    case OpCode.Exists:
      return ok({ type: OpCode.Exists, stat: reply.stat! });
    case OpCode.GetData:
      return ok({ type: OpCode.GetData, data: reply.data ?? null, stat: reply.stat! });
    case OpCode.GetChildren:
      return ok({ type: OpCode.GetChildren, children: reply.children! });
    case OpCode.GetChildren2:
      return ok({ type: OpCode.GetChildren2, children: reply.children!, stat: reply.stat! });
    case OpCode.GetAcl:
      return ok({ type: OpCode.GetAcl, acl: reply.acl!, stat: reply.stat! });
    case OpCode.SetAcl:
      return ok({ type: OpCode.SetAcl, stat: reply.stat! });
    case OpCode.Sync:
      return ok({ type: OpCode.Sync, path: request.path });
    case OpCode.GetAllChildrenNumber:
      return ok({ type: OpCode.GetAllChildrenNumber, totalNumber: reply.count! });
    case OpCode.GetEphemerals:
      return ok({ type: OpCode.GetEphemerals, ephemerals: reply.paths! });
    case OpCode.AddWatch:
      return ok({ type: OpCode.AddWatch, err: 0 });
    case OpCode.Multi:
      return ok({ type: OpCode.Multi, results: multiResults(request.ops, reply) });
    default:
      // checkWatches, removeWatches, setWatches: a header alone.
      return { err: 0, body: null };
  }
}

function ok(body: ZkWireResponse): { err: number; body: ZkWireResponse } {
  return { err: 0, body };
}

// A failed Multi is all ErrorResults (0 before the failing op, its code, -2 after). Measured on
// 3.8.0: every create in a Multi, create2 included, answers with a CreateResponse (the name only).
function multiResults(ops: readonly WireMultiOp[], reply: StoreReply): WireMultiResult[] {
  const results = reply.opResults!;
  if (results.some((r) => r.resultCode !== ErrorCode.Ok)) {
    return results.map((r) => ({ type: OpCode.Error, err: r.resultCode }));
  }
  return ops.map((op, i): WireMultiResult => {
    const r = results[i]!;
    switch (op.type) {
      case OpCode.Create:
      case OpCode.Create2:
      case OpCode.CreateContainer:
      case OpCode.CreateTtl:
        return { type: OpCode.Create, path: r.name! };
      case OpCode.SetData:
        return { type: OpCode.SetData, stat: r.stat! };
      default:
        return { type: op.type };
    }
  });
}

/** One multiRead result: the read's record, or an ErrorResult. */
export function multiReadResult(op: WireMultiReadOp, reply: StoreReply): WireMultiResult {
  if (reply.resultCode !== ErrorCode.Ok) return { type: OpCode.Error, err: reply.resultCode };
  return op.type === OpCode.GetData
    ? { type: OpCode.GetData, data: reply.data ?? null, stat: reply.stat! }
    : { type: OpCode.GetChildren, children: reply.children! };
}
