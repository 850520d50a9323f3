// Reads submitted in the same tick (by any session of the store) share Txns of up to `maxOps` range
// ops. A tick is one resolved-promise turn: no timers, so a lone read is never delayed.
import type { RequestOp, ResponseOp, TxnResponse } from "./api.ts";

/** The answer to one group of reads: its own responses and the shared ops' responses, at one revision. */
export interface BatchResult {
  revision: bigint;
  responses: ResponseOp[];
  shared: ResponseOp[];
}

interface Pending {
  ops: RequestOp[];
  resolve(result: BatchResult): void;
  reject(error: unknown): void;
}

export interface BatcherOptions {
  /** Sends one read-only Txn. */
  txn(success: RequestOp[]): Promise<TxnResponse>;
  /** Ops every Txn carries once (e.g. the write marker). */
  shared: RequestOp[];
  /** Ops per Txn, shared ones included (etcd's --max-txn-ops, 128 by default). */
  maxOps: number;
}

export class ReadBatcher {
  readonly #o: BatcherOptions;
  #pending: Pending[] = [];

  constructor(options: BatcherOptions) {
    this.#o = options;
  }

  /** Reads `ops` (kept together in one Txn) with other reads of this tick. */
  read(ops: RequestOp[]): Promise<BatchResult> {
    return new Promise((resolve, reject) => {
      if (this.#pending.length === 0) void Promise.resolve().then(() => this.#flush());
      this.#pending.push({ ops, resolve, reject });
    });
  }

  #flush(): void {
    const pending = this.#pending;
    this.#pending = [];
    const room = this.#o.maxOps - this.#o.shared.length;
    let batch: Pending[] = [];
    let size = 0;
    for (const p of pending) {
      if (batch.length > 0 && size + p.ops.length > room) {
        this.#send(batch);
        batch = [];
        size = 0;
      }
      batch.push(p);
      size += p.ops.length;
    }
    if (batch.length > 0) this.#send(batch);
  }

  #send(batch: Pending[]): void {
    const shared = this.#o.shared;
    this.#o.txn([...shared, ...batch.flatMap((p) => p.ops)]).then(
      (response) => {
        let at = shared.length;
        const sharedResponses = response.responses.slice(0, at);
        for (const p of batch) {
          p.resolve({ revision: response.header.revision, shared: sharedResponses, responses: response.responses.slice(at, at + p.ops.length) });
          at += p.ops.length;
        }
      },
      (error) => {
        for (const p of batch) p.reject(error);
      },
    );
  }
}
