// The kmeta command line on Deno, on Deno's own listener and dial:
//   deno run --allow-net runtimes/deno/cli/kmeta.ts serve     (and --allow-read for --cert, --key, --ca)
import process from "node:process";
import { connect } from "../mod.ts";
import { mainKmeta } from "../../common/cli.ts";
import { serverStores } from "../../common/serve.ts";
import { denoServeHost } from "../serve_host.ts";

mainKmeta({ connect, serveHost: denoServeHost, stores: serverStores() }, process.argv.slice(2), (code) => (process.exitCode = code));
