// What Kafka brokers run on, chosen by name (KMETA_KAFKA_TARGETS, comma-separated, in order; the first three by default):
//   zookeeper  the real ZooKeeper 3.8 of KMETA_ZK (always first: the reference the others must equal)
//   memory     one `kmeta serve --store memory://` process
//   etcd       three `kmeta serve --store etcd://` processes over a three-member etcd 3.4 cluster of
//              their own; the brokers' zookeeper.connect lists all three
//   zetcd      etcd-io/zetcd (bench/zetcd.sh builds it) over such an etcd cluster: the peer compared
//              with in the README, not run by npm test
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import * as esbuild from "esbuild";
import { connect } from "../../runtimes/node/mod.ts";
import { type Cluster, createCluster } from "../faults/etcd_cluster/cluster.ts";
import { waitFor } from "./znodes.ts";

export type TargetName = "zookeeper" | "memory" | "etcd" | "zetcd";

export interface KafkaTarget {
  name: TargetName;
  /** Starts the servers; resolves to the host list brokers and readers dial ("h:p" or "h:p,h:p,h:p"). */
  start(): Promise<string>;
  /** Stops everything start() started; safe when it failed halfway. */
  stop(): Promise<void>;
  /** The `kmeta serve` processes (etcd only): the scenarios that kill them. */
  readonly serves?: ServeProcesses;
}

/** The targets KMETA_KAFKA_TARGETS names (default all three); unknown names throw. */
export function kafkaTargets(ports: TargetPorts, names = process.env.KMETA_KAFKA_TARGETS ?? "zookeeper,memory,etcd"): KafkaTarget[] {
  return names.split(",").map((n) => n.trim()).filter((n) => n).map((n) => {
    switch (n) {
      case "zookeeper":
        return zookeeperTarget();
      case "memory":
        return memoryTarget(ports.memory);
      case "etcd":
        return etcdTarget(ports);
      case "zetcd":
        return zetcdTarget(ports);
      default:
        throw new Error(`KMETA_KAFKA_TARGETS: unknown target "${n}" (zookeeper, memory, etcd, zetcd)`);
    }
  });
}

/** Each test file's own ports, so files never share a server. */
export interface TargetPorts {
  memory: number;
  /** The three `kmeta serve` processes of the etcd target. */
  serves: readonly [number, number, number];
  etcdClient: readonly [number, number, number];
  etcdPeer: readonly [number, number, number];
}

function zookeeperTarget(): KafkaTarget {
  return {
    name: "zookeeper",
    start() {
      const zk = process.env.KMETA_ZK;
      assert.ok(zk, "KMETA_ZK (host:port of a test ZooKeeper 3.8) is not set; scripts/test.sh sets it");
      return Promise.resolve(zk);
    },
    stop: () => Promise.resolve(),
  };
}

function memoryTarget(port: number): KafkaTarget {
  // A process of its own, as in production (and so a benchmark does not time its own process with it).
  const serve = serveProcesses([port], () => ["--store", "memory://"]);
  return { name: "memory", start: () => serve.start(), stop: () => serve.stop() };
}

/** Separate `kmeta serve` processes over one store, by index, each killable and restartable. */
export interface ServeProcesses {
  readonly etcd: Cluster;
  /** Starts every process that is not running; resolves when all listen. */
  startAll(): Promise<void>;
  /** Sends `signal` to process `index` (SIGKILL: a crash); resolves when it has exited (for SIGKILL/SIGTERM). */
  signal(index: number, signal: NodeJS.Signals): Promise<void>;
}

const repo = new URL("../..", import.meta.url).pathname;

/**
 * `kmeta serve` processes listening on `ports`, each with `args()`. The CLI is bundled into one file
 * first: a process then starts in well under a second on a busy machine (through tsx it takes
 * seconds), so "every serve restarted within the session timeout" can be tested.
 */
function serveProcesses(ports: readonly number[], args: () => string[]) {
  let bundleDir = "";
  const bundle = () => join(bundleDir, "kmeta.mjs");
  const children: (ChildProcess | undefined)[] = ports.map(() => undefined);
  const exits: Promise<void>[] = [];
  const startOne = (i: number) => {
    const child = spawn(process.execPath, [bundle(), "serve", "--listen", `127.0.0.1:${ports[i]}`, ...args()], {
      cwd: repo,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children[i] = child;
    let out = "";
    child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr!.on("data", (b: Buffer) => (out += b.toString()));
    exits[i] = new Promise((resolve) =>
      child.once("exit", () => {
        if (children[i] === child) children[i] = undefined;
        resolve();
      })
    );
    return waitFor(`kmeta serve ${i} listening`, 60000, () => {
      if (children[i] !== child) throw new Error(`kmeta serve ${i} exited: ${out}`);
      return Promise.resolve(/listening on/.test(out) ? true : undefined);
    });
  };
  const indexes = ports.map((_, i) => i);
  const processes = {
    async startAll() {
      await Promise.all(indexes.filter((i) => !children[i]).map(startOne));
    },
    async signal(index: number, signal: NodeJS.Signals) {
      const child = children[index];
      if (!child) return;
      child.kill(signal);
      if (signal === "SIGKILL" || signal === "SIGTERM") await exits[index];
    },
    /** Bundles the CLI, starts every process; resolves to their host list. */
    async start() {
      bundleDir = mkdtempSync(join(tmpdir(), "kmeta-kafka-serve-"));
      await esbuild.build({
        entryPoints: [`${repo}runtimes/node/cli/kmeta.ts`],
        bundle: true,
        platform: "node",
        format: "esm",
        outfile: bundle(),
        logLevel: "warning",
      });
      await processes.startAll();
      return ports.map((p) => `127.0.0.1:${p}`).join(",");
    },
    async stop() {
      for (const c of children) c?.kill("SIGCONT");
      await Promise.all(indexes.map((i) => processes.signal(i, "SIGKILL")));
      if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
    },
  };
  return processes;
}

function etcdTarget(ports: TargetPorts): KafkaTarget {
  const etcd = createCluster({ name: "kafka", connect, ports: { client: ports.etcdClient, peer: ports.etcdPeer } });
  const prefix = `kmeta-kafka-${Date.now().toString(36)}/`;
  const serve = serveProcesses(ports.serves, () => ["--store", `etcd://${etcd.hosts([0, 1, 2])}`, "--etcd-prefix", prefix]);
  return {
    name: "etcd",
    serves: { etcd, startAll: serve.startAll, signal: serve.signal },
    async start() {
      await etcd.start();
      return await serve.start();
    },
    async stop() {
      await serve.stop();
      await etcd.stop();
    },
  };
}

/** zetcd on the first serve port, over a three-member etcd of its own. */
function zetcdTarget(ports: TargetPorts): KafkaTarget {
  const etcd = createCluster({ name: "zetcd", connect, ports: { client: ports.etcdClient, peer: ports.etcdPeer } });
  let child: ChildProcess | undefined;
  return {
    name: "zetcd",
    async start() {
      const bin = execFileSync("bash", [`${repo}bench/zetcd.sh`], { encoding: "utf8" }).trim();
      await etcd.start();
      child = spawn(bin, ["-zkaddr", `127.0.0.1:${ports.serves[0]}`, "-endpoints", etcd.hosts([0, 1, 2])], { stdio: "ignore" });
      const hostPort = `127.0.0.1:${ports.serves[0]}`;
      await waitFor("zetcd listening", 30000, async () => {
        const probe = await connect(`zk://${hostPort}`, { connectionTimeoutMs: 2000 }).catch(() => undefined);
        await probe?.close();
        return probe ? true : undefined;
      });
      return hostPort;
    },
    async stop() {
      child?.kill("SIGKILL");
      await etcd.stop();
    },
  };
}
