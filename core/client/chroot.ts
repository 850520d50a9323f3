// A chroot is applied on the client, as ZooKeeper's client does: every backend sees absolute paths.
import type { Request, ZkOp } from "../api/requests.ts";

/** Maps client paths under a chroot to store paths and back. */
export interface Chroot {
  toStore(path: string): string;
  /** The client path of a store path, or undefined when it lies outside the chroot. */
  fromStore(path: string): string | undefined;
  request(request: Request): Request;
}

/** A chroot at `root` ("/" for none). */
export function createChroot(root: string): Chroot {
  if (root === "/") {
    return { toStore: (p) => p, fromStore: (p) => p, request: (r) => r };
  }
  const toStore = (path: string) => (path === "/" ? root : root + path);
  const fromStore = (path: string) => {
    if (path === root) return "/";
    return path.startsWith(root + "/") ? path.slice(root.length) : undefined;
  };
  return {
    toStore,
    fromStore,
    request(request) {
      if (request.type === "multi") {
        return { ...request, ops: request.ops.map((op): ZkOp => ({ ...op, path: toStore(op.path) })) };
      }
      return { ...request, path: toStore(request.path) };
    },
  };
}
