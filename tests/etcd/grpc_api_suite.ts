// Tests of createGrpcEtcdApi() against a real etcd 3.4 (KMETA_ETCD=host:port), shared by the Node,
// Deno and Bun test entries: the behaviours both transports share (etcd_api_suite.ts), then what
// only gRPC has (grpc-go's receive limit, HTTP/2 PINGs on a silent connection).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { GrpcCode } from "../../core/etcd/api.ts";
import { createGrpcEtcdApi } from "../../runtimes/common/etcd/grpc_api.ts";
import { endpoint, isEtcdError, keyspace, readUntil, SLOW_TEST_TIMEOUT_MS } from "./_etcd_api_helpers.ts";
import { startTcpProxy } from "./_tcp_proxy.ts";
import { etcdApiSuite } from "./etcd_api_suite.ts";

// Ports 23902-23904 belong to this suite's helpers (a proxy, a silent server, a dead port).
const PROXY_PORT = 23902;

export function grpcApiSuite(): void {
  etcdApiSuite("createGrpcEtcdApi()", createGrpcEtcdApi, {
    keyspace: "grpc",
    ports: { proxy: PROXY_PORT, silent: 23903, dead: 23904 },
    refusedMessage: /ECONNREFUSED/,
    createdInOrder: true,
    watchHasDeadline: false,
    settleAfterCutMs: 0,
    exitProbe: new URL("./_exit_probe.ts", import.meta.url),
  });

  const { k } = keyspace("grpc");

  describe("createGrpcEtcdApi() gRPC-only errors", () => {
    // Over gRPC's receive limit (--max-request-bytes + 512 KiB): grpc-go refuses it before etcd sees it.
    it(`maps a 2.1 MiB put to gRPC code ${GrpcCode.ResourceExhausted}`, async () => {
      const etcd = createGrpcEtcdApi({ endpoints: [endpoint()] });
      try {
        await assert.rejects(
          etcd.put({ key: k("err/big"), value: new Uint8Array(2.1 * 1024 * 1024) }),
          isEtcdError(GrpcCode.ResourceExhausted, /grpc: received message larger than max \(\d+ vs\. 2097152\)$/),
        );
      } finally {
        await etcd.close();
      }
    });
  });

  describe("createGrpcEtcdApi() dead connections", () => {
    it("breaks a watch with Unavailable when PINGs go unanswered on a silent connection", { timeout: SLOW_TEST_TIMEOUT_MS }, async () => {
      const [host = "", port = ""] = endpoint().split(":");
      const proxy = await startTcpProxy(PROXY_PORT, { host, port: Number(port) });
      // Fast pings are fine here: once frozen, none of them reaches etcd.
      const etcd = createGrpcEtcdApi({
        endpoints: [`127.0.0.1:${PROXY_PORT}`],
        pingIntervalMs: 500,
        pingTimeoutMs: 500,
      });
      try {
        const w = etcd.watch();
        w.create({ key: k("frozen/a"), watchId: 1n });
        await readUntil(w, (s) => s.some((r) => r.created));
        proxy.freeze();
        const start = performance.now();
        await assert.rejects(readUntil(w, () => false, 4_000), isEtcdError(GrpcCode.Unavailable));
        assert.ok(performance.now() - start < 3_000, `noticed after ${Math.round(performance.now() - start)} ms`);
      } finally {
        await etcd.close();
        await proxy.close();
      }
    });
  });
}
