// The gRPC etcd transport suite under Deno (node:http2 h2c client via Connect); needs KMETA_ETCD.
import { grpcApiSuite } from "../../tests/etcd/grpc_api_suite.ts";

grpcApiSuite();
