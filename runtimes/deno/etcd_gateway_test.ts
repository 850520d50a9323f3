// The fetch-only etcd gateway transport suite under Deno (needs KMETA_ETCD), plus what only Deno's
// TLS fetch refuses: Deno.createHttpClient has no server-name option and needs cert and key together.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { gatewayApiSuite } from "../../tests/etcd/gateway_api_suite.ts";
import { connect, ErrorCode, KeeperError } from "./mod.ts";

gatewayApiSuite();

describe("connect() on Deno over the gateway", () => {
  it("refuses a serverName and a cert without its key with BadArguments", async () => {
    const refused = (message: RegExp) => (e: unknown) => e instanceof KeeperError && e.code === ErrorCode.BadArguments && message.test(e.message);
    await assert.rejects(
      connect("etcds://127.0.0.1:23907", { etcd: { transport: "gateway", tls: { serverName: "etcd-1" } } }),
      refused(/serverName "etcd-1" needs the gRPC transport/),
    );
    await assert.rejects(
      connect("etcds://127.0.0.1:23907", { etcd: { transport: "gateway", tls: { cert: "PEM" } } }),
      refused(/cert and key together/),
    );
  });
});
