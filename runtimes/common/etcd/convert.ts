// Between protobuf-es messages (gen/) and the plain objects of core/etcd/api.ts. Oneofs become
// `{ range }`/`{ put }`…, enums become string unions, an absent header becomes zeros. KeyValues pass
// as decoded: a protobuf-es message is a plain object with api.KeyValue's fields (and a $typeName),
// and a read of thousands of keys need not copy each.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type * as api from "../../../core/etcd/api.ts";
import { GrpcCode } from "../../../core/etcd/api.ts";
import { EtcdError } from "../../../core/errors.ts";
import { Event_EventType } from "./gen/etcd/kv_pb.ts";
import * as pb from "./gen/etcd/rpc_pb.ts";

export type RangeInit = MessageInitShape<typeof pb.RangeRequestSchema>;
export type PutInit = MessageInitShape<typeof pb.PutRequestSchema>;
export type DeleteRangeInit = MessageInitShape<typeof pb.DeleteRangeRequestSchema>;
export type TxnInit = MessageInitShape<typeof pb.TxnRequestSchema>;
export type CompareInit = MessageInitShape<typeof pb.CompareSchema>;
export type RequestOpInit = MessageInitShape<typeof pb.RequestOpSchema>;
export type WatchRequestInit = MessageInitShape<typeof pb.WatchRequestSchema>;

export function fromHeader(h: pb.ResponseHeader | undefined): api.ResponseHeader {
  return {
    clusterId: h?.clusterId ?? 0n,
    memberId: h?.memberId ?? 0n,
    revision: h?.revision ?? 0n,
    raftTerm: h?.raftTerm ?? 0n,
  };
}

// protobuf-es skips undefined members in init objects, so optional fields pass straight through.
export function toRange(r: api.RangeRequest): RangeInit {
  return {
    key: r.key,
    rangeEnd: r.rangeEnd,
    limit: r.limit,
    revision: r.revision,
    keysOnly: r.keysOnly,
    countOnly: r.countOnly,
    serializable: r.serializable,
  };
}

export function fromRange(r: pb.RangeResponse): api.RangeResponse {
  return { header: fromHeader(r.header), kvs: r.kvs, more: r.more, count: r.count };
}

export function toPut(r: api.PutRequest): PutInit {
  return { key: r.key, value: r.value, lease: r.lease, prevKv: r.prevKv };
}

export function fromPut(r: pb.PutResponse): api.PutResponse {
  const out: api.PutResponse = { header: fromHeader(r.header) };
  if (r.prevKv) out.prevKv = r.prevKv;
  return out;
}

export function toDeleteRange(r: api.DeleteRangeRequest): DeleteRangeInit {
  return { key: r.key, rangeEnd: r.rangeEnd, prevKv: r.prevKv };
}

export function fromDeleteRange(r: pb.DeleteRangeResponse): api.DeleteRangeResponse {
  return { header: fromHeader(r.header), deleted: r.deleted, prevKvs: r.prevKvs };
}

// Each compare target names the oneof member that must carry its operand.
const TARGETS = {
  version: [pb.Compare_CompareTarget.VERSION, "version"],
  create: [pb.Compare_CompareTarget.CREATE, "createRevision"],
  mod: [pb.Compare_CompareTarget.MOD, "modRevision"],
  value: [pb.Compare_CompareTarget.VALUE, "value"],
  lease: [pb.Compare_CompareTarget.LEASE, "lease"],
} as const;

const RESULTS = {
  equal: pb.Compare_CompareResult.EQUAL,
  greater: pb.Compare_CompareResult.GREATER,
  less: pb.Compare_CompareResult.LESS,
  notEqual: pb.Compare_CompareResult.NOT_EQUAL,
} as const;

/** @throws {EtcdError} InvalidArgument when the operand's type does not fit the target, before any I/O. */
export function toCompare(c: api.Compare): CompareInit {
  const target = TARGETS[c.target];
  const result = RESULTS[c.result];
  if (target === undefined || result === undefined) {
    throw new EtcdError(GrpcCode.InvalidArgument, `Unknown compare "${c.target}"/"${c.result}"`);
  }
  const [targetEnum, member] = target;
  const bytes = c.operand instanceof Uint8Array;
  if (bytes !== (member === "value")) {
    throw new EtcdError(
      GrpcCode.InvalidArgument,
      `Compare target "${c.target}" needs a ${member === "value" ? "Uint8Array" : "bigint"} operand`,
    );
  }
  return {
    key: c.key,
    rangeEnd: c.rangeEnd,
    target: targetEnum,
    result,
    targetUnion: { case: member, value: c.operand } as CompareInit["targetUnion"],
  };
}

export function toRequestOp(op: api.RequestOp): RequestOpInit {
  if ("range" in op) return { request: { case: "requestRange", value: toRange(op.range) } };
  if ("put" in op) return { request: { case: "requestPut", value: toPut(op.put) } };
  if ("deleteRange" in op) return { request: { case: "requestDeleteRange", value: toDeleteRange(op.deleteRange) } };
  if ("txn" in op) return { request: { case: "requestTxn", value: toTxn(op.txn) } };
  throw new EtcdError(GrpcCode.InvalidArgument, "Txn op needs one of range, put, deleteRange or txn");
}

export function toTxn(t: api.TxnRequest): TxnInit {
  return {
    compare: t.compare.map(toCompare),
    success: t.success.map(toRequestOp),
    failure: t.failure.map(toRequestOp),
  };
}

export function fromResponseOp(op: pb.ResponseOp): api.ResponseOp {
  const r = op.response;
  switch (r.case) {
    case "responseRange":
      return { range: fromRange(r.value) };
    case "responsePut":
      return { put: fromPut(r.value) };
    case "responseDeleteRange":
      return { deleteRange: fromDeleteRange(r.value) };
    case "responseTxn":
      return { txn: fromTxn(r.value) };
    default:
      // An op type newer than our proto subset would arrive as an unknown field.
      throw new EtcdError(GrpcCode.Internal, "Txn response holds an op this client does not know");
  }
}

export function fromTxn(r: pb.TxnResponse): api.TxnResponse {
  return { header: fromHeader(r.header), succeeded: r.succeeded, responses: r.responses.map(fromResponseOp) };
}

export function toWatchCreate(r: api.WatchCreateRequest): WatchRequestInit {
  return {
    requestUnion: {
      case: "createRequest",
      value: {
        key: r.key,
        rangeEnd: r.rangeEnd,
        startRevision: r.startRevision,
        progressNotify: r.progressNotify,
        prevKv: r.prevKv,
        watchId: r.watchId,
      },
    },
  };
}

export function fromWatchResponse(r: pb.WatchResponse): api.WatchResponse {
  return {
    header: fromHeader(r.header),
    watchId: r.watchId,
    created: r.created,
    canceled: r.canceled,
    compactRevision: r.compactRevision,
    cancelReason: r.cancelReason,
    events: r.events.map((e): api.WatchEvent => {
      const event: api.WatchEvent = {
        type: e.type === Event_EventType.DELETE ? "delete" : "put",
        // etcd always sets kv; a missing one would be a server bug, so fall back to an empty record.
        kv: e.kv ?? emptyKeyValue(),
      };
      if (e.prevKv) event.prevKv = e.prevKv;
      return event;
    }),
  };
}

function emptyKeyValue(): api.KeyValue {
  return {
    key: new Uint8Array(0),
    createRevision: 0n,
    modRevision: 0n,
    version: 0n,
    value: new Uint8Array(0),
    lease: 0n,
  };
}
