// An in-memory etcd v3 behind EtcdApi: enough of etcd's semantics (revisions, Txn compares and their
// limits, leases, one-revision lease revocation, watches with history and compaction) to test the
// etcd store without a server, in any JavaScript engine.
import type {
  Compare,
  EtcdApi,
  KeyValue,
  LeaseGrantResponse,
  LeaseKeepAliveResponse,
  LeaseTimeToLiveResponse,
  RangeRequest,
  RangeResponse,
  ResponseHeader,
  ResponseOp,
  TxnRequest,
  TxnResponse,
  WatchCreateRequest,
  WatchEvent,
  WatchResponse,
  WatchStream,
} from "../etcd/api.ts";
import { GrpcCode } from "../etcd/api.ts";
import { EtcdError } from "../errors.ts";

// Keys as binary strings: their code-unit order is the bytes' order.
const str = (b: Uint8Array): string => String.fromCharCode(...b);
const inRange = (k: string, key: string, end: string | undefined): boolean =>
  end === undefined ? k === key : end === "\u0000" ? k >= key : k >= key && k < end;

interface Watcher {
  key: string;
  end: string | undefined;
  id: bigint;
  push(r: WatchResponse): void;
}

/** The fake server; `api()` hands out clients (each may be "cut" on its own). */
export class FakeEtcd {
  revision = 1n;
  compacted = 0n;
  maxTxnOps = 128;
  readonly #kv = new Map<string, KeyValue>();
  readonly #history: WatchEvent[] = [];
  readonly #leases = new Map<bigint, bigint>();
  readonly #watchers = new Set<Watcher>();
  #nextLease = 0x1000n;

  header(): ResponseHeader {
    return { clusterId: 1n, memberId: 1n, revision: this.revision, raftTerm: 1n };
  }

  /** A client; `down()` makes its calls fail as an unreachable server, `up()` restores it. */
  api(): EtcdApi & { down(): void; up(): void } {
    let down = false;
    const streams = new Set<{ fail(): void }>();
    const call = <T>(fn: () => T): Promise<T> =>
      down ? Promise.reject(new EtcdError(GrpcCode.Unavailable, "connection refused")) : new Promise((resolve) => resolve(fn()));
    return {
      range: (r) => call(() => this.#range(r)),
      txn: (r) => call(() => this.txn(r)),
      leaseGrant: (ttl) => call(() => this.#grant(ttl)),
      leaseRevoke: (id) => call(() => this.revoke(id)),
      leaseKeepAlive: (id) => call((): LeaseKeepAliveResponse => ({ header: this.header(), id, ttl: this.#leases.get(id) ?? 0n })),
      leaseTimeToLive: (id, keys) => call(() => this.#timeToLive(id, keys ?? false)),
      watch: () => {
        const s = this.#stream(() => down);
        streams.add(s);
        return s;
      },
      close: () => Promise.resolve(),
      down: () => {
        down = true;
        for (const s of streams) s.fail();
        streams.clear();
      },
      up: () => void (down = false),
    };
  }

  /** Ends a lease as its TTL would: its keys go in one revision. */
  revoke(id: bigint): void {
    if (!this.#leases.delete(id)) throw new EtcdError(GrpcCode.NotFound, "etcdserver: requested lease not found");
    const doomed = [...this.#kv.values()].filter((kv) => kv.lease === id);
    if (doomed.length === 0) return;
    this.revision++;
    this.#commit(doomed.map((kv) => this.#delete(kv)));
  }

  /** Drops history up to `revision`: watches starting at or before it are cancelled as compacted. */
  compact(revision: bigint): void {
    this.compacted = revision;
    this.#history.splice(0, this.#history.findIndex((e) => e.kv.modRevision > revision) >>> 0);
  }

  #timeToLive(id: bigint, withKeys: boolean): LeaseTimeToLiveResponse {
    const ttl = this.#leases.get(id);
    const keys = withKeys ? [...this.#kv.values()].filter((kv) => kv.lease === id).map((kv) => kv.key) : [];
    return { header: this.header(), id, ttl: ttl ?? -1n, grantedTtl: ttl ?? 0n, keys };
  }

  keys(): string[] {
    return [...this.#kv.keys()].sort();
  }

  #grant(ttl: bigint): LeaseGrantResponse {
    const id = this.#nextLease++;
    this.#leases.set(id, ttl);
    return { header: this.header(), id, ttl };
  }

  #range(r: RangeRequest): RangeResponse {
    const key = str(r.key);
    const end = r.rangeEnd && str(r.rangeEnd);
    const kvs = [...this.#kv.entries()].filter(([k]) => inRange(k, key, end)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([, kv]) => kv);
    const limited = r.limit !== undefined && r.limit > 0n ? kvs.slice(0, Number(r.limit)) : kvs;
    const out = r.countOnly ? [] : limited.map((kv) => (r.keysOnly ? { ...kv, value: new Uint8Array(0) } : { ...kv }));
    return { header: this.header(), kvs: out, more: limited.length < kvs.length, count: BigInt(kvs.length) };
  }

  #compare(c: Compare): boolean {
    const key = str(c.key);
    const end = c.rangeEnd && str(c.rangeEnd);
    const kvs = [...this.#kv.entries()].filter(([k]) => inRange(k, key, end)).map(([, kv]) => kv);
    const zero: KeyValue = { key: c.key, createRevision: 0n, modRevision: 0n, version: 0n, value: new Uint8Array(0), lease: 0n };
    if (kvs.length === 0) {
      if (c.target === "value") return false;
      kvs.push(zero);
    }
    return kvs.every((kv) => {
      const actual = { version: kv.version, create: kv.createRevision, mod: kv.modRevision, lease: kv.lease, value: 0n }[c.target];
      let cmp: number;
      if (c.target === "value") {
        const a = str(kv.value);
        const b = str(c.operand as Uint8Array);
        cmp = a < b ? -1 : a > b ? 1 : 0;
      } else {
        cmp = actual < (c.operand as bigint) ? -1 : actual > (c.operand as bigint) ? 1 : 0;
      }
      return { equal: cmp === 0, notEqual: cmp !== 0, greater: cmp > 0, less: cmp < 0 }[c.result];
    });
  }

  txn(r: TxnRequest): TxnResponse {
    if (r.compare.length > this.maxTxnOps || r.success.length > this.maxTxnOps || r.failure.length > this.maxTxnOps) {
      throw new EtcdError(GrpcCode.InvalidArgument, "etcdserver: too many operations in txn request");
    }
    for (const branch of [r.success, r.failure]) {
      const written = new Set<string>();
      for (const op of branch) {
        const k = "put" in op ? str(op.put.key) : "deleteRange" in op ? str(op.deleteRange.key) : undefined;
        if (k === undefined) continue;
        if (written.has(k)) throw new EtcdError(GrpcCode.InvalidArgument, "etcdserver: duplicate key given in txn request");
        written.add(k);
      }
    }
    const succeeded = r.compare.every((c) => this.#compare(c));
    const ops = succeeded ? r.success : r.failure;
    for (const op of ops) {
      if ("put" in op && op.put.lease && !this.#leases.has(op.put.lease)) {
        throw new EtcdError(GrpcCode.NotFound, "etcdserver: requested lease not found");
      }
    }
    const writes = ops.some((op) => "put" in op || "deleteRange" in op);
    if (writes) this.revision++;
    const events: WatchEvent[] = [];
    const responses = ops.map((op): ResponseOp => {
      if ("range" in op) return { range: this.#range(op.range) };
      if ("put" in op) {
        const k = str(op.put.key);
        const old = this.#kv.get(k);
        const kv: KeyValue = {
          key: op.put.key.slice(),
          value: op.put.value.slice(),
          createRevision: old?.createRevision ?? this.revision,
          modRevision: this.revision,
          version: (old?.version ?? 0n) + 1n,
          lease: op.put.lease ?? 0n,
        };
        this.#kv.set(k, kv);
        events.push({ type: "put", kv });
        return { put: { header: this.header() } };
      }
      if ("deleteRange" in op) {
        const key = str(op.deleteRange.key);
        const end = op.deleteRange.rangeEnd && str(op.deleteRange.rangeEnd);
        const doomed = [...this.#kv.entries()].filter(([k]) => inRange(k, key, end)).map(([, kv]) => kv);
        for (const kv of doomed) events.push(this.#delete(kv));
        return { deleteRange: { header: this.header(), deleted: BigInt(doomed.length), prevKvs: [] } };
      }
      return { txn: this.txn(op.txn) };
    });
    if (events.length > 0) this.#commit(events);
    return { header: this.header(), succeeded, responses };
  }

  #delete(kv: KeyValue): WatchEvent {
    this.#kv.delete(str(kv.key));
    return { type: "delete", kv: { key: kv.key, createRevision: 0n, modRevision: this.revision, version: 0n, value: new Uint8Array(0), lease: 0n } };
  }

  #commit(events: WatchEvent[]): void {
    this.#history.push(...events);
    for (const w of this.#watchers) {
      const mine = events.filter((e) => inRange(str(e.kv.key), w.key, w.end));
      if (mine.length > 0) w.push({ header: this.header(), watchId: w.id, created: false, canceled: false, compactRevision: 0n, cancelReason: "", events: mine });
    }
  }

  #stream(isDown: () => boolean): WatchStream & { fail(): void } {
    const queue: (WatchResponse | Error)[] = [];
    let wake: (() => void) | undefined;
    let closed = false;
    const mine = new Set<Watcher>();
    const push = (r: WatchResponse | Error) => {
      queue.push(r);
      wake?.();
    };
    const end = () => {
      for (const w of mine) this.#watchers.delete(w);
    };
    return {
      create: (r: WatchCreateRequest) => {
        if (isDown()) return push(new EtcdError(GrpcCode.Unavailable, "connection refused"));
        const id = r.watchId ?? 0n;
        const start = r.startRevision ?? this.revision + 1n;
        if (start > 0n && start <= this.compacted) {
          push({ header: this.header(), watchId: id, created: true, canceled: false, compactRevision: 0n, cancelReason: "", events: [] });
          return push({ header: this.header(), watchId: id, created: false, canceled: true, compactRevision: this.compacted + 1n, cancelReason: "compacted", events: [] });
        }
        const w: Watcher = { key: str(r.key), end: r.rangeEnd && str(r.rangeEnd), id, push };
        push({ header: this.header(), watchId: id, created: true, canceled: false, compactRevision: 0n, cancelReason: "", events: [] });
        const past = this.#history.filter((e) => e.kv.modRevision >= start && inRange(str(e.kv.key), w.key, w.end));
        if (past.length > 0) push({ header: this.header(), watchId: id, created: false, canceled: false, compactRevision: 0n, cancelReason: "", events: past });
        mine.add(w);
        this.#watchers.add(w);
      },
      cancel: () => end(),
      close: () => {
        closed = true;
        end();
        wake?.();
      },
      fail: () => push(new EtcdError(GrpcCode.Unavailable, "connection reset")),
      responses: {
        [Symbol.asyncIterator]: async function* () {
          for (;;) {
            const next = queue.shift();
            if (next instanceof Error) {
              end();
              throw next;
            }
            if (next) {
              yield next;
              continue;
            }
            if (closed) return;
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
          }
        },
      },
    };
  }
}
