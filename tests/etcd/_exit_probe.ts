// Run as a child process by grpc_api_suite.ts: uses every stream kind, calls close(), then must exit
// on its own. Prints "closed" so the parent can tell a clean close from a crash.
import process from "node:process";
import { createGrpcEtcdApi } from "../../runtimes/common/etcd/grpc_api.ts";

const etcd = createGrpcEtcdApi({ endpoints: [process.env.KMETA_ETCD ?? ""] });
const key = new TextEncoder().encode("/kmeta-test/exit-probe");
await etcd.range({ key });
const lease = await etcd.leaseGrant(5n);
await etcd.leaseKeepAlive(lease.id);
const watch = etcd.watch();
watch.create({ key, watchId: 1n });
for await (const r of watch.responses) if (r.created) break;
await etcd.leaseRevoke(lease.id);
await etcd.close();
console.log("closed");
