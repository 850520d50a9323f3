// What `kmeta serve` needs from Deno: its own listener, dial and gRPC etcd client; random bytes,
// signals, files and standard error through the node: modules Deno provides, as on Node.
import type { ServeHost } from "../common/serve.ts";
import { nodeServeHost } from "../node/serve_host.ts";
import { listen } from "./listen.ts";
import { dial } from "./tcp.ts";
import { createGrpcEtcdApi } from "./etcd_grpc.ts";

export const denoServeHost: ServeHost = { ...nodeServeHost, listen, dial, etcdGrpc: createGrpcEtcdApi, runtime: `deno ${Deno.version.deno}` };
