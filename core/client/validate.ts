// Checks made before any I/O, as ZooKeeper's Java client makes them (it throws before sending).
import type { Request, ZkOp } from "../api/requests.ts";
import { ErrorCode, KeeperError } from "../errors.ts";
import { isSequential, isTtl, MAX_TTL_MS } from "../api/create_mode.ts";
import { validatePath } from "../api/path.ts";

const TYPES = new Set(["create", "delete", "exists", "getData", "setData", "getAcl", "setAcl", "getChildren", "multi"]);
const OP_TYPES = new Set(["create", "delete", "setData", "check"]);

function checkData(data: Uint8Array | null, path: string, maxDataBytes: number): void {
  if (data !== null && !(data instanceof Uint8Array)) {
    throw new KeeperError(ErrorCode.BadArguments, `Invalid data for "${path}": expected Uint8Array or null`, { path });
  }
  if (data !== null && data.length > maxDataBytes) {
    throw new KeeperError(
      ErrorCode.BadArguments,
      `Data for "${path}" is too large: ${data.length} bytes, the limit is ${maxDataBytes}`,
      { path },
    );
  }
}

function checkOne(op: Request | ZkOp, maxDataBytes: number): void {
  if (op.type === "create") {
    validatePath(op.path, isSequential(op.mode));
    checkData(op.data, op.path, maxDataBytes);
    const ttl = op.ttlMs;
    if (isTtl(op.mode) ? !(Number.isInteger(ttl) && ttl! > 0 && ttl! <= MAX_TTL_MS) : ttl !== undefined && ttl !== 0) {
      throw new KeeperError(ErrorCode.BadArguments, `Invalid ttlMs ${ttl} for create mode ${op.mode} of "${op.path}"`, {
        path: op.path,
      });
    }
    if (!Array.isArray(op.acl)) throw new KeeperError(ErrorCode.BadArguments, `Missing acl for "${op.path}"`, { path: op.path });
    return;
  }
  if (op.type !== "multi") validatePath(op.path);
  if (op.type === "setData") checkData(op.data, op.path, maxDataBytes);
}

/**
 * Throws for a request ZooKeeper's client would refuse to send.
 * @throws {KeeperError} BadArguments: unknown type, invalid path, oversized data, bad TTL.
 */
export function validateRequest(request: Request, maxDataBytes: number): void {
  if (!TYPES.has(request?.type)) {
    throw new KeeperError(ErrorCode.BadArguments, `Unknown request type "${String(request?.type)}"`);
  }
  if (request.type !== "multi") return checkOne(request, maxDataBytes);
  for (const op of request.ops) {
    if (!OP_TYPES.has(op?.type)) throw new KeeperError(ErrorCode.BadArguments, `Unknown Multi op type "${String(op?.type)}"`);
    checkOne(op, maxDataBytes);
  }
}
