// The fetch-only etcd gateway transport suite under Bun; needs KMETA_ETCD.
import { gatewayApiSuite } from "../../tests/etcd/gateway_api_suite.ts";

gatewayApiSuite();
