// The shape every payload codec has, and the two plain-text payloads.
import { InvalidZNodeDataError } from "./errors.ts";
import { encodeUtf8, utf8Text } from "./json.ts";

/**
 * Encodes a value as the bytes Kafka 3.x writes into a znode, and decodes what any Kafka version wrote.
 * `decode` throws InvalidZNodeDataError for data Kafka would refuse.
 */
export interface ZNodeCodec<T> {
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array | null): T;
}

/** `/controller_epoch`: the epoch as a decimal string. */
export const controllerEpochCodec: ZNodeCodec<number> = {
  encode: (epoch) => encodeUtf8(String(epoch)),
  decode: (bytes) => parseDecimal(bytes, "controller epoch"),
};

/** A UTF-8 string payload (token change notifications, literal ACL changes are built on it). */
export const utf8Codec: ZNodeCodec<string> = {
  encode: (text) => encodeUtf8(text),
  decode: (bytes) => (bytes === null ? "" : utf8Text(bytes)),
};

/** Parses a Java int written by `Integer.toString`. */
export function parseDecimal(bytes: Uint8Array | null, what: string): number {
  const text = bytes === null ? "" : utf8Text(bytes);
  const n = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n)) throw new InvalidZNodeDataError(`${what}: not a decimal integer: ${JSON.stringify(text)}`);
  return n;
}
