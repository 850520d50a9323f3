// A runtime's own 3-member loopback etcd 3.4 cluster for fault tests (scripts/servers/start-etcd-cluster.sh),
// controlled by pid: start (a missing member restarts from its data dir), kill, pause, resume, who leads,
// and a suite wrapper that hands every case a whole, running cluster.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import process from "node:process";
import type { ConnectOptions, KafkaMetastore } from "../../../core/mod.ts";
import { createGrpcEtcdApi } from "../../../runtimes/common/etcd/grpc_api.ts";
import { killHard, requireTools, runScript, tempDir } from "../../etcd/_servers.ts";
import { sleep } from "../../conformance/helpers.ts";

/** What a runtime hands the suites. */
export interface EtcdClusterRuntime {
  name: string;
  connect: (url: string, options?: ConnectOptions) => Promise<KafkaMetastore>;
  /** The three members' client and peer ports; this runtime's alone. */
  ports: { client: readonly [number, number, number]; peer: readonly [number, number, number] };
}

export interface Cluster {
  /** Member pids, by index 0..2 (current after every start()). */
  readonly pids: readonly number[];
  /** Starts the members that are not running (all of them the first time); resolves when all are healthy. */
  start(): Promise<void>;
  /** Resumes paused members, then stops every member and removes the temp dir; safe when nothing was started. */
  stop(): Promise<void>;
  /** SIGKILL: a crash; start() brings the member back with its data. */
  kill(index: number): void;
  /** SIGSTOP: the member keeps its sockets but answers nothing. */
  pause(...indices: number[]): void;
  /** SIGCONT for the given members (every paused one when none is given). */
  resume(...indices: number[]): void;
  /** Index of the current leader, asked of every member until the live ones agree (15 s at most). */
  leaderIndex(): Promise<number>;
  /** "127.0.0.1:p1,127.0.0.1:p2" for an etcd:// URL naming these members, in this order. */
  hosts(indices: readonly number[]): string;
}

export function createCluster(rt: EtcdClusterRuntime): Cluster {
  let base = "";
  let pids: number[] = [];
  const paused = new Set<number>();
  const env = { ETCD_CLIENT_PORTS: rt.ports.client.join(" "), ETCD_PEER_PORTS: rt.ports.peer.join(" ") };
  const signal = (index: number, sig: "SIGSTOP" | "SIGCONT") => process.kill(pids[index]!, sig);
  const c: Cluster = {
    get pids() {
      return pids;
    },
    async start() {
      if (!base) {
        requireTools("etcd");
        base = tempDir(`etcd-cluster-${rt.name}`);
      }
      const out = await runScript("start-etcd-cluster.sh", [base], env);
      pids = out.trim().split("\n").map(Number);
      assert.equal(pids.length, 3, `expected 3 pids, got ${out}`);
    },
    async stop() {
      if (!base) return;
      c.resume();
      // All members at once, SIGKILL after 1 s (the data is thrown away): a member can take ~5 s to
      // exit on SIGTERM (its leader transfer waits for peers that are stopping too), more than
      // Bun's 5 s hook timeout, which ignores `{ timeout }` on hooks.
      await Promise.all([1, 2, 3].map((i) => runScript("stop.sh", [`${base}/n${i}`], { STOP_TIMEOUT: "1" }).catch(() => {})));
      rmSync(base, { recursive: true, force: true });
      base = "";
    },
    kill(index) {
      killHard(pids[index]!);
    },
    pause(...indices) {
      for (const i of indices) {
        signal(i, "SIGSTOP");
        paused.add(i);
      }
    },
    resume(...indices) {
      for (const i of indices.length > 0 ? indices : [...paused]) {
        if (!paused.delete(i)) continue;
        try {
          signal(i, "SIGCONT");
        } catch {
          // already gone
        }
      }
    },
    leaderIndex: () => leaderIndex(rt.ports.client),
    hosts: (indices) => indices.map((i) => `127.0.0.1:${rt.ports.client[i]}`).join(","),
  };
  return c;
}

async function leaderIndex(ports: readonly number[]): Promise<number> {
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    const ids: bigint[] = [];
    let leader = 0n;
    for (const port of ports) {
      const api = createGrpcEtcdApi({ endpoints: [`http://127.0.0.1:${port}`], requestTimeoutMs: 1000 });
      try {
        const s = await api.status();
        ids.push(s.header.memberId);
        if (s.leader !== 0n) leader = s.leader;
      } catch {
        ids.push(-1n);
      } finally {
        await api.close();
      }
    }
    const i = ids.indexOf(leader);
    if (leader !== 0n && i >= 0) return i;
    await sleep(100);
  }
  throw new Error("no etcd leader within 15 s");
}

/** One fault case: it may kill or pause members; the suite makes the cluster whole again after it. */
export interface ClusterCase {
  name: string;
  run(cluster: Cluster): Promise<void>;
}

/**
 * Registers `cases` in one describe block on `rt`'s own cluster. The cluster starts inside the first
 * case rather than in a before hook, so it runs under the case's timeout (Bun's hooks have a 5 s
 * default); after every case paused members resume and killed ones restart from their data.
 */
export function describeOnCluster(rt: EtcdClusterRuntime, title: string, cases: readonly ClusterCase[], timeoutMs: number): void {
  const cluster = createCluster(rt);
  let started: Promise<void> | undefined;
  describe(`${rt.name}: etcd cluster (client ports ${rt.ports.client.join(",")}): ${title}`, () => {
    after(() => cluster.stop(), { timeout: 30_000 });
    for (const c of cases) {
      it(c.name, { timeout: timeoutMs }, async () => {
        await (started ??= cluster.start());
        try {
          await c.run(cluster);
        } finally {
          cluster.resume();
          await cluster.start();
        }
      });
    }
  });
}
