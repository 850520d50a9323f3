// The clock every runtime has: web-standard timers, performance.now() and Date.now().
import type { Clock, Timer } from "../../core/clock.ts";

/** Real time for core. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallMs: () => Date.now(),
  setTimer(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(handle) };
  },
};
