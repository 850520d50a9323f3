// Run as a child process by gateway_api_suite.ts: uses a watch (a long POST) and keep-alives, calls
// close() with the watch still open, then must exit on its own. Prints "closed" when done.
import process from "node:process";
import { createGatewayEtcdApi } from "../../runtimes/common/etcd/gateway_api.ts";

const etcd = createGatewayEtcdApi({ endpoints: [process.env.KMETA_ETCD ?? ""] });
const key = new TextEncoder().encode("/kmeta-test/gateway-exit-probe");
await etcd.range({ key });
const lease = await etcd.leaseGrant(5n);
await etcd.leaseKeepAlive(lease.id);
const watch = etcd.watch();
watch.create({ key, watchId: 1n });
const it = watch.responses[Symbol.asyncIterator]();
while (!(await it.next()).value?.created);
await etcd.leaseRevoke(lease.id);
await etcd.close();
console.log("closed");
