// The plumbing under KafkaZkClient's operations, as Kafka's KafkaZkClient does it:
// - retry: ConnectionLoss responses are sent again once the client is connected (the request may or
//   may not have been applied, as in Kafka); SessionExpired and every other code are returned as is;
// - fencing: a controller write carries a check of /controller_epoch's zkVersion in one Multi, and a
//   BadVersion on that check is a ControllerMovedError;
// - createRecursive / deleteRecursive, and the CheckedEphemeral create of broker registrations.
import type { ACL } from "../api/acl.ts";
import type { KafkaMetastore } from "../api/metastore.ts";
import type { CreateRequest, DeleteRequest, Request, SetDataRequest, ZkOp } from "../api/requests.ts";
import type { CreateResponse, DeleteResponse, GetDataResponse, MultiResponse, Response, ResponseFor, SetDataResponse } from "../api/responses.ts";
import type { Stat } from "../api/stat.ts";
import { CreateMode } from "../api/create_mode.ts";
import { maybeThrow, resultError } from "../api/responses.ts";
import { ErrorCode, KeeperError } from "../errors.ts";
import type { ZNodeCodec } from "./codec.ts";
import { ControllerMovedError, InvalidZNodeDataError } from "./errors.ts";
import { CONTROLLER_EPOCH_PATH } from "./paths.ts";

/** Kafka's ZkVersion.MatchAnyVersion: an unfenced write. */
export const MATCH_ANY_VERSION = -1;
/** Kafka's ZkVersion.UnknownVersion: "the node does not exist" in versioned reads; never sent. */
export const UNKNOWN_VERSION = -2;

/** A write the controller may fence. */
export type FenceableRequest = CreateRequest | DeleteRequest | SetDataRequest;

/** Which znode's version fences a write: /controller_epoch for controller writes. */
export interface Fence {
  path: string;
  version: number;
}

export class ZkRequests {
  readonly zk: KafkaMetastore;
  readonly #acls: (path: string) => readonly ACL[];

  constructor(zk: KafkaMetastore, acls: (path: string) => readonly ACL[]) {
    this.zk = zk;
    this.#acls = acls;
  }

  acls(path: string): readonly ACL[] {
    return this.#acls(path);
  }

  /**
   * Kafka's retryRequestsUntilConnected: the batch is pipelined; responses that are ConnectionLoss
   * are sent again after `waitUntilConnected`, until none is. Unlike Kafka, responses keep request order.
   */
  async retry(requests: readonly Request[]): Promise<Response[]> {
    const responses: Response[] = new Array(requests.length);
    let pending = requests.map((_, i) => i);
    while (pending.length > 0) {
      const batch = await this.zk.handleRequests(pending.map((i) => requests[i]!));
      const lost: number[] = [];
      batch.forEach((r, k) => {
        if (r.resultCode === ErrorCode.ConnectionLoss) lost.push(pending[k]!);
        else responses[pending[k]!] = r;
      });
      pending = lost;
      if (pending.length > 0) await this.zk.waitUntilConnected();
    }
    return responses;
  }

  async retryOne<R extends Request>(request: R): Promise<ResponseFor<R>> {
    const [response] = await this.retry([request]);
    return response as ResponseFor<R>;
  }

  /**
   * Sends writes, each fenced by `fence` when its version is >= 0 (MATCH_ANY_VERSION sends them bare).
   * A fenced write's response carries the Multi's code and the inner op's name or stat.
   * @throws {ControllerMovedError} when the fence's check fails with BadVersion.
   * @throws {KeeperError} when the check fails otherwise, or the Multi failed as a whole.
   */
  async fenced<R extends FenceableRequest>(requests: readonly R[], fence: Fence | number): Promise<ResponseFor<R>[]> {
    const f = typeof fence === "number" ? { path: CONTROLLER_EPOCH_PATH, version: fence } : fence;
    if (f.version === MATCH_ANY_VERSION) return (await this.retry(requests)) as ResponseFor<R>[];
    if (f.version < 0) {
      throw new KeeperError(ErrorCode.BadArguments, `Expected zkVersion ${f.version} of "${f.path}" should be non-negative or ${MATCH_ANY_VERSION}`);
    }
    const multis = requests.map((r) => ({ type: "multi" as const, ops: [{ type: "check" as const, path: f.path, version: f.version }, asOp(r)], ctx: r.ctx }));
    const responses = (await this.retry(multis)) as MultiResponse[];
    return responses.map((m, i) => unwrapFenced(m, requests[i]!, f)) as ResponseFor<R>[];
  }

  async fencedOne<R extends FenceableRequest>(request: R, fence: Fence | number): Promise<ResponseFor<R>> {
    const [response] = await this.fenced([request], fence);
    return response!;
  }

  create(path: string, data: Uint8Array | null, mode: CreateMode = CreateMode.Persistent, ctx?: unknown): CreateRequest {
    return { type: "create", path, data, acl: this.#acls(path), mode, ctx };
  }

  /**
   * Kafka's createRecursive: creates `path` with `data`, creating missing parents with null data
   * (NodeExists on a parent is fine).
   * @throws {KeeperError} NodeExists when `path` exists and `throwIfPathExists`, or any other failure.
   */
  async createRecursive(path: string, data: Uint8Array | null = null, throwIfPathExists: boolean = true): Promise<void> {
    const request = this.create(path, data);
    let response = await this.retryOne(request);
    if (response.resultCode === ErrorCode.NodeExists) {
      if (throwIfPathExists) maybeThrow(response);
      return;
    }
    if (response.resultCode === ErrorCode.NoNode) {
      await this.#createParents(parentOf(path));
      response = await this.retryOne(request);
      if (throwIfPathExists || response.resultCode !== ErrorCode.NodeExists) maybeThrow(response);
      return;
    }
    maybeThrow(response);
  }

  async #createParents(path: string): Promise<void> {
    if (path === "" || path === "/") return;
    const request = this.create(path, null);
    let response = await this.retryOne(request);
    if (response.resultCode === ErrorCode.NoNode) {
      await this.#createParents(parentOf(path));
      response = await this.retryOne(request);
    }
    if (response.resultCode !== ErrorCode.Ok && response.resultCode !== ErrorCode.NodeExists) maybeThrow(response);
  }

  /** Kafka's makeSurePersistentPathExists. */
  makeSurePersistentPathExists(path: string): Promise<void> {
    return this.createRecursive(path, null, false);
  }

  /**
   * Kafka's deleteRecursive: depth first, each delete fenced; false when `path` did not exist.
   * @throws {ControllerMovedError} from a fenced delete.
   */
  async deleteRecursive(path: string, expectedControllerEpochZkVersion: number = MATCH_ANY_VERSION): Promise<boolean> {
    const children = await this.retryOne({ type: "getChildren", path, registerWatch: true });
    if (children.resultCode === ErrorCode.NoNode) return false;
    maybeThrow(children);
    for (const child of children.children) await this.deleteRecursive(`${path}/${child}`, expectedControllerEpochZkVersion);
    const deleted = await this.fencedOne({ type: "delete", path, version: MATCH_ANY_VERSION }, expectedControllerEpochZkVersion);
    if (deleted.resultCode !== ErrorCode.Ok && deleted.resultCode !== ErrorCode.NoNode) maybeThrow(deleted);
    return true;
  }

  /**
   * Kafka's CheckedEphemeral (KAFKA-7235): one Multi creates the ephemeral with null data and sets
   * `data` at version 0, so the node never exists without its payload. On NodeExists the node is
   * ours when its owner is this session (its stat is returned); a node left by this client's previous
   * session (`previousSessionId`, ZOOKEEPER-2985) is deleted and created again.
   * @returns the stat after the create; its czxid is the broker epoch.
   * @throws {KeeperError} NodeExists when another session owns the node, or the store's failure.
   */
  async checkedEphemeralCreate(path: string, data: Uint8Array, previousSessionId: bigint | undefined): Promise<Stat> {
    for (;;) {
      const response = await this.retryOne({
        type: "multi",
        ops: [
          { type: "create", path, data: null, acl: this.#acls(path), mode: CreateMode.Ephemeral },
          { type: "setData", path, data, version: 0 },
        ],
      });
      if (response.resultCode === ErrorCode.Ok) return response.results![1]!.stat!;
      if (response.resultCode !== ErrorCode.NodeExists) throw resultError(response)!;
      const existing = await this.retryOne({ type: "getData", path });
      if (existing.resultCode === ErrorCode.NoNode) continue; // it went away while we read it: create again
      maybeThrow(existing);
      const owner = existing.stat!.ephemeralOwner;
      const session = this.zk.sessionId;
      if (owner === session) return existing.stat!;
      if (owner !== previousSessionId) {
        throw new KeeperError(ErrorCode.NodeExists, `"${path}" already exists and its owner 0x${owner.toString(16)} is not this session 0x${session.toString(16)}`, { path });
      }
      const deleted = await this.retryOne({ type: "delete", path, version: MATCH_ANY_VERSION });
      if (deleted.resultCode !== ErrorCode.Ok && deleted.resultCode !== ErrorCode.NoNode) maybeThrow(deleted);
    }
  }

  /** Reads and decodes one znode; undefined when it does not exist. */
  async read<C extends ZNodeCodec<unknown>>(path: string, codec: C): Promise<{ value: Decoded<C>; stat: Stat } | undefined> {
    const r = await this.retryOne({ type: "getData", path });
    if (r.resultCode === ErrorCode.NoNode) return undefined;
    maybeThrow(r);
    return { value: decodeAt(codec, r) as Decoded<C>, stat: r.stat! };
  }

  /** Pipelined reads; absent znodes are left out (undefined at their index). */
  async readAll<C extends ZNodeCodec<unknown>>(paths: readonly string[], codec: C): Promise<({ value: Decoded<C>; stat: Stat } | undefined)[]> {
    const responses = await this.retry(paths.map((path) => ({ type: "getData" as const, path })));
    return (responses as GetDataResponse[]).map((r) => {
      if (r.resultCode === ErrorCode.NoNode) return undefined;
      maybeThrow(r);
      return { value: decodeAt(codec, r) as Decoded<C>, stat: r.stat! };
    });
  }

  /** Child names; empty when the znode does not exist. */
  async children(path: string, registerWatch: boolean = true): Promise<string[]> {
    const r = await this.retryOne({ type: "getChildren", path, registerWatch });
    if (r.resultCode === ErrorCode.NoNode) return [];
    return maybeThrow(r).children;
  }

  async exists(path: string): Promise<boolean> {
    const r = await this.retryOne({ type: "exists", path });
    if (r.resultCode === ErrorCode.NoNode) return false;
    maybeThrow(r);
    return true;
  }

  /** Creates `<parent>/<prefix><10-digit sequence>` (and the parent); returns its path. */
  async createSequential(parent: string, prefix: string, data: Uint8Array): Promise<string> {
    await this.makeSurePersistentPathExists(parent);
    const r = await this.retryOne(this.create(`${parent}/${prefix}`, data, CreateMode.PersistentSequential));
    return maybeThrow(r).name!;
  }

  /** Fenced deletes in one pipelined batch; NoNode is fine. */
  async deleteAllFenced(paths: readonly string[], expectedControllerEpochZkVersion: number): Promise<void> {
    const responses = await this.fenced(paths.map((path) => ({ type: "delete" as const, path, version: MATCH_ANY_VERSION })), expectedControllerEpochZkVersion);
    for (const r of responses) if (r.resultCode !== ErrorCode.NoNode) maybeThrow(r);
  }
}

/** The value type a codec reads. */
export type Decoded<C> = C extends ZNodeCodec<infer T> ? T : never;

/** Decodes a read's data, naming the znode in the error. */
export function decodeAt<T>(codec: ZNodeCodec<T>, r: GetDataResponse): T {
  try {
    return codec.decode(r.data);
  } catch (e) {
    if (e instanceof InvalidZNodeDataError && e.path === undefined) throw new InvalidZNodeDataError(e.message, { path: r.path ?? undefined, cause: e });
    throw e;
  }
}

function asOp(r: FenceableRequest): ZkOp {
  switch (r.type) {
    case "create":
      return { type: "create", path: r.path, data: r.data, acl: r.acl, mode: r.mode, ...(r.ttlMs !== undefined ? { ttlMs: r.ttlMs } : {}) };
    case "delete":
      return { type: "delete", path: r.path, version: r.version };
    case "setData":
      return { type: "setData", path: r.path, data: r.data, version: r.version };
  }
}

// Kafka's unwrapResponseWithControllerEpochCheck.
function unwrapFenced(m: MultiResponse, request: FenceableRequest, fence: Fence): CreateResponse | DeleteResponse | SetDataResponse {
  if (m.results === null) throw resultError(m) ?? new KeeperError(m.resultCode, "Fenced write failed as a whole");
  const check = m.results[0]!;
  if (check.resultCode === ErrorCode.BadVersion) {
    throw new ControllerMovedError(`${fence.path === CONTROLLER_EPOCH_PATH ? "Controller epoch" : `"${fence.path}"`} zkVersion check fails. Expected zkVersion = ${fence.version}`, {
      expectedVersion: fence.version,
    });
  }
  if (check.resultCode !== ErrorCode.Ok) throw new KeeperError(check.resultCode, `Check of "${fence.path}" failed`, { path: fence.path });
  const inner = m.results[1]!;
  const base = { resultCode: m.resultCode, path: request.path, ctx: request.ctx, metadata: m.metadata };
  switch (request.type) {
    case "create":
      return { type: "create", ...base, name: inner.resultCode === ErrorCode.Ok ? inner.name ?? null : null };
    case "delete":
      return { type: "delete", ...base };
    case "setData":
      return { type: "setData", ...base, stat: inner.resultCode === ErrorCode.Ok ? inner.stat ?? null : null };
  }
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/"));
}
