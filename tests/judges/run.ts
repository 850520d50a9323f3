// Runs a judge's program and hands back what it printed; a non-zero exit or a timeout is an error
// carrying the program's output, so a failing judge explains itself in the test report.
import { spawn } from "node:child_process";

export interface RunOptions {
  /** Written to the program's stdin, which is then closed. */
  input?: string;
  timeoutMs: number;
  env?: Record<string, string>;
  /** Send stderr into the same pipe as stdout, keeping the order the program wrote them in. */
  mergeStderr?: boolean;
}

export function runProgram(command: string, args: readonly string[], options: RunOptions): Promise<string> {
  const [file, argv] = options.mergeStderr
    ? ["bash", ["-c", 'exec "$0" "$@" 2>&1', command, ...args]]
    : [command, [...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { env: { ...process.env, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(stdout);
      const why = signal === "SIGKILL" ? `timed out after ${options.timeoutMs} ms` : `exited with ${code ?? signal}`;
      reject(new Error(`${command} ${why}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    });
    child.stdin.end(options.input ?? "");
  });
}
