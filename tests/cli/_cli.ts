// Runs kmeta in this process with an in-memory host, and builds the stores the CLI tests work on:
// a fresh chroot on the real ZooKeeper and etcd (KMETA_ZK, KMETA_ETCD), or a named memory store.
import process from "node:process";
import type { KafkaMetastore } from "../../core/api/metastore.ts";
import type { ConnectOptions } from "../../core/connect.ts";
import { CreateMode } from "../../core/api/create_mode.ts";
import { OPEN_ACL_UNSAFE } from "../../core/api/acl.ts";
import { KafkaWorkload } from "../../core/kafka/simulator.ts";
import { createKafkaZkClient } from "../../core/kafka/kafka_zk_client.ts";
import { systemClock } from "../../runtimes/common/system_clock.ts";
import { kmeta } from "../../runtimes/common/cli/kmeta.ts";
import type { CliHost } from "../../runtimes/common/cli/host.ts";
import { nodeServeHost } from "../../runtimes/node/serve_host.ts";

export type Connect = (url: string, options?: ConnectOptions) => Promise<KafkaMetastore>;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  lines: string[];
}

/** Runs `kmeta ARGS` in process; `stop` (if given) is what Ctrl-C would do for watch. */
export async function runKmeta(connect: Connect, args: string[], options: { env?: Record<string, string>; isTTY?: boolean; onStop?: (stop: () => void) => void } = {}): Promise<Run> {
  let stdout = "", stderr = "";
  const host: CliHost = {
    args,
    env: (name) => options.env?.[name],
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: options.isTTY ?? false,
    exit: () => {},
    now: () => performance.now(),
    connect,
    serve: { ...nodeServeHost, onStop: options.onStop ?? (() => {}) },
  };
  const code = await kmeta(host);
  return { code, stdout, stderr, lines: stdout.split("\n").filter((l) => l !== "") };
}

/** The store URLs of one test: each a fresh chroot (a fresh name for memory://). */
export function storeUrls(tag: string): { zk: string; etcd: string; memory: string } {
  const zk = process.env.KMETA_ZK, etcd = process.env.KMETA_ETCD;
  if (!zk || !etcd) throw new Error("KMETA_ZK and KMETA_ETCD must name the real servers (run under scripts/with-servers.sh)");
  const suffix = `${tag}-${Math.random().toString(36).slice(2, 8)}`;
  return { zk: `zk://${zk}/kmeta-cli-${suffix}`, etcd: `etcd://${etcd}/kmeta-cli-${suffix}`, memory: `memory://cli-${suffix}` };
}

/** Opens `url` with its chroot created. */
export function openStore(connect: Connect, url: string): Promise<KafkaMetastore> {
  return connect(url, { createChrootIfNecessary: true, sessionTimeoutMs: 20000, maxInFlightRequests: 1000 });
}

/** Deletes the chroot of `url` (the part after the host) with everything under it. */
export async function dropChroot(connect: Connect, url: string): Promise<void> {
  const at = url.indexOf("/", url.indexOf("//") + 2);
  if (at < 0) return;
  const root = await connect(url.slice(0, at));
  try {
    const walk = async (path: string): Promise<void> => {
      const r = await root.handleRequest({ type: "getChildren", path, registerWatch: false });
      await Promise.all(r.children.map((c) => walk(`${path}/${c}`)));
      await root.handleRequest({ type: "delete", path, version: -1 });
    };
    await walk(url.slice(at));
  } finally {
    await root.close();
  }
}

/**
 * A simulated Kafka cluster on `url` (brokers, controller fail-over, topics, ISR churn) with what a
 * real one also holds: topic configs and their change notifications (sequential), an ACL, a
 * restrictive ACL on a parent, a container, binary data. `live` brokers keep their sessions
 * (ephemeral registrations); the returned close() ends them.
 */
export async function simulatedCluster(connect: Connect, url: string, size: { topics: number; partitions: number }): Promise<{ close(): Promise<void>; znodes: number }> {
  const workload = new KafkaWorkload({ open: () => openStore(connect, url), clock: systemClock }, { brokers: 3, topics: size.topics, partitionsPerTopic: size.partitions });
  const report = await workload.run(2);
  const admin = createKafkaZkClient(await openStore(connect, url), { clock: systemClock });
  await admin.changeEntityConfig("topics", "sim-0", new Map([["retention.ms", "86400000"], ["cleanup.policy", "compact"]]));
  await admin.changeEntityConfig("topics", "sim-1", new Map([["min.insync.replicas", "2"]]));
  await admin.createAclPaths();
  await admin.createAclsForResourceIfNotExists({ resourceType: "Topic", name: "sim-0", patternType: "LITERAL" }, [
    { principal: "User:alice", permissionType: "Allow", operation: "Read", host: "*" },
  ]);
  const zk = admin.metastore;
  await zk.handleRequests([
    { type: "create", path: "/kmeta-test", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent },
    { type: "create", path: "/kmeta-test/locked", data: new TextEncoder().encode("ro"), acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent },
    { type: "create", path: "/kmeta-test/locked/child", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent },
    { type: "setAcl", path: "/kmeta-test/locked", acl: [{ perms: 1, id: { scheme: "world", id: "anyone" } }], version: -1 },
    { type: "create", path: "/kmeta-test/container", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Container },
    { type: "create", path: "/kmeta-test/container/item", data: new Uint8Array([0, 1, 2, 255]), acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent },
    { type: "create", path: "/kmeta-test/seq-", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.PersistentSequential },
    { type: "create", path: "/kmeta-test/seq-", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.PersistentSequential },
    { type: "delete", path: "/kmeta-test/seq-0000000002", version: -1 },
  ]);
  await zk.close();
  return { close: () => workload.close(), znodes: report.topicZnodes };
}
