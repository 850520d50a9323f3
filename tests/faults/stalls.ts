// How long this process was kept from running its timers: on a busy machine (or in a long GC pause,
// or a long piece of its own work) a timer fires late, and so does a client's request timeout. A
// fault test takes what its process lost out of a measured duration before holding it to a bound,
// so the bound judges the client, not the machine it runs on. Plain timers: the same on Node, Deno
// and Bun.

/** A timer every `PERIOD_MS`; each time it runs later than that by more than `JITTER_MS`, the gap is a stall. */
const PERIOD_MS = 20;
/**
 * Lateness up to this is a busy machine's ordinary scheduling: it delays one timer a little, and
 * counting every such moment would excuse seconds that the process did run in.
 */
const JITTER_MS = 50;

export class Stalls {
  /** Each stall as [start, end] in performance.now() time. */
  readonly #stalls: [number, number][] = [];
  #last = performance.now();
  #stopped = false;
  readonly #timer = setInterval(() => {
    const now = performance.now();
    if (now - this.#last - PERIOD_MS > JITTER_MS) this.#stalls.push([this.#last + PERIOD_MS, now]);
    this.#last = now;
  }, PERIOD_MS);

  /** The milliseconds of stalls between `from` and `to` (performance.now() time). */
  within(from: number, to: number): number {
    let ms = 0;
    for (const [start, end] of this.#all()) ms += Math.max(0, Math.min(end, to) - Math.max(start, from));
    return ms;
  }

  /** The stalls recorded, and the one going on if the timer is late right now. */
  #all(): [number, number][] {
    const due = this.#last + PERIOD_MS;
    return !this.#stopped && performance.now() - due > JITTER_MS ? [...this.#stalls, [due, performance.now()]] : this.#stalls;
  }

  /** `to - from`, less the stalls in between: how long it took while this process could run. */
  running(from: number, to: number): number {
    return to - from - this.within(from, to);
  }

  /** When `ms` of running time will have passed since `from`: `from + ms`, pushed back by each stall. */
  after(from: number, ms: number): number {
    let t = from + ms;
    for (const [start, end] of this.#all()) {
      if (start >= t) break;
      if (end > from) t += end - Math.max(start, from);
    }
    return t;
  }

  /** Resolves once `ms` of running time have passed since `from` (later than `from + ms` by the stalls meanwhile). */
  async waitRunning(from: number, ms: number): Promise<void> {
    for (let now = performance.now(); now < this.after(from, ms); now = performance.now()) {
      await new Promise((resolve) => setTimeout(resolve, this.after(from, ms) - now));
    }
  }

  /** The longest stall so far, for a summary line. */
  longest(): number {
    return Math.max(0, ...this.#all().map(([start, end]) => end - start));
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  [Symbol.dispose](): void {
    this.stop();
  }
}
