// Tests of createGatewayEtcdApi() against a real etcd 3.4 (KMETA_ETCD=host:port), shared by the Node,
// Deno and Bun test entries: the behaviours both transports share (etcd_api_suite.ts; errors must
// read as the gRPC transport's), run with what differs when each watch is its own long POST.
import { createGatewayEtcdApi } from "../../runtimes/common/etcd/gateway_api.ts";
import { etcdApiSuite } from "./etcd_api_suite.ts";

export function gatewayApiSuite(): void {
  // Ports 23905-23907 belong to this suite's helpers (a proxy, a silent server, a dead port).
  etcdApiSuite("createGatewayEtcdApi()", createGatewayEtcdApi, {
    keyspace: "gateway",
    ports: { proxy: 23905, silent: 23906, dead: 23907 },
    // A watch's POST must start answering within requestTimeoutMs, like a unary call.
    // Each watch is its own POST: their created answers race.
    createdInOrder: false,
    watchHasDeadline: true,
    // The cut's broken sockets may still sit in fetch's pool for a moment.
    settleAfterCutMs: 50,
    exitProbe: new URL("./_gateway_exit_probe.ts", import.meta.url),
  });
}
