/// <reference path="./_bun.d.ts" />
// What `kmeta serve` needs from Bun: its own listener and dial; random bytes, signals, files and
// standard error through the node: modules Bun provides, as on Node.
import type { ServeHost } from "../common/serve.ts";
import { nodeServeHost } from "../node/serve_host.ts";
import { listen } from "./listen.ts";
import { dial } from "./tcp.ts";

export const bunServeHost: ServeHost = { ...nodeServeHost, listen, dial, runtime: `bun ${Bun.version}` };
