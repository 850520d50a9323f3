// etcd over TLS with client certificates and user/password auth (tests/etcd/tls_auth_suite.ts) on
// Bun, over gRPC and the JSON gateway, against an etcd this file starts on ports 23972/23973.
//
//   bun test runtimes/bun/etcd_tls_test.ts
import { etcdTlsAuthSuite } from "../../tests/etcd/tls_auth_suite.ts";
import { tlsFetch } from "./gateway_fetch.ts";
import { connect } from "./mod.ts";

etcdTlsAuthSuite({ name: "bun", connect, ports: { client: 23972, peer: 23973 }, tlsFetch });
