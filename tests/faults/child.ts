// Runs a test's helper script in a child process of the same runtime, to see whether what the script
// did lets the process exit by itself (nothing left behind: a timer, a socket, a retry loop).
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

export interface ChildResult {
  exitCode: number | null;
  /** The first line the child printed. */
  line: string;
  /** From that line to the child's exit. */
  exitAfterLineMs: number;
  stderr: string;
}

/**
 * Runs `runScript` (command and leading arguments that run a TypeScript file under this runtime)
 * with `args`, from the repository root; kills it and fails if it has not exited after `ms`.
 */
export function runChild(runScript: readonly string[], args: string[], ms: number): Promise<ChildResult> {
  const env = { ...process.env };
  // Node's test runner marks its children with this; a child that sees it reports as a test file.
  delete env.NODE_TEST_CONTEXT;
  const [command, ...lead] = runScript;
  const cwd = fileURLToPath(new URL("../../", import.meta.url));
  const child = spawn(command!, [...lead, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let lineAt: number | undefined;
  child.stdout!.on("data", (chunk) => {
    stdout += String(chunk);
    if (lineAt === undefined && stdout.includes("\n")) lineAt = Date.now();
  });
  child.stderr!.on("data", (chunk) => (stderr += String(chunk)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      const what = `${runScript.join(" ")} ${args.join(" ")}`;
      reject(new Error(`The child (${what}) was still running after ${ms} ms; output: ${stdout} ${stderr}`));
    }, ms);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("exit", (exitCode) => {
      const exitedAt = Date.now();
      clearTimeout(timer);
      resolve({ exitCode, line: stdout.split("\n")[0] ?? "", exitAfterLineMs: exitedAt - (lineAt ?? exitedAt), stderr });
    });
  });
}
