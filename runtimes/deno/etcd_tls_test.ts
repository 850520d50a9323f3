// etcd over TLS with client certificates and user/password auth (tests/etcd/tls_auth_suite.ts) on
// Deno, over gRPC and the JSON gateway, against an etcd this file starts on ports 23970/23971.
//
//   deno test -A --no-check runtimes/deno/etcd_tls_test.ts
import { etcdTlsAuthSuite } from "../../tests/etcd/tls_auth_suite.ts";
import { tlsFetch } from "./gateway_fetch.ts";
import { connect, createGrpcEtcdApi } from "./mod.ts";

etcdTlsAuthSuite({ name: "deno", connect, ports: { client: 23970, peer: 23971 }, tlsFetch, grpc: createGrpcEtcdApi });
