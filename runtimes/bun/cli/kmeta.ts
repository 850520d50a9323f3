// kmeta on Bun: `bun runtimes/bun/cli/kmeta.ts ls /`. Bun's process and streams are Node's, so the
// host is Node's; the store connections are Bun's own (Bun.connect).
import { connect } from "../mod.ts";
import { kmeta } from "../../common/cli/kmeta.ts";
import { nodeHost } from "../../node/cli/node_host.ts";

const host = nodeHost(connect, `bun ${Bun.version}`);
host.exit(await kmeta(host));
