/**
 * kafka-metastore core: Kafka's ZooKeeperClient contract (`KafkaMetastore`) over ZooKeeper, etcd or
 * an in-process store, written without I/O so it runs in any JavaScript engine. Runtime entries
 * (`kafka-metastore/node`, `/deno`, `/bun`) add sockets and timers and export `connect()`.
 *
 * @example
 * ```ts
 * import { createMemoryStore, createMetastore, CreateMode, OPEN_ACL_UNSAFE } from "kafka-metastore";
 * import { FakeClock } from "kafka-metastore/testing";
 *
 * const clock = new FakeClock();
 * const client = createMetastore({ store: createMemoryStore({ clock }), clock });
 * const created = await client.handleRequest({
 *   type: "create", path: "/brokers", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent,
 * });
 * console.log(created.resultCode, created.name); // 0 "/brokers"
 * await client.close();
 * ```
 * @module
 */
export { ClientClosedError, codeName, type ConnectFailure, ErrorCode, isKeeperError, KeeperError, MetastoreError } from "./errors.ts";
export type { Clock, Timer } from "./clock.ts";
export { CREATOR_ALL_ACL, OPEN_ACL_UNSAFE, Perms, READ_ACL_UNSAFE } from "./api/acl.ts";
export type { ACL, Credentials, Id } from "./api/acl.ts";
export type { Stat } from "./api/stat.ts";
export { CreateMode } from "./api/create_mode.ts";
export { EventType } from "./api/events.ts";
export type { WatchEvent } from "./api/events.ts";
export { pathProblem, validatePath } from "./api/path.ts";
export { ANY_VERSION } from "./api/requests.ts";
export type {
  CreateRequest,
  DeleteRequest,
  ExistsRequest,
  GetAclRequest,
  GetChildrenRequest,
  GetDataRequest,
  MultiRequest,
  Request,
  SetAclRequest,
  SetDataRequest,
  ZkOp,
} from "./api/requests.ts";
export { maybeThrow, resultError } from "./api/responses.ts";
export { jsonReplacer, toJson } from "./api/json.ts";
export type {
  CreateResponse,
  DeleteResponse,
  ExistsResponse,
  GetAclResponse,
  GetChildrenResponse,
  GetDataResponse,
  MultiResponse,
  OpResult,
  Response,
  ResponseFor,
  ResponseMetadata,
  SetAclResponse,
  SetDataResponse,
} from "./api/responses.ts";
export type { StateChangeHandler, ZNodeChangeHandler, ZNodeChildChangeHandler } from "./api/handlers.ts";
export type { ConnectionState, KafkaMetastore, MetastoreOptions } from "./api/metastore.ts";
export type { SessionEvent, SessionListener, SessionOptions, Store, StoreReply, StoreSession } from "./store.ts";
export { createMetastore } from "./client/metastore_client.ts";
export type { MetastoreDeps } from "./client/metastore_client.ts";
export { createMemoryStore } from "./memory/memory_store.ts";
export type { DumpedNode, MemoryStore, MemoryStoreOptions } from "./memory/memory_store.ts";
export { createEtcdStore, leaseTtlSeconds } from "./etcd/etcd_store.ts";
export type { EtcdStoreOptions } from "./etcd/etcd_store.ts";
export { EtcdError } from "./errors.ts";
export type {
  Compare as EtcdCompare,
  EtcdApi,
  KeyValue as EtcdKeyValue,
  RequestOp as EtcdRequestOp,
  ResponseOp as EtcdResponseOp,
  TxnRequest as EtcdTxnRequest,
  TxnResponse as EtcdTxnResponse,
  WatchEvent as EtcdWatchEvent,
  WatchResponse as EtcdWatchResponse,
  WatchStream as EtcdWatchStream,
} from "./etcd/api.ts";
export { GrpcCode } from "./etcd/api.ts";
export { createZooKeeperStore } from "./zk/zk_store.ts";
export { zooKeeperStores } from "./zk_stores.ts";
export type {
  ZooKeeperAuth,
  ZooKeeperConnectOptions,
  ZooKeeperSession,
  ZooKeeperSessionOptions,
  ZooKeeperStore,
  ZooKeeperStoreOptions,
} from "./zk/zk_store.ts";
export type { SessionCredentials } from "./zk/session.ts";
export { parseConnectString } from "./connect_string.ts";
export type { ConnectString, HostPort, StoreScheme } from "./connect_string.ts";
export { connectWith } from "./connect.ts";
export type {
  ConnectOptions,
  EtcdConnectOptions,
  EtcdFetch,
  EtcdFetchBodyReader,
  EtcdFetchInit,
  EtcdFetchResponse,
  Runtime,
  StoreFactory,
} from "./connect.ts";
export type { ByteChannel, Dial, TlsOptions } from "./transport.ts";
