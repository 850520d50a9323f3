// The order a java.util.HashSet iterates in, which is the order ZooKeeper answers children in (a
// DataNode keeps them in a HashSet<String>(8), copied into the reply's list) and whoAmI's ids.
// Buckets in index order; within a bucket, insertion order (a resize keeps it). Bins turned into
// trees (8 or more names in one bucket of a 64+ table) are not modelled.

/** Java's String.hashCode over UTF-16 code units. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** The table size of a HashMap created with `initial` buckets after it held `size` entries at once. */
export function hashCapacity(size: number, initial: number): number {
  let capacity = initial;
  while (size > capacity * 0.75) capacity *= 2;
  return capacity;
}

/** `items` (in insertion order) as a HashSet of `capacity` buckets iterates them, by `hash`. */
export function javaHashOrder<T>(items: Iterable<T>, hash: (item: T) => number, capacity: number): T[] {
  const mask = capacity - 1;
  const keyed: { item: T; bucket: number; i: number }[] = [];
  let i = 0;
  for (const item of items) {
    const h = hash(item);
    keyed.push({ item, bucket: (h ^ (h >>> 16)) & mask, i: i++ });
  }
  keyed.sort((a, b) => a.bucket - b.bucket || a.i - b.i);
  return keyed.map((k) => k.item);
}

/** A DataNode's children set starts with 8 buckets. */
export const CHILDREN_INITIAL_CAPACITY = 8;

/**
 * Children in the order ZooKeeper lists them. `capacity`: the set's table size, which grows with
 * the most children the node ever held and never shrinks (a store that does not track it passes
 * the size its current children need).
 */
export function zooKeeperChildOrder(children: Set<string>, capacity?: number): string[] {
  if (children.size < 2) return [...children];
  return javaHashOrder(children, javaStringHash, capacity ?? hashCapacity(children.size, CHILDREN_INITIAL_CAPACITY));
}
