// Data records shared by requests and responses (zookeeper.jute: Id, ACL, Stat, ClientInfo, WatcherEvent).
import type { ACL, Id } from "../api/acl.ts";
import type { Stat } from "../api/stat.ts";
import { type Codec, int, long, record, ustring } from "./records_codec.ts";

/** One identity a whoAmI reply lists. */
export interface ClientInfo {
  authScheme: string;
  user: string;
}

/** A server-sent watch notification (reply xid -1). */
export interface WatcherEvent {
  /** An EventType value. */
  type: number;
  /** A KeeperState value; servers send SyncConnected. */
  state: number;
  path: string;
}

export const idCodec: Codec<Id> = record({ scheme: ustring, id: ustring });

export const aclCodec: Codec<ACL> = record({ perms: int, id: idCodec });

/** The 68-byte Stat, int64 fields as bigint. */
export const statCodec: Codec<Stat> = record({
  czxid: long,
  mzxid: long,
  ctime: long,
  mtime: long,
  version: int,
  cversion: int,
  aversion: int,
  ephemeralOwner: long,
  dataLength: int,
  numChildren: int,
  pzxid: long,
});

export const clientInfoCodec: Codec<ClientInfo> = record({ authScheme: ustring, user: ustring });

export const watcherEventCodec: Codec<WatcherEvent> = record({ type: int, state: int, path: ustring });
