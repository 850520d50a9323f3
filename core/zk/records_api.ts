// Maps the public API's requests (core/api/requests.ts) to the wire requests ZooKeeper gets.
import type { CreateRequest, Request, ZkOp } from "../api/requests.ts";
import { ErrorCode, KeeperError } from "../errors.ts";
import { CreateMode, isTtl } from "../api/create_mode.ts";
import { OpCode } from "./opcodes.ts";
import type { ZkWireRequest } from "./records.ts";
import type { WireMultiOp } from "./records_multi.ts";
import type { ServerRequest } from "../store.ts";

type CreateLike = Pick<CreateRequest, "path" | "data" | "acl" | "mode" | "ttlMs">;

/**
 * The wire request for `request`. `watch` is whether a handler wants a watch armed (getChildren
 * also needs `registerWatch`). Creates use create2 (the reply carries the Stat), containers
 * createContainer and TTL modes createTTL; getChildren uses getChildren2.
 * @throws KeeperError BadArguments for a TTL mode without an integer `ttlMs`
 */
export function toWireRequest(request: Request, watch: boolean): ZkWireRequest {
  switch (request.type) {
    case "create":
      return toWireCreate(request);
    case "delete":
      return { type: OpCode.Delete, path: request.path, version: request.version };
    case "exists":
      return { type: OpCode.Exists, path: request.path, watch };
    case "getData":
      return { type: OpCode.GetData, path: request.path, watch };
    case "setData":
      return { type: OpCode.SetData, path: request.path, data: request.data, version: request.version };
    case "getAcl":
      return { type: OpCode.GetAcl, path: request.path };
    case "setAcl":
      return { type: OpCode.SetAcl, path: request.path, acl: request.acl, version: request.version };
    case "getChildren":
      return { type: OpCode.GetChildren2, path: request.path, watch: watch && request.registerWatch };
    case "multi":
      return { type: OpCode.Multi, ops: request.ops.map(toWireMultiOp) };
  }
}

function toWireMultiOp(op: ZkOp): WireMultiOp {
  switch (op.type) {
    case "create":
      return toWireCreate(op);
    case "delete":
      return { type: OpCode.Delete, path: op.path, version: op.version };
    case "setData":
      return { type: OpCode.SetData, path: op.path, data: op.data, version: op.version };
    case "check":
      return { type: OpCode.Check, path: op.path, version: op.version };
  }
}

// ZooKeeper ties container and TTL modes to op codes of their own; the rest go as create2.
function toWireCreate(request: CreateLike): WireMultiOp {
  const { path, data, acl, mode } = request;
  if (isTtl(mode)) {
    if (request.ttlMs === undefined || !Number.isSafeInteger(request.ttlMs)) {
      throw new KeeperError(ErrorCode.BadArguments, `Cannot create "${path}": TTL mode needs an integer ttlMs`, {
        path,
      });
    }
    return { type: OpCode.CreateTtl, path, data, acl, flags: mode, ttlMs: BigInt(request.ttlMs) };
  }
  const type = mode === CreateMode.Container ? OpCode.CreateContainer : OpCode.Create2;
  return { type, path, data, acl, flags: mode };
}

/** The wire request for what a ZooKeeper-protocol server passes on beyond the client's requests. */
export function toWireServerRequest(request: ServerRequest): ZkWireRequest {
  switch (request.type) {
    case "sync":
      return { type: OpCode.Sync, path: request.path };
    case "getEphemerals":
      return { type: OpCode.GetEphemerals, prefixPath: request.path };
    case "getAllChildrenNumber":
      return { type: OpCode.GetAllChildrenNumber, path: request.path };
    case "addWatch":
      return { type: OpCode.AddWatch, path: request.path, mode: request.mode === "persistentRecursive" ? 1 : 0 };
    case "removeWatches":
      return { type: request.remove ? OpCode.RemoveWatches : OpCode.CheckWatches, path: request.path, watcherType: request.watcherType };
    case "setWatches": {
      const { relativeZxid, data, exist, child, persistent, persistentRecursive } = request;
      const oneShot = { relativeZxid, dataWatches: data, existWatches: exist, childWatches: child };
      // setWatches2 only where persistent watches need it, as a 3.8 client sends them.
      return persistent.length + persistentRecursive.length === 0
        ? { type: OpCode.SetWatches, ...oneShot }
        : { type: OpCode.SetWatches2, ...oneShot, persistentWatches: persistent, persistentRecursiveWatches: persistentRecursive };
    }
  }
}
