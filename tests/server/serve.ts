// Starts `kmeta serve` in this process for tests: the same startServe the CLI runs, on a free port.
import { type RunningServe, parseServeFlags, type ServeHost, serverStores, startServe } from "../../runtimes/common/serve.ts";
import { nodeServeHost } from "../../runtimes/node/serve_host.ts";
import process from "node:process";

/** A server on 127.0.0.1 over the store `args` name (memory:// by default), on `host`'s listener (Node's by default), and the host:port its clients dial. */
export async function startTestServer(
  args: string[] = [],
  log: (line: string) => void = () => {},
  host: ServeHost = nodeServeHost,
): Promise<RunningServe & { hostPort: string }> {
  const flags = parseServeFlags(["--listen", "127.0.0.1:0", ...args]);
  const running = await startServe({ ...host, log }, flags, serverStores(host));
  const l = running.listeners[0]!;
  return { ...running, hostPort: `${l.host}:${l.port}` };
}

/** serve's flags for the etcd of the tests (KMETA_ETCD), in a key prefix of its own named for `name`. */
export function etcdStoreArgs(name: string): string[] {
  const etcd = process.env.KMETA_ETCD;
  if (!etcd) throw new Error("KMETA_ETCD is not set: give the host:port of an etcd 3.4 (scripts/servers/start-etcd.sh starts one)");
  return ["--store", `etcd://${etcd}`, "--etcd-prefix", `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}/`];
}

/** serve's flags for the ZooKeeper of the tests (KMETA_ZK): sessions passed on to it. */
export function zkStoreArgs(): string[] {
  const zk = process.env.KMETA_ZK;
  if (!zk) throw new Error("KMETA_ZK is not set: give the host:port of a ZooKeeper 3.8 (scripts/servers/start-zk.sh starts one)");
  return ["--store", `zk://${zk}`];
}
