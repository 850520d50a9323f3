// kmeta on Bun: `bun runtimes/bun/cli/kmeta.ts ls /`. Bun's process and streams are Node's, so the
// host is Node's; the store connections and serve's listener are Bun's own (Bun.connect, Bun.listen).
import { connect } from "../mod.ts";
import { kmeta } from "../../common/cli/kmeta.ts";
import { nodeHost } from "../../node/cli/node_host.ts";
import { bunServeHost } from "../serve_host.ts";

const host = nodeHost(connect, bunServeHost);
host.exit(await kmeta(host));
