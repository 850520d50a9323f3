// Starts `kmeta serve` in this process for tests: the same startServe the CLI runs, on a free port.
import { type RunningServe, parseServeFlags, type ServeHost, serverStores, startServe } from "../../runtimes/common/serve.ts";
import { nodeServeHost } from "../../runtimes/node/serve_host.ts";

/** A server on 127.0.0.1 over memory://, on `host`'s listener (Node's by default), and the host:port its clients dial. */
export async function startTestServer(
  args: string[] = [],
  log: (line: string) => void = () => {},
  host: ServeHost = nodeServeHost,
): Promise<RunningServe & { hostPort: string }> {
  const flags = parseServeFlags(["--listen", "127.0.0.1:0", ...args]);
  const running = await startServe({ ...host, log }, flags, serverStores());
  const l = running.listeners[0]!;
  return { ...running, hostPort: `${l.host}:${l.port}` };
}
