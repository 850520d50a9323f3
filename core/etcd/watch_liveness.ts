// Whether a watch that arrives over one long HTTP/1.1 response (etcd's JSON gateway) still delivers.
// Nothing pings such a response, so a connection that died silently looks exactly like a quiet
// watch. While the watch is quiet, the driver asks etcd whether the watched range changed after the
// last event delivered (a Range with min_mod_revision); if it did and the stream still has not
// delivered it after a grace period, the stream is dead: resume it from that revision. A change
// that only deletes keys (a lease ending) is invisible to a Range: it is found with the next put.
// Pure: times come in as arguments; runtimes/common/etcd/gateway_watch.ts does the I/O.
//
// States: listening (next probe due `quietMs` after the last answer or probe) -> probing (a probe
// in flight, nothing due) -> listening again when the range did not change, or suspect (the range
// changed after `revision`) -> listening once the stream delivers past it, or "resume" when
// `graceMs` pass first. A probe that reached no etcd at all also means "resume": the watch's
// connection is most likely as dead as the probe's.

/** What the driver must do now. */
export type LivenessAction =
  /** Count the range's keys modified after `afterRevision`, then report with probed(). */
  | { kind: "probe"; afterRevision: bigint }
  /** Abort the watch's request and open it again from `fromRevision`. */
  | { kind: "resume"; fromRevision: bigint };

/** How a probe ended. */
export type ProbeResult = "changed" | "unchanged" | "unreachable";

export interface LivenessOptions {
  /** How long the stream may be quiet before a probe; also the time between probes. */
  quietMs: number;
  /** How long a change the probe saw may take to arrive on the stream. */
  graceMs: number;
}

export class WatchLiveness {
  readonly #quietMs: number;
  readonly #graceMs: number;
  #revision: bigint;
  /** When the stream last answered or a probe last came back, whichever is later. */
  #since: number;
  #probing = false;
  #suspect: { at: number; revision: bigint } | undefined;
  #lost = false;

  /** Starts listening at `at`, with every event up to `revision` delivered. */
  constructor(options: LivenessOptions, at: number, revision: bigint) {
    this.#quietMs = options.quietMs;
    this.#graceMs = options.graceMs;
    this.#since = at;
    this.#revision = revision;
  }

  /** Every event of the watched range up to this revision was delivered. */
  get revision(): bigint {
    return this.#revision;
  }

  /** The stream answered at `at`; `revision` is the highest event revision in the answer (0 for none). */
  heard(at: number, revision: bigint): void {
    this.#since = Math.max(this.#since, at);
    if (revision > this.#revision) this.#revision = revision;
    if (this.#suspect && this.#revision > this.#suspect.revision) this.#suspect = undefined;
  }

  /** The probe for `afterRevision` (from tick()) came back at `at`. */
  probed(at: number, afterRevision: bigint, result: ProbeResult): void {
    this.#probing = false;
    this.#since = Math.max(this.#since, at);
    if (result === "unreachable") this.#lost = true;
    // A change the stream delivered while the probe was out proves nothing.
    else if (result === "changed" && this.#revision <= afterRevision) this.#suspect = { at, revision: afterRevision };
  }

  /** What is due at `at`, if anything. After a "resume" this object is spent: start a new one. */
  tick(at: number): LivenessAction | undefined {
    if (this.#lost || (this.#suspect && at - this.#suspect.at >= this.#graceMs)) {
      return { kind: "resume", fromRevision: this.#revision + 1n };
    }
    if (this.#probing || this.#suspect || at - this.#since < this.#quietMs) return undefined;
    this.#probing = true;
    return { kind: "probe", afterRevision: this.#revision };
  }

  /** When tick() has something to do next; undefined while a probe is out. */
  deadline(): number | undefined {
    if (this.#lost) return this.#since;
    if (this.#suspect) return this.#suspect.at + this.#graceMs;
    return this.#probing ? undefined : this.#since + this.#quietMs;
  }
}
