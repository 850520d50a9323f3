// Reads Kafka's znodes with our own zk:// client, the independent reader of what the broker wrote.
import type { KafkaMetastore, Stat } from "../../runtimes/node/mod.ts";
import { ErrorCode } from "../../runtimes/node/mod.ts";

const text = new TextDecoder();

export interface ZNode {
  data: string | null;
  stat: Stat;
}

/** The node's data as text, or null when it does not exist. */
export async function readNode(zk: KafkaMetastore, path: string): Promise<ZNode | null> {
  const r = await zk.handleRequest({ type: "getData", path });
  if (r.resultCode === ErrorCode.NoNode) return null;
  if (r.resultCode !== ErrorCode.Ok) throw new Error(`getData ${path}: code ${r.resultCode}`);
  return { data: r.data === null ? null : text.decode(r.data), stat: r.stat! };
}

/** The node's data parsed as JSON; throws when the node is absent. */
export async function readJson(zk: KafkaMetastore, path: string): Promise<Record<string, unknown>> {
  const n = await readNode(zk, path);
  if (!n || n.data === null) throw new Error(`${path}: ${n ? "no data" : "no node"}`);
  return JSON.parse(n.data);
}

/** Child names sorted (numerically when all are numbers); null when the node does not exist. */
export async function children(zk: KafkaMetastore, path: string): Promise<string[] | null> {
  const r = await zk.handleRequest({ type: "getChildren", path, registerWatch: false });
  if (r.resultCode === ErrorCode.NoNode) return null;
  if (r.resultCode !== ErrorCode.Ok) throw new Error(`getChildren ${path}: code ${r.resultCode}`);
  const numeric = r.children.every((c) => /^\d+$/.test(c));
  return r.children.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
}

export async function exists(zk: KafkaMetastore, path: string): Promise<Stat | null> {
  const r = await zk.handleRequest({ type: "exists", path });
  if (r.resultCode === ErrorCode.NoNode) return null;
  if (r.resultCode !== ErrorCode.Ok) throw new Error(`exists ${path}: code ${r.resultCode}`);
  return r.stat;
}

/** Polls `probe` every 100 ms until it returns a value other than undefined; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `promise`, or a rejection naming `what` after `timeoutMs` (the timer is cleared either way). */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Deletes `path` and everything under it (a run's chroot on the shared test ZooKeeper). */
export async function deleteTree(zk: KafkaMetastore, path: string): Promise<void> {
  for (const c of (await children(zk, path)) ?? []) await deleteTree(zk, `${path}/${c}`);
  const r = await zk.handleRequest({ type: "delete", path, version: -1 });
  if (r.resultCode !== ErrorCode.Ok && r.resultCode !== ErrorCode.NoNode) throw new Error(`delete ${path}: code ${r.resultCode}`);
}

/** Every node under `root` (itself included) with its data, sorted by path. */
export async function walk(zk: KafkaMetastore, root: string): Promise<{ path: string; node: ZNode }[]> {
  const node = await readNode(zk, root);
  if (!node) return [];
  const below = await Promise.all(((await children(zk, root)) ?? []).map((c) => walk(zk, `${root}/${c}`)));
  return [{ path: root, node }, ...below.flat()].sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}
