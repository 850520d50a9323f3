// Cross-check mode: the whole conformance suite through `kmeta serve --oracle` pointed at the real
// ZooKeeper 3.8, over the memory store and over etcd; every request is compared there, and each
// server must report zero divergences.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { runConformance, zkTarget } from "../conformance/mod.ts";
import { dial, systemClock } from "../../runtimes/node/mod.ts";
import { etcdStoreArgs, startTestServer } from "./serve.ts";

if (!process.env.KMETA_ZK) throw new Error("KMETA_ZK is not set: give the host:port of a ZooKeeper 3.8");
for (const [name, store] of [["memory", []], ["etcd", etcdStoreArgs("oracle")]] as const) {
  const divergences: string[] = [];
  const server = await startTestServer(["--oracle", `zk://${process.env.KMETA_ZK}`, ...store], (line) => {
    if (line.includes("oracle:")) divergences.push(line);
  });
  runConformance({ ...zkTarget({ clock: systemClock, dial }, server.hostPort, `serve-${name} --oracle`), mirrored: true });

  describe(`oracle over ${name}`, () => {
    it("compared the suite's requests with the real ZooKeeper and found no divergence", async () => {
      // Sessions still closing compare their last answers and events as they go.
      await new Promise((r) => setTimeout(r, 500));
      const oracle = server.server.summary().oracle!;
      assert.ok(oracle.checks > 500, `only ${oracle.checks} checks`);
      assert.equal(oracle.divergences, 0, divergences.join("\n"));
    });
  });
  after(() => server.stop());
}
