// What a permitted read of an existing node answers, shared by every store that keeps ZooKeeper's tree.
import type { StoreReply } from "../store.ts";
import { statOf, type ZNode } from "./node.ts";
import { type Id, Perms } from "../api/acl.ts";
import { permitted } from "./acl_rules.ts";
import { zooKeeperChildOrder } from "./java_hash_order.ts";

/**
 * The reply to a permitted read of an existing node by `authIds`. As 3.8's getACL: a caller without
 * ADMIN on the node sees each digest id's password hash as "x" (`user:x`). The data is copied unless
 * the node is `owned`: the caller's own, decoded for this read alone.
 */
export function readReply(type: "exists" | "getData" | "getChildren" | "getAcl", node: ZNode, authIds: readonly Id[] = [], owned = false): StoreReply {
  const stat = statOf(node);
  switch (type) {
    case "exists":
      return { resultCode: 0, stat };
    case "getData":
      return { resultCode: 0, data: node.data === null || owned ? node.data : node.data.slice(), stat };
    case "getChildren":
      return { resultCode: 0, children: zooKeeperChildOrder(node.children, node.childCapacity), stat };
    case "getAcl":
    {
      const admin = permitted(node.acl, Perms.Admin, authIds);
      const shown = (id: Id) => (admin || id.scheme !== "digest" ? id.id : id.id.replace(/:.*/g, ":x"));
      return { resultCode: 0, acl: node.acl.map((a) => ({ perms: a.perms, id: { scheme: a.id.scheme, id: shown(a.id) } })), stat };
    }
  }
}
