import type { Request } from "./requests.ts";
import type { Response, ResponseFor } from "./responses.ts";
import type { StateChangeHandler, ZNodeChangeHandler, ZNodeChildChangeHandler } from "./handlers.ts";

/** The client's connection state, named as ZooKeeper's `States`. */
export type ConnectionState = "CONNECTING" | "CONNECTED" | "CLOSED" | "AUTH_FAILED";

/**
 * Kafka's ZooKeeperClient contract over any store. Requests never throw for ZooKeeper result codes;
 * they throw a KeeperError (BadArguments) before any I/O for an invalid path or oversized data.
 */
export interface KafkaMetastore extends AsyncDisposable {
  registerZNodeChangeHandler(handler: ZNodeChangeHandler): void;
  unregisterZNodeChangeHandler(path: string): void;
  registerZNodeChildChangeHandler(handler: ZNodeChildChangeHandler): void;
  unregisterZNodeChildChangeHandler(path: string): void;
  registerStateChangeHandler(handler: StateChangeHandler): void;
  unregisterStateChangeHandler(name: string): void;
  handleRequest<R extends Request>(request: R): Promise<ResponseFor<R>>;
  /**
   * Sends requests with at most `maxInFlightRequests` outstanding; responses come back in request
   * order. After a ConnectionLoss, every later response of the batch is ConnectionLoss.
   */
  handleRequests(requests: readonly Request[]): Promise<Response[]>;
  /** @throws {KeeperError} OperationTimeout after `timeoutMs`, SessionExpired or AuthFailed. */
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
}
