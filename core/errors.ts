// Error codes are ZooKeeper's KeeperException.Code numbers (ZooKeeper 3.8), so every backend speaks them.

/** ZooKeeper result codes, the same numbers a server puts in ReplyHeader.err. */
export const ErrorCode = {
  Ok: 0,
  SystemError: -1,
  /** Also the code of every Multi op after the one that failed. */
  RuntimeInconsistency: -2,
  DataInconsistency: -3,
  /** The operation may or may not have been applied; the session may survive. */
  ConnectionLoss: -4,
  MarshallingError: -5,
  Unimplemented: -6,
  OperationTimeout: -7,
  BadArguments: -8,
  UnknownSession: -12,
  NewConfigNoQuorum: -13,
  ReconfigInProgress: -14,
  ApiError: -100,
  NoNode: -101,
  NoAuth: -102,
  BadVersion: -103,
  NoChildrenForEphemerals: -108,
  NodeExists: -110,
  NotEmpty: -111,
  /** Final for the session: its ephemeral nodes and watches are gone. */
  SessionExpired: -112,
  InvalidCallback: -113,
  InvalidAcl: -114,
  AuthFailed: -115,
  SessionMoved: -118,
  NotReadOnly: -119,
  EphemeralOnLocalSession: -120,
  NoWatcher: -121,
  RequestTimeout: -122,
  ReconfigDisabled: -123,
  SessionClosedRequireSaslAuth: -124,
  QuotaExceeded: -125,
  ThrottledOp: -127,
} as const;
/** One of the known codes; a server may still send a number outside this set. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(ErrorCode).map(([name, code]) => [code, name]),
);

/** The name of a code (`NoNode` for -101), or `Unknown(n)` for a number ZooKeeper does not define. */
export function codeName(code: number): string {
  return NAMES.get(code) ?? `Unknown(${code})`;
}

/** Base of everything this library throws on purpose. */
export class MetastoreError extends Error {
  override name = "MetastoreError";
}

/**
 * What happened at one host when a connection to it failed, as far as the client can tell:
 * - `refused`: nothing listens on the port; `unresolved`: the name has no address;
 * - `unreachable`: no route to the host; `timeout`: no connection, or no answer, within the time allowed;
 * - `closed`: the peer accepted the connection and closed it before answering;
 * - `protocol`: the peer answered with something that is not the store's protocol (the wrong port?);
 * - `tls`: the TLS handshake failed (a plain-text port, an untrusted certificate);
 * - `permission`: the runtime forbids the connection (Deno without --allow-net): retrying cannot help;
 * - `lost`: an established connection broke; `error`: anything else.
 */
export type ConnectFailure =
  | "refused"
  | "unresolved"
  | "unreachable"
  | "timeout"
  | "closed"
  | "protocol"
  | "tls"
  | "permission"
  | "lost"
  | "error";

/**
 * An error carrying a ZooKeeper result code. Requests never throw these for result codes
 * (responses carry `resultCode`); `maybeThrow(response)` turns one into this error.
 */
export class KeeperError extends MetastoreError {
  override name = "KeeperError";
  readonly code: number;
  /** The znode the operation was about, when there is one. */
  readonly path: string | undefined;
  /** A connection failure's host (`host:port`, or an etcd endpoint URL). */
  readonly host: string | undefined;
  /** A connection failure's kind: what happened at `host`. */
  readonly failure: ConnectFailure | undefined;
  constructor(
    code: number,
    message: string,
    options?: { path?: string; cause?: unknown; host?: string; failure?: ConnectFailure },
  ) {
    super(`[${codeName(code)}] ${message}`, { cause: options?.cause });
    this.code = code;
    this.path = options?.path;
    this.host = options?.host;
    this.failure = options?.failure;
  }
}

/**
 * A call on a client after its `close()` (a request, `waitUntilConnected`): nothing was sent. Not a
 * ZooKeeper result code: the session may be fine, this client is done with it.
 */
export class ClientClosedError extends MetastoreError {
  override name = "ClientClosedError";
}

/**
 * True when `e` is a KeeperError (from any copy of this package) with the given code, or any code
 * when `code` is omitted. Checks `name` and `code`, not the class, so npm and JSR copies still match.
 */
export function isKeeperError(e: unknown, code?: number): e is KeeperError {
  if (typeof e !== "object" || e === null) return false;
  const err = e as { name?: unknown; code?: unknown };
  return err.name === "KeeperError" && typeof err.code === "number" && (code === undefined || err.code === code);
}

/** An error from etcd, with its gRPC status code and etcd's message (e.g. "etcdserver: requested lease not found"). */
export class EtcdError extends MetastoreError {
  override name = "EtcdError";
  readonly grpcCode: number;
  constructor(grpcCode: number, message: string, options?: { cause?: unknown }) {
    super(`[etcd ${grpcCode}] ${message}`, { cause: options?.cause });
    this.grpcCode = grpcCode;
  }
}
