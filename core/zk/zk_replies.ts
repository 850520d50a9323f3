// ZooKeeper's reply records as the StoreReply every store gives the client (same shapes as the memory store).
import type { StoreReply } from "../store.ts";
import { ErrorCode } from "../errors.ts";
import { OpCode } from "./opcodes.ts";
import type { ZkWireResponse } from "./records.ts";
import type { WireMultiResult } from "./records_multi.ts";

/** The StoreReply for a reply's err and body (the body is null unless err is 0; delete has none). */
export function toStoreReply(err: number, body: ZkWireResponse | null): StoreReply {
  if (err !== ErrorCode.Ok || body === null) return { resultCode: err };
  switch (body.type) {
    case OpCode.Create:
      return { resultCode: 0, name: body.path };
    case OpCode.Create2:
    case OpCode.CreateContainer:
    case OpCode.CreateTtl:
      return { resultCode: 0, name: body.path, stat: body.stat };
    case OpCode.Exists:
    case OpCode.SetData:
    case OpCode.SetAcl:
      return { resultCode: 0, stat: body.stat };
    case OpCode.GetData:
      return { resultCode: 0, data: body.data, stat: body.stat };
    case OpCode.GetAcl:
      return { resultCode: 0, acl: body.acl, stat: body.stat };
    case OpCode.GetChildren2:
      return { resultCode: 0, children: body.children, stat: body.stat };
    case OpCode.Multi:
      return { resultCode: 0, opResults: body.results.map(opResult) };
    case OpCode.Sync:
    case OpCode.AddWatch:
      return { resultCode: 0 };
    case OpCode.GetEphemerals:
      return { resultCode: 0, paths: body.ephemerals };
    case OpCode.GetAllChildrenNumber:
      return { resultCode: 0, count: body.totalNumber };
    default:
      // No request a client or a server passing requests on sends is answered by another record.
      return { resultCode: ErrorCode.MarshallingError };
  }
}

// Within a multi, ZooKeeper 3.8 answers a create (sent as create2) with the name only.
function opResult(result: WireMultiResult): NonNullable<StoreReply["opResults"]>[number] {
  switch (result.type) {
    case OpCode.Error:
      return { resultCode: result.err };
    case OpCode.Create:
    case OpCode.Create2:
      return { resultCode: 0, name: result.path };
    case OpCode.SetData:
      return { resultCode: 0, stat: result.stat };
    default:
      return { resultCode: 0 };
  }
}
