/** Permission bits of an ACL entry. */
export const Perms = {
  Read: 1,
  Write: 2,
  Create: 4,
  Delete: 8,
  Admin: 16,
  All: 31,
} as const;

/** An authenticated identity: `world:anyone`, `digest:user:hash`, `ip:10.0.0.0/8`, `auth:` ... */
export interface Id {
  scheme: string;
  id: string;
}

/** Credentials as ZooKeeper's addAuth takes them: a scheme and its bytes (digest: `user:password`). */
export interface Credentials {
  scheme: string;
  /** A string goes as its UTF-8 bytes. */
  auth: string | Uint8Array;
}

/** One access-control entry. */
export interface ACL {
  perms: number;
  id: Id;
}

/** Everyone may do everything (ZooKeeper's OPEN_ACL_UNSAFE). */
export const OPEN_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: Perms.All, id: { scheme: "world", id: "anyone" } }]);
/** All permissions for the creator's authenticated ids (ZooKeeper's CREATOR_ALL_ACL). */
export const CREATOR_ALL_ACL: readonly ACL[] = Object.freeze([{ perms: Perms.All, id: { scheme: "auth", id: "" } }]);
/** Everyone may read (ZooKeeper's READ_ACL_UNSAFE). */
export const READ_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: Perms.Read, id: { scheme: "world", id: "anyone" } }]);
