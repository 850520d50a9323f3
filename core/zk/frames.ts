// Splits a ZooKeeper byte stream into frames: a 4-byte big-endian signed length, then that many bytes.
import { ErrorCode, KeeperError } from "../errors.ts";

/** ZooKeeper's default jute.maxbuffer (0xFFFFF), the largest frame body a client accepts. */
export const MAX_FRAME_BYTES = 0xfffff;

export interface FrameDecoderOptions {
  /** Largest frame body accepted; default MAX_FRAME_BYTES. Kafka raises it to 4 MiB. */
  maxFrameBytes?: number;
  /**
   * A frame that lies whole in one chunk comes out as a view of that chunk rather than a copy: for
   * a caller that neither reuses chunks nor keeps frames (a client decodes each reply at once).
   */
  views?: boolean;
}

/** A push parser: bytes in as they arrive, complete frame bodies out. */
export interface FrameDecoder {
  /**
   * Feeds one chunk and returns the frame bodies it completed, in order; a partial frame stays
   * buffered for the next push. Bodies are fresh copies, so the caller may reuse `chunk`, unless
   * the decoder was made with `views`.
   * @throws KeeperError MarshallingError for a negative length or one above maxFrameBytes; the
   * stream is then unusable (every later push throws the same error) and the caller must drop it
   */
  push(chunk: Uint8Array): Uint8Array[];
  /** Bytes of a partial frame held back; non-zero at end of stream means a truncated frame. */
  readonly bufferedBytes: number;
}

/**
 * Creates a frame decoder. Memory stays below maxFrameBytes + 4 however the stream is split: the
 * body buffer is allocated once its length is known and checked.
 */
export function createFrameDecoder(options: FrameDecoderOptions = {}): FrameDecoder {
  const maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  const views = options.views ?? false;
  let prefix = 0;
  let prefixFill = 0;
  let body: Uint8Array | undefined;
  let bodyFill = 0;
  let failure: KeeperError | undefined;

  // The server may coalesce several replies into one read or split one across reads; never
  // assume a chunk is a frame.
  function push(chunk: Uint8Array): Uint8Array[] {
    if (failure !== undefined) throw failure;
    const frames: Uint8Array[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (body === undefined) {
        while (prefixFill < 4 && at < chunk.length) {
          prefix = (prefix << 8) | chunk[at++]!;
          prefixFill++;
        }
        if (prefixFill < 4) break;
        prefixFill = 0;
        const length = checkedLength(prefix | 0);
        if (views && length <= chunk.length - at) {
          // A plain Uint8Array even over a Node Buffer, whose slice() would alias rather than copy.
          frames.push(new Uint8Array(chunk.buffer, chunk.byteOffset + at, length));
          at += length;
          continue;
        }
        body = new Uint8Array(length);
        bodyFill = 0;
      }
      // Runs with n = 0 too, so an empty frame completes as soon as its prefix does.
      const n = Math.min(body.length - bodyFill, chunk.length - at);
      body.set(chunk.subarray(at, at + n), bodyFill);
      bodyFill += n;
      at += n;
      if (bodyFill === body.length) {
        frames.push(body);
        body = undefined;
      }
    }
    return frames;
  }

  function checkedLength(length: number): number {
    if (length >= 0 && length <= maxFrameBytes) return length;
    failure = new KeeperError(
      ErrorCode.MarshallingError,
      `Cannot read frame: length ${length} is out of range 0..${maxFrameBytes}`,
    );
    throw failure;
  }

  return {
    push,
    get bufferedBytes() {
      return body === undefined ? prefixFill : 4 + bodyFill;
    },
  };
}
