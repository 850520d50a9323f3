// Jute records as data: each record is a list of typed fields, and one codec both writes and reads it.
import type { JuteReader } from "./jute_reader.ts";
import type { JuteWriter } from "./jute_writer.ts";

/** Writes and reads one jute type. */
export interface Codec<T> {
  write(w: JuteWriter, value: T): void;
  read(r: JuteReader): T;
}

export const int: Codec<number> = { write: (w, v) => void w.int(v), read: (r) => r.int() };
export const long: Codec<bigint> = { write: (w, v) => void w.long(v), read: (r) => r.long() };
export const bool: Codec<boolean> = { write: (w, v) => void w.bool(v), read: (r) => r.bool() };
/** Null (length -1) stays null: ZooKeeper stores null data apart from empty data. */
export const buffer: Codec<Uint8Array | null> = { write: (w, v) => void w.buffer(v), read: (r) => r.buffer() };

/** A string that ZooKeeper never sends as null; a null on the wire reads as "". */
export const ustring: Codec<string> = { write: (w, v) => void w.ustring(v), read: (r) => r.ustring() ?? "" };

/** A trailing boolean that older peers omit: read only when bytes are left, written only when set. */
export const optionalBool: Codec<boolean | undefined> = {
  write(w, v) {
    if (v !== undefined) w.bool(v);
  },
  read: (r) => (r.remaining > 0 ? r.bool() : undefined),
};

/** A vector that no ZooKeeper record distinguishes from empty when null; null reads as []. */
export function vector<T>(item: Codec<T>): Codec<T[]> {
  const writeItem = (w: JuteWriter, v: T): void => item.write(w, v);
  const readItem = (r: JuteReader): T => item.read(r);
  return {
    write: (w, v) => void w.vector(v, writeItem),
    read: (r) => r.vector(readItem) ?? [],
  };
}

// deno-lint-ignore no-explicit-any
type Fields = Record<string, Codec<any>>;
type RecordOf<F extends Fields> = { [K in keyof F]: F[K] extends Codec<infer T> ? T : never };

/**
 * A record codec from its fields in wire order (object key order). Writing ignores properties
 * that are not fields, such as a union's `type` tag; reading leaves out fields read as undefined.
 */
export function record<F extends Fields>(fields: F): Codec<RecordOf<F>> {
  const entries = Object.entries(fields);
  return {
    write(w, value) {
      for (const [name, codec] of entries) codec.write(w, value[name]);
    },
    read(r) {
      const out: Record<string, unknown> = {};
      for (const [name, codec] of entries) {
        const v = codec.read(r);
        if (v !== undefined) out[name] = v;
      }
      return out as RecordOf<F>;
    },
  };
}
