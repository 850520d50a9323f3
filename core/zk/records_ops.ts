// Request and response records of the single (non-multi) operations, keyed by op code (zookeeper.jute).
import type { ACL } from "../api/acl.ts";
import { OpCode } from "./opcodes.ts";
import type { Stat } from "../api/stat.ts";
import { bool, buffer, type Codec, int, long, record, ustring, vector } from "./records_codec.ts";
import { aclCodec, type ClientInfo, clientInfoCodec, statCodec } from "./records_data.ts";

type Op = typeof OpCode;

/** create (1, CreateResponse), create2 (15) or createContainer (19, flags 4): CreateRequest. */
export interface WireCreateRequest {
  type: Op["Create"] | Op["Create2"] | Op["CreateContainer"];
  path: string;
  data: Uint8Array | null;
  acl: readonly ACL[];
  /** A CreateMode value. */
  flags: number;
}
/** createTTL (21): CreateTTLRequest. */
export interface WireCreateTtlRequest {
  type: Op["CreateTtl"];
  path: string;
  data: Uint8Array | null;
  acl: readonly ACL[];
  flags: number;
  ttlMs: bigint;
}
/**
 * delete (2) and check (13); version -1 matches any. Send check inside a multi only: ZooKeeper 3.8
 * fails to serialise the reply to a standalone check that succeeds and never answers it.
 */
export interface WireVersionRequest {
  type: Op["Delete"] | Op["Check"];
  path: string;
  version: number;
}
/** Reads that can arm a watch: exists, getData, getChildren, getChildren2. */
export interface WireWatchableRequest {
  type: Op["Exists"] | Op["GetData"] | Op["GetChildren"] | Op["GetChildren2"];
  path: string;
  watch: boolean;
}
export interface WireSetDataRequest {
  type: Op["SetData"];
  path: string;
  data: Uint8Array | null;
  version: number;
}
/** Requests that are only a path: getACL, sync, getAllChildrenNumber. */
export interface WirePathRequest {
  type: Op["GetAcl"] | Op["Sync"] | Op["GetAllChildrenNumber"];
  path: string;
}
export interface WireSetAclRequest {
  type: Op["SetAcl"];
  path: string;
  acl: readonly ACL[];
  /** Compared with the node's aversion. */
  version: number;
}
/** Re-arms watches on reconnect (xid -8); setWatches2 adds the persistent kinds. */
export interface WireSetWatchesRequest {
  type: Op["SetWatches"];
  relativeZxid: bigint;
  dataWatches: readonly string[];
  existWatches: readonly string[];
  childWatches: readonly string[];
}
export interface WireSetWatches2Request extends Omit<WireSetWatchesRequest, "type"> {
  type: Op["SetWatches2"];
  persistentWatches: readonly string[];
  persistentRecursiveWatches: readonly string[];
}
export interface WireAddWatchRequest {
  type: Op["AddWatch"];
  path: string;
  /** An AddWatchMode value. */
  mode: number;
}
export interface WireWatcherTypeRequest {
  type: Op["CheckWatches"] | Op["RemoveWatches"];
  path: string;
  /** A WatcherType value. */
  watcherType: number;
}
export interface WireGetEphemeralsRequest {
  type: Op["GetEphemerals"];
  /** "" or "/" for all of the session's ephemerals. */
  prefixPath: string;
}
/** AuthPacket (xid -4); jute's `type` field is `authType` here, as `type` tags the union. */
export interface WireAuthRequest {
  type: Op["Auth"];
  /** Always 0. */
  authType: number;
  scheme: string;
  /** For digest: the `user:password` bytes. */
  auth: Uint8Array | null;
}
/** Requests that are only a header: ping (xid -2), whoAmI, closeSession. */
export interface WireHeaderOnlyRequest {
  type: Op["Ping"] | Op["WhoAmI"] | Op["CloseSession"];
}

/** Every request that is not a multi. */
export type WireSingleRequest =
  | WireCreateRequest
  | WireCreateTtlRequest
  | WireVersionRequest
  | WireWatchableRequest
  | WireSetDataRequest
  | WirePathRequest
  | WireSetAclRequest
  | WireSetWatchesRequest
  | WireSetWatches2Request
  | WireAddWatchRequest
  | WireWatcherTypeRequest
  | WireGetEphemeralsRequest
  | WireAuthRequest
  | WireHeaderOnlyRequest;

/** create (1): CreateResponse, the created path with any sequence suffix. */
export interface WireCreateResponse {
  type: Op["Create"];
  path: string;
}
/** create2, createContainer, createTTL: Create2Response. */
export interface WireCreate2Response {
  type: Op["Create2"] | Op["CreateContainer"] | Op["CreateTtl"];
  path: string;
  stat: Stat;
}
/** exists, setData, setACL: a Stat alone. */
export interface WireStatResponse {
  type: Op["Exists"] | Op["SetData"] | Op["SetAcl"];
  stat: Stat;
}
export interface WireGetDataResponse {
  type: Op["GetData"];
  data: Uint8Array | null;
  stat: Stat;
}
export interface WireGetAclResponse {
  type: Op["GetAcl"];
  acl: ACL[];
  stat: Stat;
}
export interface WireGetChildrenResponse {
  type: Op["GetChildren"];
  /** Names, not paths; order unspecified. */
  children: string[];
}
export interface WireGetChildren2Response {
  type: Op["GetChildren2"];
  children: string[];
  stat: Stat;
}
export interface WireSyncResponse {
  type: Op["Sync"];
  path: string;
}
/** addWatch answers with an ErrorResponse whose err is 0. */
export interface WireAddWatchResponse {
  type: Op["AddWatch"];
  err: number;
}
export interface WireGetEphemeralsResponse {
  type: Op["GetEphemerals"];
  ephemerals: string[];
}
export interface WireGetAllChildrenNumberResponse {
  type: Op["GetAllChildrenNumber"];
  totalNumber: number;
}
export interface WireWhoAmIResponse {
  type: Op["WhoAmI"];
  clientInfo: ClientInfo[];
}

/** Every response record of a single op; ops missing here reply with a header only. */
export type WireSingleResponse =
  | WireCreateResponse
  | WireCreate2Response
  | WireStatResponse
  | WireGetDataResponse
  | WireGetAclResponse
  | WireGetChildrenResponse
  | WireGetChildren2Response
  | WireSyncResponse
  | WireAddWatchResponse
  | WireGetEphemeralsResponse
  | WireGetAllChildrenNumberResponse
  | WireWhoAmIResponse;

// The member of union U whose `type` admits K (a plain Extract misses members tagged with a union).
type Tagged<U, K> = U extends { type: infer T } ? (K extends T ? U : never) : never;
/** A table of body codecs (records without the `type` tag) for every tag of union U. */
export type BodyTable<U extends { type: number }> = { [K in U["type"]]: Codec<Omit<Tagged<U, K>, "type">> };

const path = record({ path: ustring });
const pathWatch = record({ path: ustring, watch: bool });
const pathVersion = record({ path: ustring, version: int });
const create = record({ path: ustring, data: buffer, acl: vector(aclCodec), flags: int });
const watcherType = record({ path: ustring, watcherType: int });
const strings = vector(ustring);
const setWatches = record({ relativeZxid: long, dataWatches: strings, existWatches: strings, childWatches: strings });
const headerOnly = record({});

/** Request bodies of the single ops, keyed by op code. */
export const REQUEST_BODIES: BodyTable<WireSingleRequest> = {
  [OpCode.Create]: create,
  [OpCode.Create2]: create,
  [OpCode.CreateContainer]: create,
  [OpCode.CreateTtl]: record({ path: ustring, data: buffer, acl: vector(aclCodec), flags: int, ttlMs: long }),
  [OpCode.Delete]: pathVersion,
  [OpCode.Check]: pathVersion,
  [OpCode.Exists]: pathWatch,
  [OpCode.GetData]: pathWatch,
  [OpCode.GetChildren]: pathWatch,
  [OpCode.GetChildren2]: pathWatch,
  [OpCode.SetData]: record({ path: ustring, data: buffer, version: int }),
  [OpCode.GetAcl]: path,
  [OpCode.Sync]: path,
  [OpCode.GetAllChildrenNumber]: path,
  [OpCode.SetAcl]: record({ path: ustring, acl: vector(aclCodec), version: int }),
  [OpCode.SetWatches]: setWatches,
  [OpCode.SetWatches2]: record({
    relativeZxid: long,
    dataWatches: strings,
    existWatches: strings,
    childWatches: strings,
    persistentWatches: strings,
    persistentRecursiveWatches: strings,
  }),
  [OpCode.AddWatch]: record({ path: ustring, mode: int }),
  [OpCode.CheckWatches]: watcherType,
  [OpCode.RemoveWatches]: watcherType,
  [OpCode.GetEphemerals]: record({ prefixPath: ustring }),
  [OpCode.Auth]: record({ authType: int, scheme: ustring, auth: buffer }),
  [OpCode.Ping]: headerOnly,
  [OpCode.WhoAmI]: headerOnly,
  [OpCode.CloseSession]: headerOnly,
};

const stat = record({ stat: statCodec });
const create2 = record({ path: ustring, stat: statCodec });

/** Response bodies of the single ops that have one, keyed by the request's op code. */
export const RESPONSE_BODIES: BodyTable<WireSingleResponse> = {
  [OpCode.Create]: path,
  [OpCode.Create2]: create2,
  [OpCode.CreateContainer]: create2,
  [OpCode.CreateTtl]: create2,
  [OpCode.Exists]: stat,
  [OpCode.SetData]: stat,
  [OpCode.SetAcl]: stat,
  [OpCode.GetData]: record({ data: buffer, stat: statCodec }),
  [OpCode.GetAcl]: record({ acl: vector(aclCodec), stat: statCodec }),
  [OpCode.GetChildren]: record({ children: strings }),
  [OpCode.GetChildren2]: record({ children: strings, stat: statCodec }),
  [OpCode.Sync]: path,
  [OpCode.AddWatch]: record({ err: int }),
  [OpCode.GetEphemerals]: record({ ephemerals: strings }),
  [OpCode.GetAllChildrenNumber]: record({ totalNumber: int }),
  [OpCode.WhoAmI]: record({ clientInfo: vector(clientInfoCodec) }),
};

/** The body codec for op code `type` in `table`, or undefined when the table has none. */
export function bodyCodec(table: object, type: number): Codec<object> | undefined {
  return Object.hasOwn(table, type) ? (table as Record<number, Codec<object>>)[type] : undefined;
}
