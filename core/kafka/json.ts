// JSON as Kafka's Jackson ObjectMapper writes it: no whitespace, UTF-8, control characters as
// \b \t \n \f \r or \u00XX with upper-case hex, `/` and non-ASCII left as they are. Objects are
// written in the order the caller gives (collection_order.ts computes Kafka's), never JSON.stringify's.
import { decodeUtf8 } from "../zk/utf8.ts";
import { InvalidZNodeDataError } from "./errors.ts";

/** One JSON text, already serialised. */
export type Json = string & { readonly __json: unique symbol };

const HEX = "0123456789ABCDEF";
const SHORT_ESCAPES: Readonly<Record<number, string>> = { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r", 34: '\\"', 92: "\\\\" };

/** A JSON string literal as Jackson escapes it. */
export function jsonString(s: string): Json {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 34 && c !== 92) continue;
    out += s.slice(start, i) + (SHORT_ESCAPES[c] ?? `\\u00${HEX[c >> 4]}${HEX[c & 15]}`);
    start = i + 1;
  }
  return (out + s.slice(start) + '"') as Json;
}

/** An integer as Jackson writes an int or a long. */
export function jsonNumber(n: number | bigint): Json {
  if (typeof n === "number" && !Number.isSafeInteger(n)) throw new RangeError(`Not an integer Kafka writes: ${n}`);
  return String(n) as Json;
}

export const JSON_NULL: Json = "null" as Json;

/** A string, or null for Kafka's null (e.g. the host of a broker without a PLAINTEXT listener). */
export function jsonNullableString(s: string | null): Json {
  return s === null ? JSON_NULL : jsonString(s);
}

export function jsonArray(items: readonly Json[]): Json {
  return `[${items.join(",")}]` as Json;
}

/** An object with its members in exactly this order. */
export function jsonObject(members: readonly (readonly [string, Json])[]): Json {
  return `{${members.map(([k, v]) => `${jsonString(k)}:${v}`).join(",")}}` as Json;
}

/** `members` as an object in the given key order (a permutation of their keys). */
export function orderedObject(members: readonly (readonly [string, Json])[], order: readonly string[]): Json {
  const byKey = new Map(members);
  return jsonObject(order.map((k) => [k, byKey.get(k)!]));
}

/** An array of integers (replica lists, ISRs). */
export function jsonInts(values: readonly number[]): Json {
  return jsonArray(values.map(jsonNumber));
}

/** Standard UTF-8, as Jackson's UTF8JsonGenerator writes it (a lone surrogate becomes U+FFFD). */
export function encodeUtf8(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        c = 0xfffd;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

export function jsonBytes(json: Json): Uint8Array {
  return encodeUtf8(json);
}

/** Text of a znode's data: Kafka decodes every payload as UTF-8. */
export function utf8Text(bytes: Uint8Array): string {
  return decodeUtf8(bytes);
}

/** A parsed JSON object, with typed getters that fail as Kafka's decoders do, naming the field. */
export class JsonFields {
  readonly #fields: Readonly<Record<string, unknown>>;
  readonly #what: string;

  constructor(fields: Readonly<Record<string, unknown>>, what: string) {
    this.#fields = fields;
    this.#what = what;
  }

  has(key: string): boolean {
    return Object.hasOwn(this.#fields, key) && this.#fields[key] !== null;
  }

  raw(key: string): unknown {
    return this.#fields[key];
  }

  int(key: string): number {
    const v = this.#fields[key];
    if (typeof v !== "number" || !Number.isInteger(v)) throw this.#bad(key, "an integer");
    return v;
  }

  string(key: string): string {
    const v = this.#fields[key];
    if (typeof v !== "string") throw this.#bad(key, "a string");
    return v;
  }

  /** A string or null; absent reads as null. */
  nullableString(key: string): string | null {
    const v = this.#fields[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== "string") throw this.#bad(key, "a string or null");
    return v;
  }

  ints(key: string): number[] {
    const v = this.#fields[key];
    if (!Array.isArray(v) || !v.every((x) => typeof x === "number" && Number.isInteger(x))) {
      throw this.#bad(key, "an array of integers");
    }
    return v as number[];
  }

  strings(key: string): string[] {
    const v = this.#fields[key];
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw this.#bad(key, "an array of strings");
    return v as string[];
  }

  object(key: string): JsonFields {
    return asObject(this.#fields[key], `${this.#what} "${key}"`);
  }

  objects(key: string): JsonFields[] {
    const v = this.#fields[key];
    if (!Array.isArray(v)) throw this.#bad(key, "an array of objects");
    return v.map((item, i) => asObject(item, `${this.#what} "${key}"[${i}]`));
  }

  /** Member names in document order (integer-like names come first, ascending, as in any JS object). */
  keys(): string[] {
    return Object.keys(this.#fields);
  }

  #bad(key: string, expected: string): InvalidZNodeDataError {
    return new InvalidZNodeDataError(`${this.#what}: "${key}" should be ${expected}, got ${JSON.stringify(this.#fields[key]) ?? "nothing"}`);
  }
}

function asObject(value: unknown, what: string): JsonFields {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidZNodeDataError(`${what} should be a JSON object`);
  }
  return new JsonFields(value as Record<string, unknown>, what);
}

/**
 * Parses a znode's JSON object.
 * @throws {InvalidZNodeDataError} for null data, bytes that are not JSON, or JSON that is not an object.
 */
export function parseJsonObject(bytes: Uint8Array | null, what: string): JsonFields {
  if (bytes === null) throw new InvalidZNodeDataError(`${what}: the znode has no data`);
  let value: unknown;
  try {
    value = JSON.parse(utf8Text(bytes));
  } catch (e) {
    throw new InvalidZNodeDataError(`${what}: not JSON: ${JSON.stringify(utf8Text(bytes).slice(0, 200))}`, { cause: e });
  }
  return asObject(value, what);
}
