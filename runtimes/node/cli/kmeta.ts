#!/usr/bin/env node
// The kmeta command line. Subcommands grow with the project: `demo` walks a Kafka metadata session.
import { connect } from "../mod.ts";
import { runDemo } from "../../common/demo.ts";
import { runServe, serverStores } from "../../common/serve.ts";
import { nodeServeHost } from "../serve_host.ts";
import { VERSION } from "../../../core/version.ts";

const USAGE = `Usage: kmeta <command> [args]

Commands:
  serve [flags] a ZooKeeper-protocol server over a store (kmeta serve --help)
  demo [url]   walk through a Kafka-style metadata session (default url: memory://)
  help         show this text (also -h, --help)
  version      print the version (also -V, --version)`;

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case "serve":
      return await runServe(nodeServeHost, rest, serverStores());
    case "demo":
      await runDemo(connect, rest[0] ?? "memory://", (line) => console.log(line));
      return 0;
    case "version":
    case "--version":
    case "-V":
      console.log(`kmeta ${VERSION}`);
      return 0;
    case undefined:
    case "help":
    case "-h":
    case "--help":
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`kmeta: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`kmeta: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
