// How long this process was kept from running its timers: on a busy machine (or in a long GC pause,
// or a long piece of its own work) a timer fires late, and so does a client's request timeout. A
// fault test takes what its process lost out of a measured duration before holding it to a bound,
// so the bound judges the client, not the machine it runs on. Plain timers: the same on Node, Deno
// and Bun.

/** A timer every `PERIOD_MS`; each time it runs later than that, the gap is recorded as a stall. */
const PERIOD_MS = 10;
/** Lateness below this is ordinary timer jitter. */
const JITTER_MS = 5;

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
