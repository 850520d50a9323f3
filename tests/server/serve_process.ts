// `kmeta serve` as its own process, started through the CLI as a user starts it, for tests that kill
// servers (kill -9, SIGSTOP) or need several of them.
import { type ChildProcess, spawn } from "node:child_process";
import { connect as netConnect } from "node:net";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../runtimes/node/cli/kmeta.ts", import.meta.url));

export interface ServeProcess {
  hostPort: string;
  pid: number;
  /** What it wrote to standard error so far. */
  log(): string;
  /** Sends `signal` and waits for the exit (SIGKILL: kill -9). */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `kmeta serve --listen 127.0.0.1:0 ARGS` and resolves once it listens. */
export function startServeProcess(args: readonly string[], listen = "127.0.0.1:0"): Promise<ServeProcess> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", CLI, "serve", "--listen", listen, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let text = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`kmeta serve did not start in 30 s: ${text}`));
    }, 30000);
    const early = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`kmeta serve exited (${code}) before listening: ${text}`));
    };
    child.once("exit", early);
    child.stderr!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const m = /listening on (\S+):(\d+) /.exec(text);
      if (!m) return;
      clearTimeout(timer);
      child.off("exit", early);
      resolve({
        hostPort: `${m[1]}:${m[2]}`,
        pid: child.pid!,
        log: () => text,
        async kill(signal = "SIGTERM") {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      });
    });
  });
}

/** A four-letter word's answer (`cons`, `srvr`...). */
export function fourLetterWord(hostPort: string, word: string): Promise<string> {
  const [host, port] = [hostPort.slice(0, hostPort.lastIndexOf(":")), Number(hostPort.slice(hostPort.lastIndexOf(":") + 1))];
  return new Promise((resolve, reject) => {
    let out = "";
    const socket = netConnect({ host, port }, () => socket.write(word));
    socket.on("data", (d) => (out += d.toString()));
    socket.on("end", () => resolve(out));
    socket.on("error", reject);
  });
}
