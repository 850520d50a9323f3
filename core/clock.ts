/** Where core gets time. Runtime shims pass a real clock; tests pass `FakeClock`. */
export interface Clock {
  /** Monotonic milliseconds; only differences mean anything. */
  now(): number;
  /** Milliseconds since the Unix epoch, for ZooKeeper's ctime and mtime. */
  wallMs(): number;
  /** Runs `fn` once after `ms`. Cancelling after it fired is a no-op. */
  setTimer(ms: number, fn: () => void): Timer;
}

/** A pending `Clock.setTimer` call. */
export interface Timer {
  cancel(): void;
}
