// The stores the differential test compares, opened the way connect() opens them.
import process from "node:process";
import { createMemoryStore, parseConnectString, type Store } from "../../core/mod.ts";
import { zooKeeperStores } from "../../core/zk_stores.ts";
import { etcdStores } from "../../runtimes/common/etcd_stores.ts";
import { systemClock } from "../../runtimes/common/system_clock.ts";
import { dial } from "../../runtimes/node/tcp.ts";

/** A store under test and the path every sequence runs beneath (created fresh by the runner). */
export interface StoreUnderTest {
  name: string;
  open(): Store;
}

function required(variable: string): string {
  const value = process.env[variable];
  if (!value) throw new Error(`${variable} is not set: the differential test needs the real server (scripts/test.sh starts it)`);
  return value;
}

/** memory (the reference model), real ZooKeeper 3.8, and etcd under ZooKeeper semantics. */
export function storesUnderTest(): StoreUnderTest[] {
  const zk = parseConnectString(`zk://${required("KMETA_ZK")}`);
  const etcd = parseConnectString(`etcd://${required("KMETA_ETCD")}`);
  const zkStores = zooKeeperStores({ dial, clock: systemClock, random: Math.random });
  const etcdStore = etcdStores(systemClock);
  return [
    { name: "zookeeper", open: () => zkStores(zk, {}) },
    { name: "memory", open: () => createMemoryStore({ clock: systemClock }) },
    { name: "etcd", open: () => etcdStore(etcd, {}) },
  ];
}
