import { it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { connectErrorsSuite } from "../../tests/connect/connect_errors_suite.ts";
import { connectOptionsSuite } from "../../tests/connect/connect_options_suite.ts";
import { ErrorCode } from "../../core/mod.ts";
import { connect } from "./mod.ts";

connectErrorsSuite("deno", connect);
connectOptionsSuite("deno", connect);

it("deno: without --allow-net, connect() fails at once with a permission error naming the host and the flag", () => {
  const zk = process.env.KMETA_ZK, etcd = process.env.KMETA_ETCD;
  assert.ok(zk && etcd, "KMETA_ZK and KMETA_ETCD=host:port are needed (scripts/test.sh starts the servers)");
  const probe = fileURLToPath(new URL("../../tests/connect/_no_net_probe.ts", import.meta.url));
  // process.execPath is the deno binary under Deno.
  const run = spawnSync(process.execPath, ["run", "--no-check", "--allow-read", "--allow-env", probe, `zk://${zk}`, `etcd://${etcd}`], {
    encoding: "utf8",
  });
  const lines = run.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
  assert.equal(lines.length, 2, run.stderr);
  for (const [line, host] of [[lines[0], zk], [lines[1], etcd]] as const) {
    // Fails before the 120 s connectionTimeoutMs: a ConnectionLoss, not an OperationTimeout.
    assert.equal(line.code, ErrorCode.ConnectionLoss, line.message);
    assert.equal(line.failure, "permission", line.message);
    assert.ok(String(line.host).includes(host), line.message);
    assert.match(line.message, /--allow-net/);
  }
});
