// The writes of every session of one store go through one lane, as every write of a ZooKeeper
// ensemble goes through its leader: the sessions' queued writes are merged, round-robin so that no
// session waits behind another's burst and each one's stay in its order, and committed together
// (write_pipeline.ts). Sessions of one store writing under the same parents would otherwise race
// each other's guarded Txns on the parents' counters and mostly lose; merged, they share Txns, and
// only writers in other processes still race (and retry on their guards).
import type { Committed, WriteCore } from "./write_pipeline.ts";
import type { Write } from "./plan.ts";
import { commitWrites } from "./write_pipeline.ts";
import { classify } from "./failures.ts";

/** Writes one round merges: a little more than one commitWrites call can commit (its Txns in flight). */
const ROUND_WRITES = 1024;

interface Call {
  readonly writes: readonly Write[];
  /** Writes answered so far. */
  done: number;
  readonly committed: (batch: Committed) => void;
  readonly resolve: (outcome: { error?: unknown }) => void;
}

export class WriteLane {
  readonly #core: WriteCore;
  #queue: Call[] = [];
  #running = false;

  constructor(core: WriteCore) {
    this.#core = core;
  }

  /**
   * Commits `writes` (one session's, in order) with the other sessions' queued writes: `committed`
   * gets their replies batch by batch, in order. Settles once all are answered, or with the error
   * that ended them: etcd refused the first unanswered one, or the outcome of it and every later one
   * is unknown (as commitWrites reports).
   */
  commit(writes: readonly Write[], committed: (batch: Committed) => void): Promise<{ error?: unknown }> {
    return new Promise((resolve) => {
      this.#queue.push({ writes, done: 0, committed, resolve });
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    while (this.#queue.length > 0) {
      const calls = this.#queue;
      this.#queue = [];
      const left = await this.#round(calls);
      this.#queue = [...left, ...this.#queue];
    }
    this.#running = false;
  }

  /** One commitWrites call over the calls' next writes; returns the calls with writes left to go. */
  async #round(calls: readonly Call[]): Promise<Call[]> {
    const writes: Write[] = [];
    const owners: Call[] = [];
    for (let k = 0, more = true; more && writes.length < ROUND_WRITES; k++) {
      more = false;
      for (const call of calls) {
        const write = call.writes[call.done + k];
        if (!write || writes.length === ROUND_WRITES) continue;
        writes.push(write);
        owners.push(call);
        more = true;
      }
    }
    let answered = 0;
    const committed = ({ replies, revision }: Committed) => {
      for (let i = 0; i < replies.length;) {
        const owner = owners[answered + i]!;
        let j = i + 1;
        while (j < replies.length && owners[answered + j] === owner) j++;
        owner.done += j - i;
        owner.committed({ replies: replies.slice(i, j), revision });
        i = j;
      }
      answered += replies.length;
    };
    let outcome: { error?: unknown };
    try {
      outcome = await commitWrites(this.#core, writes, committed);
    } catch (e) {
      outcome = { error: e };
    }
    const unfinished = calls.filter((call) => call.done < call.writes.length);
    for (const call of calls) if (call.done === call.writes.length) call.resolve({});
    if (!("error" in outcome)) return unfinished;
    const kind = classify(outcome.error);
    if (kind === "too-large" || kind === "other") {
      // etcd refused the first unanswered write alone; the others go on.
      const owner = owners[answered]!;
      owner.resolve(outcome);
      return unfinished.filter((call) => call !== owner);
    }
    if (kind === "expired" && unfinished.length > 1) {
      // A lease not found refuses the whole Txn, and says not whose: each session alone, then.
      const left: Call[] = [];
      for (const call of unfinished) left.push(...await this.#round([call]));
      return left;
    }
    // Unknown outcomes (or etcd's credentials refused): every write still to be answered fails.
    for (const call of unfinished) call.resolve(outcome);
    return [];
  }
}
