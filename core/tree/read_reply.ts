// What a permitted read of an existing node answers, shared by every store that keeps ZooKeeper's tree.
import type { StoreReply } from "../store.ts";
import { statOf, type ZNode } from "./node.ts";

/** The reply to a permitted read of an existing node. */
export function readReply(type: "exists" | "getData" | "getChildren" | "getAcl", node: ZNode): StoreReply {
  const stat = statOf(node);
  switch (type) {
    case "exists":
      return { resultCode: 0, stat };
    case "getData":
      return { resultCode: 0, data: node.data === null ? null : node.data.slice(), stat };
    case "getChildren":
      return { resultCode: 0, children: [...node.children], stat };
    case "getAcl":
      return { resultCode: 0, acl: node.acl.map((a) => ({ perms: a.perms, id: { ...a.id } })), stat };
  }
}
