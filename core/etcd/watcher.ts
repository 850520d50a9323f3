// The store's one etcd watch over its whole prefix. It tracks how far the namespace's history has
// been processed (`revision`), so replies can wait until every event they must follow was delivered,
// and keeps the recent translated events so a watch armed by a read at an older revision can catch up
// with events already processed. A broken stream resumes from the last processed revision; a
// compacted one reports the gap so armed watches are re-checked by reading, and stands still (no
// events delivered, no reply released) until that re-check has fired what it found.
import type { Clock, Timer } from "../clock.ts";
import type { EtcdApi, WatchEvent as EtcdEvent, WatchStream } from "./api.ts";
import type { KeyLayout } from "./keys.ts";
import type { WatchEvent } from "../api/events.ts";
import { translate, type Translated } from "./watch_events.ts";

/** What the watcher reports to the store. */
export interface WatcherListener {
  /** What one revision meant: its ZooKeeper events in order, and the sessions it started or ended. */
  onRevision(revision: bigint, translated: Translated): void;
  /**
   * History up to `revision` was compacted away unseen: re-check what is armed, firing what changed.
   * Rejecting (a read failed) makes the watcher try again later from where it was.
   */
  onGap(revision: bigint): Promise<void>;
  /** The stream failed with an error the store may act on (e.g. authentication). */
  onError(error: unknown): void;
}

export interface WatcherOptions {
  api: EtcdApi;
  keys: KeyLayout;
  clock: Clock;
  listener: WatcherListener;
  /** Translated events kept for late armings. */
  historyLimit?: number;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2000;

export class PrefixWatcher {
  readonly #o: WatcherOptions;
  #stream: WatchStream | undefined;
  #revision = 0n;
  /** History is complete for revisions above this. */
  #floor = 0n;
  readonly #history: { revision: bigint; event: WatchEvent }[] = [];
  readonly #waiters: { revision: bigint; wake: () => void }[] = [];
  #closed = false;
  #retryMs = RETRY_MIN_MS;
  #retryTimer: Timer | undefined;
  #nextWatchId = 1n;

  constructor(options: WatcherOptions) {
    this.#o = options;
  }

  /** Every event at or below this revision has been delivered. */
  get revision(): bigint {
    return this.#revision;
  }

  /** Starts watching after `revision` (everything up to it counts as processed). */
  start(revision: bigint): void {
    this.#revision = revision;
    this.#floor = revision;
    this.#open();
  }

  /** Resolves once every event up to `revision` has been delivered, or after `maxWaitMs`. */
  reached(revision: bigint, maxWaitMs: number): Promise<void> {
    if (this.#revision >= revision || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        revision,
        wake: () => {
          timer.cancel();
          resolve();
        },
      };
      const timer = this.#o.clock.setTimer(maxWaitMs, () => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        resolve();
      });
      this.#waiters.push(waiter);
    });
  }

  /**
   * Events after `revision` already processed, with their revisions, or undefined when history no
   * longer reaches back that far (the caller re-checks by reading instead).
   */
  historySince(revision: bigint): { revision: bigint; event: WatchEvent }[] | undefined {
    if (revision >= this.#revision) return [];
    if (revision < this.#floor) return undefined;
    return this.#history.filter((h) => h.revision > revision);
  }

  close(): void {
    this.#closed = true;
    this.#retryTimer?.cancel();
    this.#stream?.close();
    this.#stream = undefined;
    for (const w of this.#waiters.splice(0)) w.wake();
  }

  #open(): void {
    if (this.#closed) return;
    const stream = this.#o.api.watch();
    this.#stream = stream;
    const range = this.#o.keys.all();
    const watchId = this.#nextWatchId++;
    stream.create({ key: range.key, rangeEnd: range.rangeEnd, startRevision: this.#revision + 1n, watchId });
    void this.#pump(stream, watchId);
  }

  async #pump(stream: WatchStream, watchId: bigint): Promise<void> {
    try {
      for await (const response of stream.responses) {
        if (this.#closed || stream !== this.#stream) return;
        if (response.watchId !== watchId && response.watchId !== -1n) continue;
        if (response.canceled) {
          if (response.compactRevision > 0n) {
            this.#restart(stream, false);
            void this.#bridge(response.compactRevision - 1n);
          } else {
            this.#o.listener.onError(new Error(`etcd cancelled the watch: ${response.cancelReason}`));
            this.#restart(stream, true);
          }
          return;
        }
        // A watch etcd took (or its events) shows the link works: the next failure retries quickly.
        if (response.created || response.events.length > 0) this.#retryMs = RETRY_MIN_MS;
        this.#deliver(response.events);
      }
      // The stream ended without an error: open it again.
      this.#restart(stream, true);
    } catch (error) {
      if (this.#closed || stream !== this.#stream) return;
      this.#o.listener.onError(error);
      this.#restart(stream, true);
    }
  }

  /** Closes `old`; `reopen`: opens a new stream after the back-off (else the caller reopens it). */
  #restart(old: WatchStream, reopen: boolean): void {
    old.close();
    if (this.#closed || old !== this.#stream) return;
    this.#stream = undefined;
    if (reopen) this.#reopenLater();
  }

  /** Opens a new stream after the current back-off, and backs off further for the next failure. */
  #reopenLater(): void {
    this.#retryTimer = this.#o.clock.setTimer(this.#retryMs, () => this.#open());
    this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
  }

  /**
   * Crosses a compacted gap: the listener re-checks armed watches against the current state before
   * anything else is delivered or released, so their events come before newer events and before any
   * reply showing newer data. The stream then resumes at the compaction revision: the re-check saw
   * those changes already, and the watch table fires each armed watch once.
   */
  async #bridge(revision: bigint): Promise<void> {
    try {
      await this.#o.listener.onGap(revision);
    } catch {
      // The re-check could not read: the next stream meets the compaction again and retries it.
      if (!this.#closed) this.#reopenLater();
      return;
    }
    if (this.#closed) return;
    this.#skipTo(revision);
    this.#open();
  }

  /** Events come in revision order and a revision is never split across responses. */
  #deliver(events: readonly EtcdEvent[]): void {
    let i = 0;
    while (i < events.length) {
      const revision = events[i]!.kv.modRevision;
      let j = i;
      while (j < events.length && events[j]!.kv.modRevision === revision) j++;
      if (revision > this.#revision) this.#process(revision, events.slice(i, j));
      i = j;
    }
  }

  #process(revision: bigint, raw: EtcdEvent[]): void {
    const translated = translate(this.#o.keys, raw);
    for (const event of translated.events) this.#history.push({ revision, event });
    const limit = this.#o.historyLimit ?? 10000;
    if (this.#history.length > limit) {
      const dropped = this.#history.splice(0, this.#history.length - limit);
      this.#floor = dropped[dropped.length - 1]!.revision;
    }
    this.#revision = revision;
    this.#o.listener.onRevision(revision, translated);
    this.#wake();
  }

  #skipTo(revision: bigint): void {
    if (revision <= this.#revision) return;
    this.#revision = revision;
    this.#floor = revision;
    this.#history.length = 0;
    this.#wake();
  }

  #wake(): void {
    const due = this.#waiters.filter((w) => w.revision <= this.#revision);
    if (due.length === 0) return;
    this.#waiters.splice(0, this.#waiters.length, ...this.#waiters.filter((w) => w.revision > this.#revision));
    for (const w of due) w.wake();
  }
}
