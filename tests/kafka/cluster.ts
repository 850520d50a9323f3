// A set of real Kafka brokers (broker.ts) on one ZooKeeper-protocol target, by broker id: started together,
// each killed, paused or restarted on its own data (a restart keeps the broker's log dirs, as a real one).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Broker, startBroker } from "./broker.ts";

export interface ClusterOptions {
  lib: string;
  /** The brokers' PLAINTEXT ports; broker i listens on ports[i]. */
  ports: readonly number[];
  /** host:port[,host:port...]/chroot */
  zookeeperConnect: string;
  sessionTimeoutMs: number;
  heapMb?: number;
}

export interface KafkaCluster {
  /** The running broker of each id (undefined while it is down). */
  readonly brokers: readonly (Broker | undefined)[];
  broker(id: number): Broker;
  /** "127.0.0.1:p0,..." of every broker, for clients' bootstrap lists. */
  readonly bootstrap: string[];
  /** Starts broker `id` on its kept data dir; resolves once it logs "started". */
  start(id: number): Promise<Broker>;
  /** kill -9; resolves when the JVM is gone. */
  kill(id: number): Promise<void>;
  /** Controlled shutdown of every running broker, then the data dirs go. */
  stop(): Promise<void>;
}

export async function startCluster(o: ClusterOptions): Promise<KafkaCluster> {
  const root = mkdtempSync(join(tmpdir(), "kmeta-kafka-cluster-"));
  const brokers: (Broker | undefined)[] = o.ports.map(() => undefined);
  const start = async (id: number) => {
    const b = await startBroker({
      lib: o.lib,
      id,
      port: o.ports[id]!,
      zookeeperConnect: o.zookeeperConnect,
      sessionTimeoutMs: o.sessionTimeoutMs,
      clusterSize: o.ports.length,
      dir: join(root, `b${id}`),
      heapMb: o.heapMb,
    });
    brokers[id] = b;
    void b.exited.then(() => {
      if (brokers[id] === b) brokers[id] = undefined;
    });
    return b;
  };
  const cluster: KafkaCluster = {
    brokers,
    broker(id) {
      const b = brokers[id];
      if (!b) throw new Error(`broker ${id} is not running`);
      return b;
    },
    bootstrap: o.ports.map((p) => `127.0.0.1:${p}`),
    start,
    async kill(id) {
      const b = brokers[id];
      if (!b) return;
      b.signal("SIGKILL");
      await b.exited;
    },
    async stop() {
      await Promise.all(brokers.map((b) => b?.stop(20000)));
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(o.ports.map((_, id) => start(id)));
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}
