/** Watch event types, as ZooKeeper numbers them. */
export const EventType = {
  None: -1,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
  DataWatchRemoved: 5,
  ChildWatchRemoved: 6,
  PersistentWatchRemoved: 7,
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** A fired one-shot watch, path relative to the client's chroot. */
export interface WatchEvent {
  type: EventType;
  path: string;
}
