// How kmeta prints what stores hold: data as text when it is UTF-8 (hex otherwise), stats as
// zkCli prints them, ACLs as scheme:id:perms, aligned tables, and JSON with bigints as strings.
import type { ACL } from "../../../core/api/acl.ts";
import type { Stat } from "../../../core/api/stat.ts";
import { jsonReplacer } from "../../../core/api/json.ts";
import { UsageError } from "../usage_error.ts";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Data as a reader wants it: UTF-8 text without control characters, else lower-case hex. */
export function showData(data: Uint8Array | null): { encoding: "utf8" | "hex" | null; text: string | null } {
  if (data === null) return { encoding: null, text: null };
  try {
    const text = strictUtf8.decode(data);
    // deno-lint-ignore no-control-regex
    if (!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return { encoding: "utf8", text };
  } catch {
    // not UTF-8: hex below
  }
  return { encoding: "hex", text: toHex(data) };
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Parses hex (whitespace allowed). @throws {UsageError} for anything else. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new UsageError(`--hex wants pairs of hex digits, got "${text}"`);
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}

const hex64 = (n: bigint) => `0x${BigInt.asUintN(64, n).toString(16)}`;

/** A stat in zkCli's `stat` layout. */
export function statLines(stat: Stat): string[] {
  const time = (ms: bigint) => new Date(Number(ms)).toISOString();
  return [
    `cZxid = ${hex64(stat.czxid)}`,
    `ctime = ${time(stat.ctime)}`,
    `mZxid = ${hex64(stat.mzxid)}`,
    `mtime = ${time(stat.mtime)}`,
    `pZxid = ${hex64(stat.pzxid)}`,
    `cversion = ${stat.cversion}`,
    `dataVersion = ${stat.version}`,
    `aclVersion = ${stat.aversion}`,
    `ephemeralOwner = ${hex64(stat.ephemeralOwner)}`,
    `dataLength = ${stat.dataLength}`,
    `numChildren = ${stat.numChildren}`,
  ];
}

const PERM_LETTERS: [number, string][] = [[4, "c"], [8, "d"], [1, "r"], [2, "w"], [16, "a"]];

export function permString(perms: number): string {
  return PERM_LETTERS.filter(([bit]) => perms & bit).map(([, letter]) => letter).join("");
}

/** `world:anyone:cdrwa` (the id may itself hold colons, as digest ids do). */
export function aclString(acl: ACL): string {
  return `${acl.id.scheme}:${acl.id.id}:${permString(acl.perms)}`;
}

/** Parses `scheme:id:perms[,scheme:id:perms...]` as zkCli's setAcl takes it. @throws {UsageError} */
export function parseAcls(text: string): ACL[] {
  return text.split(",").map((entry) => {
    const first = entry.indexOf(":"), last = entry.lastIndexOf(":");
    const letters = entry.slice(last + 1);
    if (first < 1 || last === first || !/^[cdrwa]+$/.test(letters)) throw new UsageError(`an ACL is scheme:id:perms (perms of cdrwa), got "${entry}"`);
    const perms = PERM_LETTERS.reduce((sum, [bit, letter]) => (letters.includes(letter) ? sum | bit : sum), 0);
    return { id: { scheme: entry.slice(0, first), id: entry.slice(first + 1, last) }, perms };
  });
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? "").length)));
  return all.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join("  ").trimEnd());
}

/** One line of JSON: bigints as decimal strings, bytes as { base64 }. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value, jsonReplacer);
}

/** A stat for JSON output: every field, int64s as decimal strings. */
export function statJson(stat: Stat): Record<string, string | number> {
  return JSON.parse(JSON.stringify(stat, jsonReplacer));
}

/** 12,345 */
export function count(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
