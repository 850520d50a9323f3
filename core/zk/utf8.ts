// UTF-8 for jute ustrings: encodes as ZooKeeper's Java writer does, decodes as a standard UTF-8 reader.
// Core keeps its own codec because some hosts (QuickJS-wasm) have no TextEncoder/TextDecoder.

/** Bytes `s` takes as a jute ustring: 1, 2 or 3 per UTF-16 code unit. */
export function javaUtf8Length(s: string): number {
  let length = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    length += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return length;
}

/**
 * Writes `s` into `target` at `offset` as ZooKeeper's jute writer does and returns the end offset.
 * Each UTF-16 code unit is encoded on its own, so a supplementary character becomes two 3-byte
 * surrogates (CESU-8 style) and U+0000 a single 0x00. `target` must have `javaUtf8Length(s)` bytes free.
 */
export function writeJavaUtf8(s: string, target: Uint8Array, offset: number): number {
  let at = offset;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      target[at++] = c;
    } else if (c < 0x800) {
      target[at++] = 0xc0 | (c >> 6);
      target[at++] = 0x80 | (c & 0x3f);
    } else {
      target[at++] = 0xe0 | (c >> 12);
      target[at++] = 0x80 | ((c >> 6) & 0x3f);
      target[at++] = 0x80 | (c & 0x3f);
    }
  }
  return at;
}

/** `s` encoded as a jute ustring's bytes (see `writeJavaUtf8`). */
export function encodeJavaUtf8(s: string): Uint8Array {
  const bytes = new Uint8Array(javaUtf8Length(s));
  writeJavaUtf8(s, bytes, 0);
  return bytes;
}

const REPLACEMENT = 0xfffd;
// String.fromCharCode takes its units as arguments; stay well below engines' argument limits.
const CHUNK_UNITS = 4096;

/**
 * Decodes standard UTF-8. Each maximal invalid subsequence becomes one U+FFFD, as TextDecoder and
 * Java's decoder do; CESU-8 surrogates (0xED 0xA0..0xBF) are invalid here too.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  // ASCII (paths, names, key layouts): one call over the bytes, no array of units.
  if (bytes.length <= CHUNK_UNITS && isAscii(bytes)) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let out = "";
  const units: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i]!;
    if (b0 < 0x80) {
      units.push(b0);
      i++;
    } else {
      i = decodeMultiByte(bytes, i, units);
    }
    if (units.length >= CHUNK_UNITS) {
      out += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return out + String.fromCharCode(...units);
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

// Decodes the sequence led by bytes[start] >= 0x80, pushes its code units, returns the next index.
// The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
function decodeMultiByte(bytes: Uint8Array, start: number, units: number[]): number {
  const b0 = bytes[start]!;
  let trailing: number;
  let low = 0x80;
  let high = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    trailing = 1;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    trailing = 2;
    if (b0 === 0xe0) low = 0xa0;
    if (b0 === 0xed) high = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    trailing = 3;
    if (b0 === 0xf0) low = 0x90;
    if (b0 === 0xf4) high = 0x8f;
  } else {
    units.push(REPLACEMENT);
    return start + 1;
  }
  let codePoint = b0 & (0x7f >> (trailing + 1));
  let i = start + 1;
  for (let k = 0; k < trailing; k++) {
    const b = bytes[i];
    if (b === undefined || b < low || b > high) {
      units.push(REPLACEMENT);
      return i;
    }
    codePoint = (codePoint << 6) | (b & 0x3f);
    low = 0x80;
    high = 0xbf;
    i++;
  }
  if (codePoint > 0xffff) {
    codePoint -= 0x10000;
    units.push(0xd800 | (codePoint >> 10), 0xdc00 | (codePoint & 0x3ff));
  } else {
    units.push(codePoint);
  }
  return i;
}
