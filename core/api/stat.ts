/** A znode's metadata, all 11 fields of ZooKeeper's Stat; int64 fields are bigint. */
export interface Stat {
  /** zxid of the create. */
  czxid: bigint;
  /** zxid of the last data change. */
  mzxid: bigint;
  /** Milliseconds since the epoch at creation. */
  ctime: bigint;
  /** Milliseconds since the epoch at the last data change. */
  mtime: bigint;
  /** Data version: number of setData calls. */
  version: number;
  /** Children version: child creations plus deletions. */
  cversion: number;
  /** ACL version: number of setACL calls. */
  aversion: number;
  /** Owning session id for ephemerals, a type marker for containers and TTL nodes, else 0. */
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  /** zxid of the last child creation or deletion. */
  pzxid: bigint;
}
