// Data records shared by requests and responses (zookeeper.jute: Id, ACL, Stat, ClientInfo, WatcherEvent).
import type { ACL, Id } from "../api/acl.ts";
import type { Stat } from "../api/stat.ts";
import { type Codec, int, record, ustring } from "./records_codec.ts";

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

/**
 * The 68-byte Stat, int64 fields as bigint. Written out rather than made by record(), as it is in
 * most replies and an object literal reads in about half the time.
 */
export const statCodec: Codec<Stat> = {
  write(w, s) {
    w.long(s.czxid).long(s.mzxid).long(s.ctime).long(s.mtime).int(s.version).int(s.cversion).int(s.aversion);
    w.long(s.ephemeralOwner).int(s.dataLength).int(s.numChildren).long(s.pzxid);
  },
  read: (r) => ({
    czxid: r.long(),
    mzxid: r.long(),
    ctime: r.long(),
    mtime: r.long(),
    version: r.int(),
    cversion: r.int(),
    aversion: r.int(),
    ephemeralOwner: r.long(),
    dataLength: r.int(),
    numChildren: r.int(),
    pzxid: r.long(),
  }),
};

export const clientInfoCodec: Codec<ClientInfo> = record({ authScheme: ustring, user: ustring });

export const watcherEventCodec: Codec<WatcherEvent> = record({ type: int, state: int, path: ustring });
