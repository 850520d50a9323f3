// Number tables of the ZooKeeper 3.8 wire protocol (ZooDefs.OpCode, special xids, watch enums).

/** Request types as they appear in RequestHeader.type and MultiHeader.type. */
export const OpCode = {
  /** Internal marker; a reply with xid -1 is a notification. */
  Notification: 0,
  Create: 1,
  Delete: 2,
  Exists: 3,
  GetData: 4,
  SetData: 5,
  GetAcl: 6,
  SetAcl: 7,
  GetChildren: 8,
  Sync: 9,
  Ping: 11,
  GetChildren2: 12,
  Check: 13,
  Multi: 14,
  Create2: 15,
  Reconfig: 16,
  CheckWatches: 17,
  RemoveWatches: 18,
  CreateContainer: 19,
  DeleteContainer: 20,
  CreateTtl: 21,
  MultiRead: 22,
  Auth: 100,
  SetWatches: 101,
  Sasl: 102,
  GetEphemerals: 103,
  GetAllChildrenNumber: 104,
  SetWatches2: 105,
  AddWatch: 106,
  WhoAmI: 107,
  CreateSession: -10,
  CloseSession: -11,
  /** Marks an ErrorResult inside a multi response. */
  Error: -1,
} as const;
export type OpCode = (typeof OpCode)[keyof typeof OpCode];

/** Reserved xids: requests and replies that are not matched against the pending queue. */
export const Xid = {
  /** Server-sent watch notification; the body is a WatcherEvent. */
  Notification: -1,
  Ping: -2,
  Auth: -4,
  /** setWatches / setWatches2 replayed on reconnect. */
  SetWatches: -8,
} as const;
export type Xid = (typeof Xid)[keyof typeof Xid];

/** Which watches checkWatches / removeWatches address. */
export const WatcherType = {
  Children: 1,
  Data: 2,
  Any: 3,
  Persistent: 4,
  PersistentRecursive: 5,
} as const;
export type WatcherType = (typeof WatcherType)[keyof typeof WatcherType];

/** The mode field of an addWatch request. */
export const AddWatchMode = {
  Persistent: 0,
  PersistentRecursive: 1,
} as const;
export type AddWatchMode = (typeof AddWatchMode)[keyof typeof AddWatchMode];

/** WatcherEvent.state values; servers only ever send SyncConnected, the rest are client-side. */
export const KeeperState = {
  Unknown: -1,
  Disconnected: 0,
  NoSyncConnected: 1,
  SyncConnected: 3,
  AuthFailed: 4,
  ConnectedReadOnly: 5,
  SaslAuthenticated: 6,
  Closed: 7,
  Expired: -112,
} as const;
export type KeeperState = (typeof KeeperState)[keyof typeof KeeperState];
