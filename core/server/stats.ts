// Counters a server keeps for `srvr`/`mntr` and for its Prometheus metrics.
import { OpCode } from "../zk/opcodes.ts";

/** Upper bounds (ms) of the latency histogram's buckets. */
export const LATENCY_BUCKETS_MS: readonly number[] = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

const OP_NAMES: Map<number, string> = new Map(Object.entries(OpCode).map(([name, code]) => [code, name]));

/** Requests by op, packets, latency. */
export class ServerStats {
  packetsReceived = 0;
  packetsSent = 0;
  watchEvents = 0;
  readonly requests: Map<string, number> = new Map();
  /** Cumulative counts per bucket of LATENCY_BUCKETS_MS, then +Inf. */
  readonly latencyBuckets: number[] = new Array(LATENCY_BUCKETS_MS.length + 1).fill(0);
  latencyCount = 0;
  latencySumMs = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;

  count(opCode: number): void {
    const name = OP_NAMES.get(opCode) ?? `op${opCode}`;
    this.requests.set(name, (this.requests.get(name) ?? 0) + 1);
  }

  latency(ms: number): void {
    this.latencyCount++;
    this.latencySumMs += ms;
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
    for (let i = 0; i <= LATENCY_BUCKETS_MS.length; i++) {
      if (i === LATENCY_BUCKETS_MS.length || ms <= LATENCY_BUCKETS_MS[i]!) this.latencyBuckets[i]!++;
    }
  }

  /** Whole milliseconds, as `srvr` prints them. */
  latencySummary(): { min: number; avg: number; max: number } {
    if (this.latencyCount === 0) return { min: 0, avg: 0, max: 0 };
    return { min: Math.floor(this.#min), avg: this.latencySumMs / this.latencyCount, max: Math.ceil(this.#max) };
  }
}
