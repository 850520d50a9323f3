import type { Clock, Timer } from "../clock.ts";

/** A clock that moves only when told: `advance(ms)` runs the timers that come due, in order. */
export class FakeClock implements Clock {
  #now = 0;
  #wall: number;
  #seq = 0;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  constructor(wallStartMs = 1_700_000_000_000) {
    this.#wall = wallStartMs;
  }

  now(): number {
    return this.#now;
  }

  wallMs(): number {
    return this.#wall + this.#now;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const id = this.#seq++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return { cancel: () => void this.#timers.delete(id) };
  }

  /** Timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward, firing due timers (including ones they set) in due order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let nextId: number | undefined;
      let nextAt = Infinity;
      for (const [id, t] of this.#timers) if (t.at < nextAt || (t.at === nextAt && id < nextId!)) [nextId, nextAt] = [id, t.at];
      if (nextId === undefined || nextAt > end) break;
      const timer = this.#timers.get(nextId)!;
      this.#timers.delete(nextId);
      this.#now = nextAt;
      timer.fn();
    }
    this.#now = end;
  }
}
