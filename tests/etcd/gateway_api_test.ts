// Node's entry for the fetch-only etcd gateway transport tests (Deno and Bun run the same suite from
// runtimes/*), plus what only Node does: its global fetch takes no TLS options.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect } from "../../runtimes/node/mod.ts";
import { ErrorCode, KeeperError } from "../../core/mod.ts";
import { gatewayApiSuite } from "./gateway_api_suite.ts";

gatewayApiSuite();

describe("connect() on Node over the gateway", () => {
  it("refuses TLS options with BadArguments that point to the gRPC transport and etcd.fetch", async () => {
    for (const tls of [{ ca: "PEM" }, { cert: "PEM", key: "PEM" }, { serverName: "etcd-1" }]) {
      await assert.rejects(
        connect("etcds://127.0.0.1:23907", { etcd: { transport: "gateway", tls } }),
        (e: unknown) => e instanceof KeeperError && e.code === ErrorCode.BadArguments && /use the gRPC transport.*etcd\.fetch/.test(e.message),
      );
    }
  });
});
