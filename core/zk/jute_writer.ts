// Jute binary encoder: big-endian ints and longs, length-prefixed buffers, strings and vectors.
import { ErrorCode, KeeperError } from "../errors.ts";
import { javaUtf8Length, writeJavaUtf8 } from "./utf8.ts";

/** Writes one value (a record, a vector element) to a writer. */
export type WriteFn<T> = (w: JuteWriter, value: T) => void;

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/**
 * Appends jute-encoded values to a growable buffer. Nested records are written by calling their
 * write function on the same writer; jute has no record tags or lengths.
 */
export class JuteWriter {
  #bytes: Uint8Array;
  #view: DataView;
  #length = 0;

  constructor(initialCapacity = 256) {
    this.#bytes = new Uint8Array(Math.max(16, initialCapacity));
    this.#view = new DataView(this.#bytes.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** Bytes the buffer holds before it must grow. */
  get capacity(): number {
    return this.#bytes.length;
  }

  /** Forgets what was written, keeping the buffer for the next values. */
  reset(): this {
    this.#length = 0;
    return this;
  }

  /** @throws KeeperError BadArguments when `value` is not a 32-bit signed integer */
  int(value: number): this {
    if (!Number.isInteger(value) || value < INT_MIN || value > INT_MAX) {
      throw new KeeperError(ErrorCode.BadArguments, `Cannot write int: "${value}" is not a 32-bit integer`);
    }
    const at = this.#reserve(4);
    this.#view.setInt32(at, value);
    return this;
  }

  /** @throws KeeperError BadArguments when `value` does not fit a signed 64-bit long */
  long(value: bigint): this {
    if (BigInt.asIntN(64, value) !== value) {
      throw new KeeperError(ErrorCode.BadArguments, `Cannot write long: "${value}" is not a 64-bit integer`);
    }
    const at = this.#reserve(8);
    this.#view.setBigInt64(at, value);
    return this;
  }

  bool(value: boolean): this {
    const at = this.#reserve(1);
    this.#bytes[at] = value ? 1 : 0;
    return this;
  }

  /** Length-prefixed bytes; null is written as length -1, distinct from empty. */
  buffer(value: Uint8Array | null): this {
    if (value === null) return this.int(-1);
    this.int(value.length);
    const at = this.#reserve(value.length);
    this.#bytes.set(value, at);
    return this;
  }

  /** Length-prefixed UTF-8 as Java's jute writer produces it; null is written as length -1. */
  ustring(value: string | null): this {
    if (value === null) return this.int(-1);
    const length = javaUtf8Length(value);
    this.int(length);
    const at = this.#reserve(length);
    writeJavaUtf8(value, this.#bytes, at);
    return this;
  }

  /** Count-prefixed elements; null is written as count -1. */
  vector<T>(items: readonly T[] | null, writeItem: WriteFn<T>): this {
    if (items === null) return this.int(-1);
    this.int(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  /** Overwrites the int at `offset`, for lengths known only after the fact. */
  patchInt(offset: number, value: number): this {
    if (offset < 0 || offset + 4 > this.#length) {
      throw new KeeperError(
        ErrorCode.BadArguments,
        `Cannot patch int at offset ${offset}: only ${this.#length} bytes written`,
      );
    }
    this.#view.setInt32(offset, value);
    return this;
  }

  /** The bytes written so far, as a view of the writer's buffer (a later patch shows through). */
  bytes(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  // Makes room for `n` more bytes and returns the offset they start at. It may replace the buffer,
  // so callers reserve before they touch #bytes or #view.
  #reserve(n: number): number {
    const offset = this.#length;
    const needed = offset + n;
    if (needed > this.#bytes.length) {
      // Doubling keeps appends amortised O(1).
      const grown = new Uint8Array(Math.max(needed, this.#bytes.length * 2));
      grown.set(this.#bytes.subarray(0, offset));
      this.#bytes = grown;
      this.#view = new DataView(grown.buffer);
    }
    this.#length = needed;
    return offset;
  }
}

/** A scratch buffer that grew past this is dropped after its frame rather than kept. */
const SCRATCH_MAX_BYTES = 64 * 1024;
// The writer every frame is encoded in: a fresh 256-byte buffer per frame was most of what a small
// request allocated. Taken while in use, so a frame encoded inside another gets a writer of its own.
let scratch: JuteWriter | undefined;

/**
 * A whole frame: the 4-byte big-endian length prefix, patched in once `write` is done, then the
 * body. The bytes are a copy of their own, exactly as long as the frame.
 */
export function writeFrame(write: (w: JuteWriter) => void): Uint8Array {
  const w = scratch?.reset() ?? new JuteWriter();
  scratch = undefined;
  try {
    w.int(0);
    write(w);
    return w.patchInt(0, w.length - 4).bytes().slice();
  } finally {
    if (w.capacity <= SCRATCH_MAX_BYTES) scratch = w;
  }
}
