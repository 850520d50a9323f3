// etcd over TLS with client certificates and user/password auth (tests/etcd/tls_auth_suite.ts) on
// Node, over gRPC, against an etcd this file starts on ports 23880/23881; the gateway transport over
// TLS must be refused (Node's global fetch takes no CA or client certificate).
//
//   node --import tsx --test runtimes/node/etcd_tls_test.ts
import { etcdTlsAuthSuite } from "../../tests/etcd/tls_auth_suite.ts";
import { connect } from "./mod.ts";

etcdTlsAuthSuite({ name: "node", connect, ports: { client: 23880, peer: 23881 } });
