// The memory store answers in microtasks, so a loop awaiting nothing but it would never let the
// macrotask queue run: timers, I/O and other clients would starve (zk:// and etcd:// wait for
// sockets and do not). A probe on the injected Clock (a timer of 0 ms runs from that queue) tells
// when the queue last ran; once it has not for STARVE_MS, replies wait for it.
import type { Clock, Timer } from "../clock.ts";

/** How long replies may keep the macrotask queue from running. */
const STARVE_MS = 10;

export class MacrotaskGuard {
  readonly #clock: Clock;
  #probe: { ran: Promise<void>; timer: Timer; at: number; resolve(): void } | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** `value`, at once unless the macrotask queue has been starved: then once it has run. */
  reply<T>(value: T): Promise<T> {
    const probe = this.#probe;
    if (!probe) {
      let resolve!: () => void;
      const ran = new Promise<void>((r) => (resolve = r));
      const done = () => {
        this.#probe = undefined;
        resolve();
      };
      this.#probe = { ran, resolve: done, at: this.#clock.now(), timer: this.#clock.setTimer(0, done) };
      return Promise.resolve(value);
    }
    // Replies behind a waiting one wait too, so a session's replies keep their order.
    if (this.#clock.now() - probe.at >= STARVE_MS) return probe.ran.then(() => value);
    return Promise.resolve(value);
  }

  /** Cancels the probe (its store is closing); replies waiting for it go at once. */
  close(): void {
    this.#probe?.timer.cancel();
    this.#probe?.resolve();
  }
}
