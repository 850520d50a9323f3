// A real ZooKeeper that a fault test starts, stops and restarts on its own data dir, through the
// repo's scripts (node:child_process, so Node, Deno and Bun all drive it the same way).
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const SCRIPTS = fileURLToPath(new URL("../../scripts/servers/", import.meta.url));

/** One standalone ZooKeeper on 127.0.0.1:`port`, its data kept across stop/start. */
export interface ZkServer {
  readonly port: number;
  /** Starts the server (a no-op when it runs); rejects with the script's own message, e.g. "java not found". */
  start(): Promise<void>;
  /** SIGTERM (SIGKILL after 10 s), by the pid file in its dir: the data dir stays for the next start. */
  stop(): Promise<void>;
  /** Stops it and deletes its dir. */
  dispose(): Promise<void>;
}

/**
 * A server with `tickTimeMs` ticks: session timeouts are clamped to [2, 20] ticks. `javaOpts` go to
 * its JVM (e.g. -Dzookeeper.extendedTypesEnabled=true for TTL nodes).
 */
export function zkServer(port: number, tickTimeMs: number, javaOpts?: string): ZkServer {
  const dir = mkdtempSync(join(tmpdir(), `kmeta-faults-${port}-`));
  const zkDir = join(dir, "zk");
  return {
    port,
    start: () =>
      run(SCRIPTS + "start-zk.sh", [zkDir], {
        ZK_PORT: String(port),
        ZK_TICK_TIME: String(tickTimeMs),
        // Bounded so a test fails instead of hanging on a JVM that never serves.
        ZK_READY_TIMEOUT: "20",
        ...(javaOpts ? { ZK_JAVA_OPTS: javaOpts } : {}),
      }),
    stop: () => run(SCRIPTS + "stop.sh", [zkDir], { STOP_TIMEOUT: "10" }),
    async dispose() {
      try {
        await run(SCRIPTS + "stop.sh", [zkDir], { STOP_TIMEOUT: "10" });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function run(script: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("bash", [script, ...args], { env: { ...process.env, ...env }, timeout: 40_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${script} ${args.join(" ")} failed: ${String(stderr).trim() || error.message}`, { cause: error }));
      else resolve();
    });
  });
}
