// Jute binary decoder bounded by one frame body; malformed input is a MarshallingError, never a RangeError.
import { ErrorCode, KeeperError } from "../errors.ts";
import { decodeUtf8 } from "./utf8.ts";

/** Reads one value (a record, a vector element) from a reader. */
export type ReadFn<T> = (r: JuteReader) => T;

/**
 * Reads jute values from a frame body. Every read checks the bytes left first, and every length is
 * checked against them before anything is allocated, so a hostile length costs nothing.
 */
export class JuteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.#offset;
  }

  /** Bytes left in the frame. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  /** @throws KeeperError MarshallingError when fewer than 4 bytes are left */
  int(): number {
    return this.#view.getInt32(this.#take(4, "int"));
  }

  /** @throws KeeperError MarshallingError when fewer than 8 bytes are left */
  long(): bigint {
    const at = this.#take(8, "long");
    // Zero (most ephemeralOwners) without allocating a bigint.
    if (this.#view.getInt32(at) === 0 && this.#view.getInt32(at + 4) === 0) return 0n;
    return this.#view.getBigInt64(at);
  }

  /** Any non-zero byte is true, as Java's reader has it. */
  bool(): boolean {
    return this.#bytes[this.#take(1, "boolean")] !== 0;
  }

  /** A copy of the bytes (the frame may be reused), or null for length -1. */
  buffer(): Uint8Array | null {
    const length = this.#length("buffer");
    if (length < 0) return null;
    const start = this.#take(length, "buffer");
    return this.#bytes.slice(start, start + length);
  }

  /** Passes over `length` bytes. */
  skip(length: number): void {
    this.#take(length, "bytes");
  }

  /** Standard UTF-8 (invalid sequences become U+FFFD), or null for length -1. */
  ustring(): string | null {
    const length = this.#length("ustring");
    if (length < 0) return null;
    const start = this.#take(length, "ustring");
    return decodeUtf8(this.#bytes.subarray(start, start + length));
  }

  /** The elements, or null for count -1. Every element takes at least one byte, so the count is bounded. */
  vector<T>(readItem: ReadFn<T>): T[] | null {
    const count = this.#length("vector");
    if (count < 0) return null;
    const items: T[] = [];
    for (let i = 0; i < count; i++) items.push(readItem(this));
    return items;
  }

  // Reads a length or count: -1 (null), or 0..remaining.
  #length(what: string): number {
    const at = this.#offset;
    const length = this.int();
    if (length < -1) {
      throw this.#error(what, at, `invalid length ${length}`);
    }
    if (length > this.remaining) {
      throw this.#error(what, at, `length ${length} exceeds the ${this.remaining} bytes left`);
    }
    return length;
  }

  // Consumes `n` bytes and returns where they start.
  #take(n: number, what: string): number {
    const at = this.#offset;
    if (n > this.remaining) {
      throw this.#error(what, at, `needs ${n} bytes, ${this.remaining} left`);
    }
    this.#offset = at + n;
    return at;
  }

  #error(what: string, at: number, detail: string): KeeperError {
    return new KeeperError(ErrorCode.MarshallingError, `Cannot read ${what} at offset ${at}: ${detail}`);
  }
}
