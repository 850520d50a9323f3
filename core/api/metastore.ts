import type { Request } from "./requests.ts";
import type { Credentials } from "./acl.ts";
import type { Response, ResponseFor } from "./responses.ts";
import type { StateChangeHandler, ZNodeChangeHandler, ZNodeChildChangeHandler } from "./handlers.ts";

/** The client's connection state, named as ZooKeeper's `States`. */
export type ConnectionState = "CONNECTING" | "CONNECTED" | "CLOSED" | "AUTH_FAILED";

/**
 * Kafka's ZooKeeperClient contract over any store. Requests never throw for ZooKeeper result codes;
 * they throw a KeeperError (BadArguments, naming the field) before any I/O for an invalid path,
 * oversized data or a field of the wrong type or range, and ClientClosedError after `close()`.
 */
export interface KafkaMetastore extends AsyncDisposable {
  /**
   * Records the handler for its path; the next exists/getData of that path arms the watch. One
   * handler per path: registering another on the same path replaces the first, as Kafka's does.
   */
  registerZNodeChangeHandler(handler: ZNodeChangeHandler): void;
  unregisterZNodeChangeHandler(path: string): void;
  /** As registerZNodeChangeHandler, for getChildren with registerWatch; one handler per path (a second replaces it). */
  registerZNodeChildChangeHandler(handler: ZNodeChildChangeHandler): void;
  unregisterZNodeChildChangeHandler(path: string): void;
  /** One handler per name: registering another with the same name replaces it. */
  registerStateChangeHandler(handler: StateChangeHandler): void;
  unregisterStateChangeHandler(name: string): void;
  /**
   * Adds credentials to the session and to every session that replaces it (ZooKeeper's addAuthInfo);
   * requests sent after it are judged with them.
   * @throws {KeeperError} BadArguments for malformed credentials, or a scheme other than digest on memory or etcd.
   */
  addAuth(credentials: Credentials): void;
  handleRequest<R extends Request>(request: R): Promise<ResponseFor<R>>;
  /**
   * Sends requests with at most `maxInFlightRequests` outstanding; responses come back in request
   * order. After a ConnectionLoss, every later response of the batch is ConnectionLoss.
   */
  handleRequests(requests: readonly Request[]): Promise<Response[]>;
  /**
   * @throws {KeeperError} OperationTimeout after `timeoutMs`, SessionExpired or AuthFailed;
   * ClientClosedError after `close()`.
   */
  waitUntilConnected(timeoutMs?: number): Promise<void>;
  /** The current session's id (it changes when an expired session is replaced). */
  readonly sessionId: bigint;
  readonly connectionState: ConnectionState;
  close(): Promise<void>;
}

/** Options of every store's client. */
export interface MetastoreOptions {
  /** Requested session timeout (Kafka's default 18000). */
  sessionTimeoutMs?: number;
  /** How long `connect()` waits for the first session (default: the session timeout). */
  connectionTimeoutMs?: number;
  /** Outstanding requests per `handleRequests` batch (Kafka's default 10). */
  maxInFlightRequests?: number;
  /** Largest data accepted in Create and SetData (default 1 MiB, like jute.maxbuffer). */
  maxDataBytes?: number;
  /**
   * Credentials every session presents before any request (ZooKeeper's addAuthInfo), e.g.
   * `[{ scheme: "digest", auth: "user:password" }]`: nodes created with CREATOR_ALL_ACL belong to
   * them, digest ACLs let them in. Every store; memory and etcd take the digest scheme only.
   */
  auth?: readonly Credentials[];
}
