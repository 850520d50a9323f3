#!/usr/bin/env node
// The kmeta command line on Node (the npm package's bin): Node's listener and dial.
import { connect } from "../mod.ts";
import { mainKmeta } from "../../common/cli.ts";
import { serverStores } from "../../common/serve.ts";
import { nodeServeHost } from "../serve_host.ts";

mainKmeta({ connect, serveHost: nodeServeHost, stores: serverStores() }, process.argv.slice(2), (code) => (process.exitCode = code));
