// Node's entry for the fetch-only etcd gateway transport tests (Deno and Bun run the same suite from runtimes/*).
import { gatewayApiSuite } from "./gateway_api_suite.ts";

gatewayApiSuite();
