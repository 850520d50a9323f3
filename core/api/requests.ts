// The requests of Kafka's ZooKeeperClient, as plain objects discriminated by `type`.
import type { ACL } from "./acl.ts";
import type { CreateMode } from "./create_mode.ts";

/** Matches any version in Delete, SetData, SetAcl and Check. */
export const ANY_VERSION = -1;

interface RequestBase {
  path: string;
  /** Opaque value echoed back in the response. */
  ctx?: unknown;
}

export interface CreateRequest extends RequestBase {
  type: "create";
  /** `null` is stored as null, distinct from empty data. */
  data: Uint8Array | null;
  acl: readonly ACL[];
  mode: CreateMode;
  /** Required for the TTL modes, milliseconds. */
  ttlMs?: number;
}
export interface DeleteRequest extends RequestBase {
  type: "delete";
  version: number;
}
/** Arms a creation/deletion/data watch when a ZNodeChangeHandler is registered for the path. */
export interface ExistsRequest extends RequestBase {
  type: "exists";
}
/** Arms a deletion/data watch when a ZNodeChangeHandler is registered for the path. */
export interface GetDataRequest extends RequestBase {
  type: "getData";
}
export interface SetDataRequest extends RequestBase {
  type: "setData";
  data: Uint8Array | null;
  version: number;
}
export interface GetAclRequest extends RequestBase {
  type: "getAcl";
}
export interface SetAclRequest extends RequestBase {
  type: "setAcl";
  acl: readonly ACL[];
  /** Compared with the node's aversion. */
  version: number;
}
/** Arms a child watch when `registerWatch` is set and a ZNodeChildChangeHandler is registered. */
export interface GetChildrenRequest extends RequestBase {
  type: "getChildren";
  registerWatch: boolean;
}
/** Applies all ops atomically, or none. */
export interface MultiRequest {
  type: "multi";
  ops: readonly ZkOp[];
  ctx?: unknown;
}

export type ZkOp =
  | { type: "create"; path: string; data: Uint8Array | null; acl: readonly ACL[]; mode: CreateMode; ttlMs?: number }
  | { type: "delete"; path: string; version: number }
  | { type: "setData"; path: string; data: Uint8Array | null; version: number }
  | { type: "check"; path: string; version: number };

export type Request =
  | CreateRequest
  | DeleteRequest
  | ExistsRequest
  | GetDataRequest
  | SetDataRequest
  | GetAclRequest
  | SetAclRequest
  | GetChildrenRequest
  | MultiRequest;
