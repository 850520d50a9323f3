// What a backend provides to run the conformance suite: fresh namespaces and levers over sessions.
import type { KafkaMetastore, MetastoreOptions } from "../../core/mod.ts";

/** A fresh, empty part of a store that one test owns; every client it opens sees the same tree. */
export interface Namespace {
  open(options?: MetastoreOptions): Promise<KafkaMetastore>;
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
  namespace(): Promise<Namespace>;
}
