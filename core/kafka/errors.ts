// Errors of the Kafka layer, in core/errors.ts's style: a name to match across package copies,
// a message saying what failed. ZooKeeper result codes stay KeeperErrors (NodeExists on a broker
// registration owned by another session, NoNode, ...); these are the failures Kafka names itself.
import { MetastoreError } from "../errors.ts";

/**
 * Another controller was elected: a write fenced by `/controller_epoch`'s zkVersion found another
 * version (Kafka's ControllerMovedException), or an election lost to another broker.
 */
export class ControllerMovedError extends MetastoreError {
  override name = "ControllerMovedError";
  /** The zkVersion the write expected, when the error comes from a fenced write. */
  readonly expectedVersion: number | undefined;
  constructor(message: string, options?: { expectedVersion?: number; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.expectedVersion = options?.expectedVersion;
  }
}

/** A znode's data is not the payload Kafka writes there (bad JSON, a missing field, an unknown version). */
export class InvalidZNodeDataError extends MetastoreError {
  override name = "InvalidZNodeDataError";
  /** The znode, when known. */
  readonly path: string | undefined;
  constructor(message: string, options?: { path?: string; cause?: unknown }) {
    super(options?.path ? `Invalid data in "${options.path}": ${message}` : message, { cause: options?.cause });
    this.path = options?.path;
  }
}

/** Names of the Kafka layer's errors. */
export type KafkaErrorName = "ControllerMovedError" | "InvalidZNodeDataError";

/** True when `e` is the named Kafka-layer error, from any copy of this package (matched by name). */
export function isKafkaError(e: unknown, name: "ControllerMovedError"): e is ControllerMovedError;
export function isKafkaError(e: unknown, name: "InvalidZNodeDataError"): e is InvalidZNodeDataError;
export function isKafkaError(e: unknown, name: KafkaErrorName): boolean {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === name;
}
