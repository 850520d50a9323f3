// Node's entry for the gRPC etcd transport tests (Deno and Bun run the same suite from runtimes/*).
import { grpcApiSuite } from "./grpc_api_suite.ts";

grpcApiSuite();
