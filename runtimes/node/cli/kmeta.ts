#!/usr/bin/env node
// kmeta on Node (the npm package's bin): the commands are runtimes/common/cli; this file only builds
// their host, with Node's listener and dial for `serve`.
import { connect } from "../mod.ts";
import { nodeHost } from "./node_host.ts";
import { kmeta } from "../../common/cli/kmeta.ts";

const host = nodeHost(connect);
host.exit(await kmeta(host));
