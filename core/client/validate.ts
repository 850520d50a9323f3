// Checks made before any I/O, as ZooKeeper's Java client makes them (it throws before sending), and
// the field checks its static types make for Java callers: plain JavaScript can pass `mode: 9`,
// `version: "0"` or an ACL that is not an array, and every store must refuse those alike, with one
// BadArguments naming the field, rather than each store failing in its own way (or not at all).
import type { ACL, Credentials } from "../api/acl.ts";
import type { Request, ZkOp } from "../api/requests.ts";
import { ErrorCode, KeeperError } from "../errors.ts";
import { CreateMode, isSequential, isTtl, MAX_TTL_MS } from "../api/create_mode.ts";
import { validatePath } from "../api/path.ts";

const TYPES = new Set(["create", "delete", "exists", "getData", "setData", "getAcl", "setAcl", "getChildren", "multi"]);
const OP_TYPES = new Set(["create", "delete", "setData", "check"]);
const MODES: ReadonlySet<unknown> = new Set(Object.values(CreateMode));
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** Perms is a bit set of Read, Write, Create, Delete, Admin. */
const MAX_PERMS = 31;

/** A value as the message shows it: strings quoted, arrays and objects by kind. */
function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (Array.isArray(value)) return "an array";
  if (value instanceof Uint8Array) return "a Uint8Array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : String(value);
}

function isInt32(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX;
}

/**
 * The request a field is checked in, named in messages as `mode of create "/a"` or `version of
 * Multi op 2, check "/b"`: its kind and its path (not yet known to be a string). A request or op
 * is its own Where, so checking one allocates nothing.
 */
interface Where {
  readonly type: string;
  readonly path: unknown;
}

function fail(where: Where, field: string, expected: string, value: unknown): never {
  const path = typeof where.path === "string" ? where.path : undefined;
  const named = path === undefined ? where.type : `${where.type} "${path}"`;
  throw new KeeperError(ErrorCode.BadArguments, `Invalid ${field} of ${named}: expected ${expected}, got ${show(value)}`, { path });
}

function checkData(data: unknown, where: Where, path: string, maxDataBytes: number): void {
  if (data === null) return;
  if (!(data instanceof Uint8Array)) fail(where, "data", "a Uint8Array or null", data);
  if (data.length > maxDataBytes) {
    throw new KeeperError(
      ErrorCode.BadArguments,
      `Data for "${path}" is too large: ${data.length} bytes, the limit is ${maxDataBytes}`,
      { path },
    );
  }
}

function checkVersion(version: unknown, where: Where): void {
  if (!isInt32(version)) fail(where, "version", "a 32-bit integer (-1 for any version)", version);
}

/** The ACL's shape only; which schemes and ids are valid is the store's to judge, as ZooKeeper's server does. */
function checkAcl(acl: unknown, where: Where): void {
  if (!Array.isArray(acl)) fail(where, "acl", "an array of { perms, id: { scheme, id } }", acl);
  (acl as unknown[]).forEach((entry, i) => {
    if (typeof entry !== "object" || entry === null) fail(where, `acl[${i}]`, "an object { perms, id }", entry);
    const { perms, id } = entry as Partial<ACL>;
    if (!isInt32(perms) || perms! < 0 || perms! > MAX_PERMS) fail(where, `acl[${i}].perms`, `an integer 0..${MAX_PERMS} (Perms)`, perms);
    if (typeof id !== "object" || id === null) fail(where, `acl[${i}].id`, "an object { scheme, id }", id);
    if (typeof id.scheme !== "string") fail(where, `acl[${i}].id.scheme`, "a string", id.scheme);
    if (typeof id.id !== "string") fail(where, `acl[${i}].id.id`, "a string", id.id);
  });
}

function checkPath(path: unknown, where: Where, sequential = false): string {
  if (typeof path !== "string") fail(where, "path", "a string", path);
  validatePath(path, sequential);
  return path;
}

function checkOne(op: Request | ZkOp, where: Where, maxDataBytes: number): void {
  switch (op.type) {
    case "create": {
      if (!MODES.has(op.mode)) fail(where, "mode", "a CreateMode (an integer 0..6)", op.mode);
      const path = checkPath(op.path, where, isSequential(op.mode));
      checkData(op.data, where, path, maxDataBytes);
      checkAcl(op.acl, where);
      const ttl = op.ttlMs;
      if (isTtl(op.mode) ? !(Number.isInteger(ttl) && ttl! > 0 && ttl! <= MAX_TTL_MS) : ttl !== undefined && ttl !== 0) {
        throw new KeeperError(ErrorCode.BadArguments, `Invalid ttlMs ${show(ttl)} for create mode ${op.mode} of "${path}"`, { path });
      }
      return;
    }
    case "delete":
    case "check":
      checkPath(op.path, where);
      checkVersion(op.version, where);
      return;
    case "setData": {
      const path = checkPath(op.path, where);
      checkData(op.data, where, path, maxDataBytes);
      checkVersion(op.version, where);
      return;
    }
    case "setAcl":
      checkPath(op.path, where);
      checkAcl(op.acl, where);
      checkVersion(op.version, where);
      return;
    case "getChildren":
      checkPath(op.path, where);
      if (typeof op.registerWatch !== "boolean") fail(where, "registerWatch", "a boolean", op.registerWatch);
      return;
    case "exists":
    case "getData":
    case "getAcl":
      checkPath(op.path, where);
      return;
  }
}

/**
 * Credentials of addAuth or the `auth` option, copied (a caller's later change of its buffer changes nothing).
 * @throws {KeeperError} BadArguments for a scheme that is not a non-empty string, or auth neither a string nor a Uint8Array.
 */
export function checkCredentials(credentials: Credentials): Credentials {
  const where: Where = { type: "credentials", path: undefined };
  if (typeof credentials !== "object" || credentials === null) fail(where, "credentials", "an object { scheme, auth }", credentials);
  const { scheme, auth } = credentials;
  if (typeof scheme !== "string" || scheme === "") fail(where, "scheme", "a non-empty string", scheme);
  if (typeof auth !== "string" && !(auth instanceof Uint8Array)) fail(where, "auth", "a string or a Uint8Array", auth);
  return { scheme, auth: typeof auth === "string" ? auth : auth.slice() };
}

/**
 * Throws for a request ZooKeeper's client would refuse to send, or whose fields are not of the
 * types the request declares (checked for plain JavaScript callers).
 * @throws {KeeperError} BadArguments naming the field: unknown type, invalid path, create mode,
 * version, ACL, data or TTL, oversized data.
 */
export function validateRequest(request: Request, maxDataBytes: number): void {
  if (typeof request !== "object" || request === null || !TYPES.has(request.type)) {
    const type = typeof request === "object" && request !== null ? (request as { type?: unknown }).type : request;
    throw new KeeperError(ErrorCode.BadArguments, `Unknown request type ${show(type)}`);
  }
  if (request.type !== "multi") return checkOne(request, request, maxDataBytes);
  if (!Array.isArray(request.ops)) fail({ type: "Multi", path: undefined }, "ops", "an array of ops", request.ops);
  request.ops.forEach((op: ZkOp, i: number) => {
    if (typeof op !== "object" || op === null || !OP_TYPES.has(op.type)) {
      const type = typeof op === "object" && op !== null ? (op as { type?: unknown }).type : op;
      throw new KeeperError(ErrorCode.BadArguments, `Unknown type ${show(type)} of Multi op ${i} (use create, delete, setData or check)`);
    }
    checkOne(op, { type: `Multi op ${i}, ${op.type}`, path: op.path }, maxDataBytes);
  });
}
