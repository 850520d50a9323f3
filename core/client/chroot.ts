// A chroot is applied on the client, as ZooKeeper's client does: every backend sees absolute paths.
import type { Request, ZkOp } from "../api/requests.ts";
import { isSequential } from "../api/create_mode.ts";

/** Maps client paths under a chroot to store paths and back. */
export interface Chroot {
  toStore(path: string): string;
  /** The client path of a store path, or undefined when it lies outside the chroot. */
  fromStore(path: string): string | undefined;
  request(request: Request): Request;
  /**
   * Whether the store must not see `request` at all: under a chroot, a sequential create of "/"
   * would name a sibling of the chroot, outside it. The client answers BadArguments instead.
   */
  escapes(request: Request): boolean;
}

/** A chroot at `root` ("/" for none). */
export function createChroot(root: string): Chroot {
  if (root === "/") {
    return { toStore: (p) => p, fromStore: (p) => p, request: (r) => r, escapes: () => false };
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
      // As Java's ZooKeeper.delete: "/" stays "/" (the store answers BadArguments), never the chroot node.
      if (request.type === "delete" && request.path === "/") return request;
      return { ...request, path: toStore(request.path) };
    },
    escapes: (request) => request.type === "create" && request.path === "/" && isSequential(request.mode),
  };
}
