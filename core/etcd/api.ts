// The slice of etcd's v3 API the etcd store uses, as plain objects: field names as in etcd's proto
// (camelCase), int64 as bigint, bytes as Uint8Array. A transport (gRPC via Connect, or the JSON
// gateway over fetch) implements EtcdApi; core never sees protobuf or HTTP.

export interface ResponseHeader {
  clusterId: bigint;
  memberId: bigint;
  revision: bigint;
  raftTerm: bigint;
}

export interface KeyValue {
  key: Uint8Array;
  createRevision: bigint;
  modRevision: bigint;
  /** Number of puts since creation (1 after the create). */
  version: bigint;
  value: Uint8Array;
  lease: bigint;
}

export interface RangeRequest {
  key: Uint8Array;
  /** Exclusive end; absent for a single key. */
  rangeEnd?: Uint8Array;
  limit?: bigint;
  /** Read at this revision (0 or absent: latest). */
  revision?: bigint;
  keysOnly?: boolean;
  countOnly?: boolean;
  serializable?: boolean;
}
export interface RangeResponse {
  header: ResponseHeader;
  kvs: KeyValue[];
  more: boolean;
  count: bigint;
}

export interface PutRequest {
  key: Uint8Array;
  value: Uint8Array;
  lease?: bigint;
  prevKv?: boolean;
}
export interface PutResponse {
  header: ResponseHeader;
  prevKv?: KeyValue;
}

export interface DeleteRangeRequest {
  key: Uint8Array;
  rangeEnd?: Uint8Array;
  prevKv?: boolean;
}
export interface DeleteRangeResponse {
  header: ResponseHeader;
  deleted: bigint;
  prevKvs: KeyValue[];
}

export type CompareTarget = "version" | "create" | "mod" | "value" | "lease";
export type CompareResult = "equal" | "greater" | "less" | "notEqual";
/** A Txn guard: `target` of `key` (or every key in [key, rangeEnd)) compared with `operand`. */
export interface Compare {
  key: Uint8Array;
  rangeEnd?: Uint8Array;
  target: CompareTarget;
  result: CompareResult;
  /** bigint for version/create/mod/lease, bytes for value. */
  operand: bigint | Uint8Array;
}

export type RequestOp =
  | { range: RangeRequest }
  | { put: PutRequest }
  | { deleteRange: DeleteRangeRequest }
  | { txn: TxnRequest };
export type ResponseOp =
  | { range: RangeResponse }
  | { put: PutResponse }
  | { deleteRange: DeleteRangeResponse }
  | { txn: TxnResponse };

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}
export interface TxnResponse {
  header: ResponseHeader;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface LeaseGrantResponse {
  header: ResponseHeader;
  id: bigint;
  ttl: bigint;
}
export interface LeaseKeepAliveResponse {
  header: ResponseHeader;
  id: bigint;
  /** 0 when the lease no longer exists. */
  ttl: bigint;
}

export interface WatchCreateRequest {
  key: Uint8Array;
  rangeEnd?: Uint8Array;
  startRevision?: bigint;
  progressNotify?: boolean;
  prevKv?: boolean;
  /** Client-chosen id (etcd >= 3.4); echoed in responses. */
  watchId?: bigint;
}
export interface WatchEvent {
  type: "put" | "delete";
  kv: KeyValue;
  prevKv?: KeyValue;
}
export interface WatchResponse {
  header: ResponseHeader;
  watchId: bigint;
  created: boolean;
  canceled: boolean;
  /** Non-zero when the requested start revision was compacted. */
  compactRevision: bigint;
  cancelReason: string;
  events: WatchEvent[];
}

/** Lease details from LeaseTimeToLive; `ttl` is -1 when the lease does not exist. */
export interface LeaseTimeToLiveResponse {
  header: ResponseHeader;
  id: bigint;
  ttl: bigint;
  grantedTtl: bigint;
  keys: Uint8Array[];
}

/** A member's status (Maintenance.Status). */
export interface StatusResponse {
  header: ResponseHeader;
  version: string;
  dbSize: bigint;
  leader: bigint;
  raftIndex: bigint;
  raftTerm: bigint;
}

/** One multiplexed watch stream. */
export interface WatchStream {
  create(request: WatchCreateRequest): void;
  cancel(watchId: bigint): void;
  /** Ends when the stream closes; throws EtcdError when it breaks. */
  readonly responses: AsyncIterable<WatchResponse>;
  close(): void;
}

/** etcd's v3 API as the store needs it. Methods reject with EtcdError. */
export interface EtcdApi {
  range(request: RangeRequest): Promise<RangeResponse>;
  txn(request: TxnRequest): Promise<TxnResponse>;
  leaseGrant(ttlSeconds: bigint, id?: bigint): Promise<LeaseGrantResponse>;
  leaseRevoke(id: bigint): Promise<void>;
  /** One keep-alive round trip (a shared stream underneath, where the transport has one). */
  leaseKeepAlive(id: bigint): Promise<LeaseKeepAliveResponse>;
  /** A lease's remaining TTL; with `keys`, the keys attached to it (a session's ephemerals). */
  leaseTimeToLive(id: bigint, keys?: boolean): Promise<LeaseTimeToLiveResponse>;
  watch(): WatchStream;
  close(): Promise<void>;
}

/** Auth.Authenticate's answer: the token to send with later calls. */
export interface AuthenticateResponse {
  header: ResponseHeader;
  token: string;
}

/**
 * EtcdApi plus the calls tools and tests want (put/delete outside a Txn, compaction, member
 * status, authenticate), which both transports offer.
 */
export interface EtcdToolsApi extends EtcdApi {
  put(request: PutRequest): Promise<PutResponse>;
  deleteRange(request: DeleteRangeRequest): Promise<DeleteRangeResponse>;
  /** Compacts history up to `revision`; `physical` waits until the space is reclaimed. */
  compact(revision: bigint, physical?: boolean): Promise<void>;
  status(): Promise<StatusResponse>;
  /** A token for `name` (the client manages its own token; this is for tools and tests). */
  authenticate(name: string, password: string): Promise<AuthenticateResponse>;
}

/** gRPC status codes that etcd errors carry. */
export const GrpcCode = {
  Ok: 0,
  Cancelled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Aborted: 10,
  OutOfRange: 11,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  DataLoss: 15,
  Unauthenticated: 16,
} as const;
export type GrpcCode = (typeof GrpcCode)[keyof typeof GrpcCode];
