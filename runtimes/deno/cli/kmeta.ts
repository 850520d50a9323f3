// kmeta on Deno: `deno run -A runtimes/deno/cli/kmeta.ts ls /` (`serve` needs --allow-net, and
// --allow-read for --cert, --key, --ca). The commands are runtimes/common/cli; this file only builds
// their host, with Deno's own listener and dial for `serve`.
import { connect } from "../mod.ts";
import { kmeta } from "../../common/cli/kmeta.ts";
import type { CliHost } from "../../common/cli/host.ts";
import { denoServeHost } from "../serve_host.ts";

const encoder = new TextEncoder();
const writeAll = (out: { writeSync(bytes: Uint8Array): number }, text: string) => {
  const bytes = encoder.encode(text);
  for (let at = 0; at < bytes.length;) at += out.writeSync(bytes.subarray(at));
};

const host: CliHost = {
  args: Deno.args,
  env: (name) => Deno.env.get(name),
  stdout: (text) => writeAll(Deno.stdout, text),
  stderr: (text) => writeAll(Deno.stderr, text),
  isTTY: Deno.stderr.isTerminal(),
  exit: (code) => Deno.exit(code),
  now: () => performance.now(),
  connect,
  serve: denoServeHost,
};
host.exit(await kmeta(host));
