// What a backend provides to run the conformance suite: fresh namespaces and levers over sessions.
import type { KafkaMetastore, MetastoreOptions } from "../../core/mod.ts";

/** A fresh, empty part of a store that one test owns; every client it opens sees the same tree. */
export interface Namespace {
  open(options?: MetastoreOptions): Promise<KafkaMetastore>;
  /** A client under `chroot` (targets of the whole conformance suite have it), a node of this namespace's tree ("/c": the namespace's /c). */
  openAt?(chroot: string, options?: MetastoreOptions): Promise<KafkaMetastore>;
  /**
   * A client at the root of the whole store, where ZooKeeper's /zookeeper nodes live: the server's
   * root, the memory store's, the etcd prefix's (every namespace's tree is one etcd prefix).
   */
  openRoot?(options?: MetastoreOptions): Promise<KafkaMetastore>;
  /** Expires the client's session from outside, as the server would (ZooKeeper: another client takes over its id). */
  expire(client: KafkaMetastore): Promise<void>;
  /** Cuts the client's link to the store; the returned function restores it. */
  cut(client: KafkaMetastore): Promise<() => Promise<void>>;
  /** Makes the store refuse the client's credentials. */
  failAuth(client: KafkaMetastore): Promise<void>;
  dispose(): Promise<void>;
}

/** A backend under test. */
export interface ConformanceTarget {
  /** "memory", "zk" or "etcd". */
  name: string;
  /**
   * Every request also goes to a real ZooKeeper and is compared there (kmeta serve --oracle): a case
   * where the store documents an answer of its own (etcd's size limits) would only diverge.
   */
  mirrored?: boolean;
  namespace(): Promise<Namespace>;
}
