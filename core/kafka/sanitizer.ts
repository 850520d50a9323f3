// Kafka's Sanitizer: entity names (users, client ids, principals) as they appear in znode names and
// payloads. sanitize = Java's URLEncoder (UTF-8) with "*" as %2A and " " as %20; desanitize = URLDecoder.
import { encodeUtf8, utf8Text } from "./json.ts";
import { InvalidZNodeDataError } from "./errors.ts";

const UNRESERVED = /[A-Za-z0-9._-]/;
const HEX = "0123456789ABCDEF";

export function sanitize(name: string): string {
  let out = "";
  for (const ch of name) {
    if (UNRESERVED.test(ch)) {
      out += ch;
      continue;
    }
    for (const b of encodeUtf8(ch)) out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

/** @throws {InvalidZNodeDataError} for a malformed %-escape. */
export function desanitize(name: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === "%") {
      const hex = name.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new InvalidZNodeDataError(`Bad escape in sanitized name "${name}"`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c === "+") {
      bytes.push(0x20);
    } else {
      bytes.push(...encodeUtf8(c));
    }
  }
  return utf8Text(Uint8Array.from(bytes));
}
