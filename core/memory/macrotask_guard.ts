// The memory store answers in microtasks, so a loop awaiting nothing but it would never let the
// macrotask queue run: timers, I/O and other clients would starve (zk:// and etcd:// wait for
// sockets and do not). A probe on the injected macrotask scheduler tells when the queue last ran;
// once it has not for STARVE_MS, replies wait for it.
import type { Clock } from "../clock.ts";

/** Runs `fn` from the macrotask queue (a runtime passes `setTimeout(fn, 0)` or the like). */
export type Macrotask = (fn: () => void) => void;

/** How long replies may keep the macrotask queue from running. */
const STARVE_MS = 10;

export class MacrotaskGuard {
  readonly #clock: Clock;
  readonly #macrotask: Macrotask | undefined;
  #probe: Promise<void> | undefined;
  #probedAt = 0;

  constructor(clock: Clock, macrotask: Macrotask | undefined) {
    this.#clock = clock;
    this.#macrotask = macrotask;
  }

  /** `value`, at once unless the macrotask queue has been starved: then once it has run. */
  reply<T>(value: T): Promise<T> {
    const macrotask = this.#macrotask;
    if (!macrotask) return Promise.resolve(value);
    if (!this.#probe) {
      this.#probedAt = this.#clock.now();
      this.#probe = new Promise((resolve) =>
        macrotask(() => {
          this.#probe = undefined;
          resolve();
        })
      );
      return Promise.resolve(value);
    }
    // Replies behind a waiting one wait too, so a session's replies keep their order.
    if (this.#clock.now() - this.#probedAt >= STARVE_MS) return this.#probe.then(() => value);
    return Promise.resolve(value);
  }
}
