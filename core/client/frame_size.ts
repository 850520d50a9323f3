// How large a request is on ZooKeeper's wire, so every store refuses what a ZooKeeper server cannot
// take: a request frame whose body (header included) passes its jute.maxbuffer.
import type { ACL } from "../api/acl.ts";
import type { Request, ZkOp } from "../api/requests.ts";
import { isTtl } from "../api/create_mode.ts";
import { javaUtf8Length } from "../zk/utf8.ts";

/** A ZooKeeper server's default jute.maxbuffer (0xFFFFF): the largest request frame body it reads. */
export const MAX_REQUEST_FRAME_BYTES = 0xfffff;

const INT = 4;
const HEADER = INT + INT; // xid, op code
const MULTI_HEADER = INT + 1 + INT; // type, done, err

const ustring = (s: string) => INT + javaUtf8Length(s);
const buffer = (b: Uint8Array | null) => INT + (b?.length ?? 0);
const acls = (acl: readonly ACL[]) => acl.reduce((n, a) => n + INT + ustring(a.id.scheme) + ustring(a.id.id), INT);

function bodyBytes(op: Request | ZkOp): number {
  switch (op.type) {
    case "create":
      return ustring(op.path) + buffer(op.data) + acls(op.acl) + INT + (isTtl(op.mode) ? 8 : 0);
    case "delete":
    case "check":
      return ustring(op.path) + INT;
    case "setData":
      return ustring(op.path) + buffer(op.data) + INT;
    case "setAcl":
      return ustring(op.path) + acls(op.acl) + INT;
    case "getAcl":
      return ustring(op.path);
    case "exists":
    case "getData":
    case "getChildren":
      return ustring(op.path) + 1;
    case "multi":
      return op.ops.reduce((n, o) => n + MULTI_HEADER + bodyBytes(o), MULTI_HEADER);
  }
}

/** The frame body a ZooKeeper client sends for `request` (paths as the store sees them). */
export function requestFrameBytes(request: Request): number {
  return HEADER + bodyBytes(request);
}
