// kmeta under the runtime running this file: its entry (runtimes/<runtime>/cli/kmeta.ts) as a child
// process, and the commands in process over the runtime's own connect(), against the real servers.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { type Connect, dropChroot, runKmeta, simulatedCluster, storeUrls } from "./_cli.ts";

const CASE = { timeout: 120_000 };

function runEntry(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** `entry` is the command line that starts kmeta on this runtime (e.g. [deno, run, -A, file]). */
export function cliSmoke(runtime: string, connect: Connect, entry: string[]): void {
  describe(`kmeta on ${runtime}`, () => {
    const { zk, etcd } = storeUrls(`smoke-${runtime.toLowerCase()}`);
    let cluster: Awaited<ReturnType<typeof simulatedCluster>>;
    before(async () => {
      cluster = await simulatedCluster(connect, zk, { topics: 5, partitions: 3 });
      await cluster.close();
    });
    after(async () => {
      await dropChroot(connect, zk);
      await dropChroot(connect, etcd);
    });

    it("its entry runs commands and exits with their codes", CASE, async () => {
      const topics = await runEntry([...entry, "--store", zk, "kafka", "topics"]);
      assert.equal(topics.code, 0, topics.stderr);
      assert.equal(topics.stdout.trim().split("\n").length, 6, topics.stdout);
      const missing = await runEntry([...entry, "--store", zk, "get", "/nowhere"]);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, "kmeta get: /nowhere does not exist (NoNode)\n");
      const usage = await runEntry([...entry, "ls"]);
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /^kmeta ls: no store: pass --store URL or set KMETA_STORE/);
    });

    it("migrates zk -> etcd and diff finds them equal; znode commands on etcd", CASE, async () => {
      const m = await runKmeta(connect, ["migrate", "--from", zk, "--to", etcd]);
      assert.equal(m.code, 0, m.stderr);
      const d = await runKmeta(connect, ["diff", zk, etcd]);
      assert.equal(d.code, 0, d.stdout);
      assert.match(d.lines.at(-1)!, /^equal: /);
      const k = (...args: string[]) => runKmeta(connect, ["--store", etcd, ...args]);
      assert.equal((await k("create", "/smoke", "--hex", "ff00")).code, 0);
      assert.deepEqual((await k("get", "/smoke")).lines, ["ff00"]);
      assert.match((await k("kafka", "describe", "sim-0")).lines[0]!, /^Topic: sim-0\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 3/);
    });
  });
}
