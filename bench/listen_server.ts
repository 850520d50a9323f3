// `kmeta serve` on memory:// for bench/listen.ts, on a chosen listener:
//   listen_server.ts RUNTIME LISTENER PORT    RUNTIME: node | deno | bun   LISTENER: native | node
// (run it under that runtime). "node" is node:net, which Deno and Bun provide too.
import process from "node:process";
import { parseServeFlags, type ServeHost, serverStores, startServe } from "../runtimes/common/serve.ts";
import { listen as nodeListen } from "../runtimes/node/listen.ts";

const [runtime = "node", listener = "native", port = "24530"] = process.argv.slice(2);
const hosts: Record<string, () => Promise<ServeHost>> = {
  node: async () => (await import("../runtimes/node/serve_host.ts")).nodeServeHost,
  deno: async () => (await import("../runtimes/deno/serve_host.ts")).denoServeHost,
  bun: async () => (await import("../runtimes/bun/serve_host.ts")).bunServeHost,
};
const host = await hosts[runtime]!();
const running = await startServe(
  { ...host, listen: listener === "node" ? nodeListen : host.listen },
  parseServeFlags(["--listen", `127.0.0.1:${port}`]),
  serverStores(host),
);
console.log("ready");
host.onStop(() => void running.stop().then(() => process.exit(0)));
