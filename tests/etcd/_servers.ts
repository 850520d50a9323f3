// Starting and stopping the tests' own etcd processes through scripts/servers/*.sh (node:child_process).
// Every process is stopped by the pid its script wrote, never by name.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SCRIPTS = new URL("../../scripts/servers/", import.meta.url).pathname;

/** Throws a clear error naming what is missing, so a test fails (never skips) without its tools. */
export function requireTools(...tools: string[]): void {
  const missing = tools.filter((t) => {
    try {
      execFileSync("bash", ["-c", `command -v ${t}`], { stdio: "ignore" });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new Error(`${missing.join(", ")} not found: install etcd-server, etcd-client and openssl (scripts/install.sh)`);
  }
}

/** Runs scripts/servers/NAME with `args`; resolves with its stdout, rejects with its stderr. */
export function runScript(name: string, args: string[], env: Record<string, string> = {}, timeoutMs = 45_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("bash", [join(SCRIPTS, name), ...args], { env: { ...process.env, ...env }, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${name} ${args.join(" ")} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** A fresh temp dir for a test's servers. */
export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `kmeta-${tag}-`));
}

/** SIGKILL for one pid (a crash, for fault tests). */
export function killHard(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Stops every server whose pid file is in `dirs` (scripts/servers/stop.sh), then removes `root`. */
export async function stopAll(dirs: string[], root?: string): Promise<void> {
  await runScript("stop.sh", dirs, { STOP_TIMEOUT: "5" }).catch(() => {});
  if (root) rmSync(root, { recursive: true, force: true });
}

export function readText(path: string): string {
  return readFileSync(path, "utf8");
}
