// Responses and stats hold bigints (zxids, times, session ids), which JSON.stringify refuses, and
// Uint8Array data, which it writes as an object of indices: one replacer for logging them.

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function base64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += BASE64[n >> 18]! + BASE64[(n >> 12) & 63]! +
      (i + 1 < bytes.length ? BASE64[(n >> 6) & 63]! : "=") + (i + 2 < bytes.length ? BASE64[n & 63]! : "=");
  }
  return out;
}

/**
 * A `JSON.stringify` replacer for responses, stats, requests and watch events: a bigint becomes its
 * decimal string, a Uint8Array `{ base64 }`; anything else is left as it is.
 * @example
 * ```ts ignore
 * console.log(JSON.stringify(await client.handleRequest({ type: "exists", path: "/brokers" }), jsonReplacer));
 * ```
 */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return { base64: base64(value) };
  return value;
}

/** `JSON.stringify(value, jsonReplacer, space)`: JSON text for a response or stat, bigints as strings. */
export function toJson(value: unknown, space?: number): string {
  return JSON.stringify(value, jsonReplacer, space);
}
