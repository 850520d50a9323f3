// The reads a write Txn still in flight will leave behind if it commits at a predicted revision: what
// lets a session plan its next batch before etcd answered the last one (write_pipeline.ts). Every
// key the next Txn's plan reads is then guarded at the predicted revision, so a wrong prediction
// (another write came between, or the Txn failed) only makes that Txn fail.
import type { KeyValue, RequestOp } from "./api.ts";
import type { KeyLayout } from "./keys.ts";
import { type LoadedPath, type ReadWant, serves } from "./snapshot.ts";
import { parentOf } from "../api/path.ts";

/** `kv` after a put at `revision` (etcd keeps create_revision and counts versions until a delete). */
function putAt(kv: KeyValue | undefined, key: Uint8Array, value: Uint8Array, lease: bigint, revision: bigint): KeyValue {
  return { key, value, lease, modRevision: revision, createRevision: kv?.createRevision ?? revision, version: (kv?.version ?? 0n) + 1n };
}

/**
 * Applies a Txn's success ops to `paths` (changed in place) as etcd would at `revision`: node and
 * children keys, and the child counts and names of parents that were read. Paths not read stay
 * unread (a sequential create's new name), but still count as their parent's children.
 */
export function applyPredicted(keys: KeyLayout, paths: Map<string, LoadedPath>, ops: readonly RequestOp[], revision: bigint): void {
  const childChanged = (path: string, added: boolean) => {
    if (path === "/") return;
    const parent = paths.get(parentOf(path));
    if (!parent || parent.want === "node") return;
    const name = path.slice(path.lastIndexOf("/") + 1);
    const names = parent.names && (added ? [...parent.names, name] : parent.names.filter((n) => n !== name));
    paths.set(parentOf(path), { ...parent, childCount: parent.childCount + (added ? 1 : -1), names });
  };
  for (const op of ops) {
    const put = "put" in op ? op.put : undefined;
    const key = put?.key ?? ("deleteRange" in op ? op.deleteRange.key : undefined);
    if (!key) continue;
    const parsed = keys.parse(key);
    if (parsed.kind !== "node" && parsed.kind !== "children") continue;
    const loaded = paths.get(parsed.path);
    if (parsed.kind === "children") {
      if (loaded && loaded.want !== "node") {
        paths.set(parsed.path, { ...loaded, children: put ? putAt(loaded.children, key, put.value, 0n, revision) : undefined });
      }
      continue;
    }
    const existed = loaded ? loaded.node !== undefined : !put; // unread: a sequential create's new name
    if (loaded) {
      const node = put ? putAt(loaded.node, key, put.value, put.lease ?? 0n, revision) : undefined;
      // A node created here has no children and no children key (an absent node never has one), so
      // it is known as widely as a read for its names would know it.
      const fresh = put && !existed;
      paths.set(parsed.path, fresh ? { want: "names", node, children: undefined, childCount: 0, names: [] } : { ...loaded, node });
    }
    if (existed !== (put !== undefined)) childChanged(parsed.path, put !== undefined);
  }
}

/** `paths` as read for each of `wants`, or undefined when one was not read (or not widely enough). */
export function project(paths: ReadonlyMap<string, LoadedPath>, wants: ReadonlyMap<string, ReadWant>): Map<string, LoadedPath> | undefined {
  const out = new Map<string, LoadedPath>();
  for (const [path, want] of wants) {
    const loaded = paths.get(path);
    if (!loaded || !serves(loaded.want, want)) return undefined;
    out.set(path, loaded);
  }
  return out;
}
