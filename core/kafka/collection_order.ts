// The order in which the Scala 2.13 and Java 17 collections Kafka 3.x serialises iterate their keys.
// Jackson writes a map's members in iteration order, so a byte-exact payload needs the same order:
// - a Scala immutable Map of at most 4 entries (Map1..Map4) keeps insertion order; a larger one is
//   a CHAMP trie, iterated by the 5-bit fragments of the improved hash, a node's own entries first;
// - a Scala mutable.HashMap iterates its buckets (improved hash & (length - 1)), each sorted by hash;
// - a Java HashMap iterates its buckets, each in insertion order;
// - java.util.Properties (a ConcurrentHashMap inside, since Java 9) iterates its bins, which a resize
//   splits with ConcurrentHashMap's "last run" rule.
// Facts read from the Scala 2.13 and OpenJDK 17 collection sources; the code is ours.

/** Java's String.hashCode (over UTF-16 code units). */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Keys of a Scala immutable Map built by inserting `keys` in order. */
export function scalaImmutableMapOrder(keys: readonly string[]): string[] {
  if (keys.length <= 4) return [...keys];
  return champOrder(keys.map((key) => ({ key, hash: scalaImprove(javaStringHash(key)) })), 0);
}

function scalaImprove(hcode: number): number {
  let h = (hcode + ~(hcode << 9)) | 0;
  h ^= h >>> 14;
  h = (h + (h << 4)) | 0;
  return (h ^ (h >>> 10)) | 0;
}

function champOrder(entries: readonly { key: string; hash: number }[], shift: number): string[] {
  const byFragment = new Map<number, { key: string; hash: number }[]>();
  for (const e of entries) {
    const fragment = (e.hash >>> shift) & 31;
    const group = byFragment.get(fragment);
    if (group) group.push(e);
    else byFragment.set(fragment, [e]);
  }
  const fragments = [...byFragment.keys()].sort((a, b) => a - b);
  const own: string[] = [];
  const nested: string[] = [];
  for (const f of fragments) {
    const group = byFragment.get(f)!;
    // Equal full hashes would share a collision node; Kafka's key sets never have them.
    if (group.length === 1 || shift >= 30) own.push(...group.map((e) => e.key));
    else nested.push(...champOrder(group, shift + 5));
  }
  return [...own, ...nested];
}

/**
 * Keys of a Scala 2.13 mutable.HashMap whose table starts at `tableLength` (16 for `mutable.Map()`,
 * the size hint of `mutable.Map(k -> v, ...)` otherwise) after inserting `keys`.
 */
export function scalaMutableHashMapOrder(keys: readonly string[], tableLength: number): string[] {
  let length = tableLength;
  let threshold = Math.floor(length * 0.75);
  for (let size = 0; size < keys.length; size++) {
    // mutable.HashMap grows before an insert that would reach the threshold.
    if (size + 1 >= threshold) {
      length *= 2;
      threshold = Math.floor(length * 0.75);
    }
  }
  const mask = length - 1;
  return keys
    .map((key) => {
      const h = javaStringHash(key);
      const hash = h ^ (h >>> 16);
      return { key, bucket: hash & mask, hash };
    })
    .sort((a, b) => a.bucket - b.bucket || a.hash - b.hash)
    .map((e) => e.key);
}

/** Table length of a `mutable.Map(...)` built from `count` literal entries (HashMap.from's size hint). */
export function scalaMutableMapLiteralTable(count: number): number {
  const capacity = Math.floor((count + 1) / 0.75);
  return 2 * highestOneBit(Math.max(capacity - 1, 4));
}

function highestOneBit(n: number): number {
  return 2 ** Math.floor(Math.log2(n));
}

function spread(h: number): number {
  return (h ^ (h >>> 16)) & 0x7fffffff;
}

/** Keys of a java.util.HashMap (default capacity) after inserting `keys` in order. */
export function javaHashMapOrder(keys: readonly string[]): string[] {
  let length = 16;
  while (keys.length > length * 0.75) length *= 2;
  // Resizes keep a bucket's relative order, so a stable sort by final bucket is the iteration order.
  return keys
    .map((key, i) => ({ key, i, bucket: spread(javaStringHash(key)) & (length - 1) }))
    .sort((a, b) => a.bucket - b.bucket || a.i - b.i)
    .map((e) => e.key);
}

/** Keys of a java.util.Properties (Java 9+) after `setProperty` of `keys` in order. */
export function javaPropertiesOrder(keys: readonly string[]): string[] {
  // Properties() holds a ConcurrentHashMap(8): a 16-bin table, resized when the count reaches 3/4.
  let table: { key: string; hash: number }[][] = Array.from({ length: 16 }, () => []);
  let sizeCtl = 12;
  let count = 0;
  for (const key of keys) {
    const hash = spread(javaStringHash(key));
    const bin = table[hash & (table.length - 1)]!;
    if (bin.some((n) => n.key === key)) continue;
    bin.push({ key, hash });
    count++;
    while (count >= sizeCtl) {
      table = concurrentHashMapTransfer(table);
      sizeCtl = table.length - (table.length >>> 2);
    }
  }
  return table.flatMap((bin) => bin.map((n) => n.key));
}

// ConcurrentHashMap.transfer for list bins: the longest tail whose nodes all go the same way moves
// as it is; the nodes before it are pushed, one by one, onto the front of their new bin.
function concurrentHashMapTransfer(table: { key: string; hash: number }[][]): { key: string; hash: number }[][] {
  const n = table.length;
  const next: { key: string; hash: number }[][] = Array.from({ length: 2 * n }, () => []);
  table.forEach((bin, i) => {
    if (bin.length === 0) return;
    let lastRun = 0;
    let runBit = bin[0]!.hash & n;
    for (let k = 1; k < bin.length; k++) {
      const b = bin[k]!.hash & n;
      if (b !== runBit) {
        runBit = b;
        lastRun = k;
      }
    }
    const low: { key: string; hash: number }[] = runBit === 0 ? bin.slice(lastRun) : [];
    const high: { key: string; hash: number }[] = runBit === 0 ? [] : bin.slice(lastRun);
    for (let k = 0; k < lastRun; k++) {
      const node = bin[k]!;
      ((node.hash & n) === 0 ? low : high).unshift(node);
    }
    next[i] = low;
    next[i + n] = high;
  });
  return next;
}
