// The CLI host on Node (and on Bun, whose process and streams are Node's); `serve` is the runtime's.
import type { KafkaMetastore } from "../../../core/api/metastore.ts";
import type { ConnectOptions } from "../../../core/connect.ts";
import type { CliHost } from "../../common/cli/host.ts";
import type { ServeHost } from "../../common/serve.ts";
import { nodeServeHost } from "../serve_host.ts";

export function nodeHost(connect: (url: string, options?: ConnectOptions) => Promise<KafkaMetastore>, serve: ServeHost = nodeServeHost): CliHost {
  return {
    args: process.argv.slice(2),
    env: (name) => process.env[name],
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    isTTY: process.stderr.isTTY === true,
    exit: (code) => {
      process.exitCode = code;
    },
    now: () => performance.now(),
    connect,
    serve,
  };
}
