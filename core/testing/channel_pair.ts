import type { ByteChannel } from "../transport.ts";

/** The two ends of an in-process byte stream, plus a way to break it. */
export interface ChannelPair {
  client: ByteChannel;
  server: ByteChannel;
  /** Ends both sides' `incoming` with `error`, as a socket reset would. */
  fail(error: unknown): void;
}

/**
 * Two connected ByteChannels: bytes written on one side come out of the other's `incoming`
 * (copied, one chunk per write). Closing either side ends both. Needs no timers, only promises.
 */
export function createChannelPair(): ChannelPair {
  const a = new Pipe();
  const b = new Pipe();
  const end = (error?: unknown) => {
    a.end(error);
    b.end(error);
  };
  const side = (inbound: Pipe, outbound: Pipe): ByteChannel => ({
    incoming: inbound,
    write: (bytes) => outbound.push(bytes.slice()),
    close: () => end(),
  });
  return { client: side(a, b), server: side(b, a), fail: end };
}

/** One direction: chunks wait here until the reader takes them. */
class Pipe implements AsyncIterable<Uint8Array> {
  #chunks: Uint8Array[] = [];
  #ended = false;
  #error: unknown;
  #wake: (() => void) | undefined;

  push(chunk: Uint8Array): void {
    if (this.#ended) return;
    this.#chunks.push(chunk);
    this.#wake?.();
  }

  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = this.#chunks.shift();
      if (chunk !== undefined) {
        yield chunk;
        continue;
      }
      if (this.#ended) {
        if (this.#error !== undefined) throw this.#error;
        return;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }
}
