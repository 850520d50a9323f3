// zxids from etcd revisions. One etcd Txn has one revision but may commit several writes of a session
// (core/etcd/write_pipeline.ts), each with its own zxid, so a zxid is the revision shifted left by
// SUB_BITS plus the write's index in its Txn ("sub"), stored in the keys it wrote.

/** Bits of a zxid below the revision: the write's index in its Txn. */
export const SUB_BITS = 8n;
/** Writes one Txn may carry (each, failed ones too, takes one sub, as a ZooKeeper write takes a zxid). */
export const MAX_WRITES_PER_TXN: number = 1 << Number(SUB_BITS);

/** Every sub as a bigint, made once: a read derives three zxids per node. */
const SUBS: readonly bigint[] = Array.from({ length: MAX_WRITES_PER_TXN }, (_, i) => BigInt(i));

/** The zxid of the write at index `sub` of the Txn committed at `revision`. */
export function zxidOf(revision: bigint, sub: number): bigint {
  const shifted = revision << SUB_BITS;
  return sub === 0 ? shifted : shifted | (SUBS[sub] ?? BigInt(sub));
}

/** The highest zxid any write at or before `revision` can have: the zxid a read at `revision` has seen. */
export function lastZxidAt(revision: bigint): bigint {
  return zxidOf(revision, MAX_WRITES_PER_TXN - 1);
}

/** The sub of a zxid (0 for 0). */
export function subOf(zxid: bigint): number {
  return Number(zxid & BigInt(MAX_WRITES_PER_TXN - 1));
}
