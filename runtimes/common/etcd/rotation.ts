// Which etcd member a call goes to. Writes and the streams stay on one member, the current one,
// and move on when it fails; reads are spread over the members in turn (etcd serves linearizable
// reads on any member), skipping for a while the members that failed recently.
/** How long a member that failed is left out of the read rotation; doubled for each failure in a row. */
const COOLDOWN_MS = 5000;
const MAX_COOLDOWN_MS = 60_000;

export class Rotation<T> {
  readonly #items: readonly T[];
  /** performance.now() until which each member sits out; 0 when healthy. */
  readonly #downUntil: number[];
  /** Failures in a row since the member last answered. */
  readonly #strikes: number[];
  #current = 0;
  #nextRead = 0;

  constructor(items: readonly T[]) {
    this.#items = items;
    this.#downUntil = items.map(() => 0);
    this.#strikes = items.map(() => 0);
  }

  get size(): number {
    return this.#items.length;
  }

  get all(): readonly T[] {
    return this.#items;
  }

  /** Where writes and streams go. */
  current(): T {
    return this.#items[this.#current]!;
  }

  /** Where the next read goes: each member in turn, skipping recent failures (the current one if all failed). */
  forRead(): T {
    const i = this.#firstUp(this.#nextRead);
    if (i === undefined) return this.current();
    this.#nextRead = (i + 1) % this.#items.length;
    return this.#items[i]!;
  }

  /** `item` failed (Unavailable, or no answer in time): it sits out reads, and writes move on from it. */
  failed(item: T): void {
    const i = this.#items.indexOf(item);
    if (i < 0) return;
    // A member that accepts connections and never answers costs a read its whole deadline each
    // time it is tried: try it less and less often while it keeps failing.
    const strikes = ++this.#strikes[i]!;
    this.#downUntil[i] = performance.now() + Math.min(MAX_COOLDOWN_MS, COOLDOWN_MS * 2 ** (strikes - 1));
    // Unless another call moved on already: the next member that has not failed lately, else the next.
    if (i === this.#current) this.#current = this.#firstUp(i + 1) ?? (i + 1) % this.#items.length;
  }

  /** `item` answered a call: it is back in the rotation with a clean record. */
  answered(item: T): void {
    const i = this.#items.indexOf(item);
    if (i >= 0 && this.#strikes[i] !== 0) {
      this.#strikes[i] = 0;
      this.#downUntil[i] = 0;
    }
  }

  #firstUp(from: number): number | undefined {
    const now = performance.now();
    for (let k = 0; k < this.#items.length; k++) {
      const i = (from + k) % this.#items.length;
      if (this.#downUntil[i]! <= now) return i;
    }
    return undefined;
  }
}
