// Responses carry ZooKeeper's result code; only `maybeThrow` turns a code into an error.
import type { ACL } from "./acl.ts";
import type { Stat } from "./stat.ts";
import type { Request, ZkOp } from "./requests.ts";
import { codeName, ErrorCode, KeeperError } from "../errors.ts";

/** When the request was handed to the store and when its reply arrived (the client clock, ms). */
export interface ResponseMetadata {
  sendTimeMs: number;
  receivedTimeMs: number;
}

interface ResponseBase {
  /** A ZooKeeper result code (`ErrorCode`); 0 is OK. */
  resultCode: number;
  /** The request's path (null for Multi). */
  path: string | null;
  ctx: unknown;
  metadata: ResponseMetadata;
}

export interface CreateResponse extends ResponseBase {
  type: "create";
  /** The created path, with its sequence suffix; null unless OK. */
  name: string | null;
}
export interface DeleteResponse extends ResponseBase {
  type: "delete";
}
export interface ExistsResponse extends ResponseBase {
  type: "exists";
  stat: Stat | null;
}
export interface GetDataResponse extends ResponseBase {
  type: "getData";
  data: Uint8Array | null;
  stat: Stat | null;
}
export interface SetDataResponse extends ResponseBase {
  type: "setData";
  stat: Stat | null;
}
export interface GetAclResponse extends ResponseBase {
  type: "getAcl";
  acl: ACL[];
  stat: Stat | null;
}
export interface SetAclResponse extends ResponseBase {
  type: "setAcl";
  stat: Stat | null;
}
export interface GetChildrenResponse extends ResponseBase {
  type: "getChildren";
  /** Child names (not paths), in the store's order; empty unless OK. */
  children: string[];
  stat: Stat | null;
}

/** One op's outcome within a Multi. On failure every op has a code: OK before the failing op, RuntimeInconsistency after. */
export interface OpResult {
  op: ZkOp;
  resultCode: number;
  /** create: the created path. */
  name?: string;
  /** setData: the new stat. */
  stat?: Stat;
}
export interface MultiResponse extends ResponseBase {
  type: "multi";
  /** `resultCode` is OK, or the first op's non-OK code. Null when the Multi failed as a whole (e.g. ConnectionLoss). */
  results: OpResult[] | null;
}

export type Response =
  | CreateResponse
  | DeleteResponse
  | ExistsResponse
  | GetDataResponse
  | SetDataResponse
  | GetAclResponse
  | SetAclResponse
  | GetChildrenResponse
  | MultiResponse;

/** The response type that answers request type `R`. */
export type ResponseFor<R extends Request> = Extract<Response, { type: R["type"] }>;

/** The error a non-OK response stands for, or undefined when it is OK. */
export function resultError(response: Response): KeeperError | undefined {
  if (response.resultCode === ErrorCode.Ok) return undefined;
  const what = response.path === null ? "Multi" : `"${response.path}"`;
  return new KeeperError(response.resultCode, `${response.type} ${what} failed: ${codeName(response.resultCode)}`, {
    path: response.path ?? undefined,
  });
}

/**
 * Returns the response when it is OK.
 * @throws {KeeperError} carrying the response's code otherwise.
 */
export function maybeThrow<T extends Response>(response: T): T {
  const error = resultError(response);
  if (error) throw error;
  return response;
}
