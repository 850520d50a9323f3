// The kmeta command line on Bun, on Bun.listen and Bun.connect: bun runtimes/bun/cli/kmeta.ts serve
import process from "node:process";
import { connect } from "../mod.ts";
import { mainKmeta } from "../../common/cli.ts";
import { serverStores } from "../../common/serve.ts";
import { bunServeHost } from "../serve_host.ts";

mainKmeta({ connect, serveHost: bunServeHost, stores: serverStores() }, process.argv.slice(2), (code) => (process.exitCode = code));
