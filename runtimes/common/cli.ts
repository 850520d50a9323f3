// The kmeta command line, written once; each runtime's cli/kmeta.ts brings its connect and its serve host.
// Subcommands grow with the project: `demo` walks a Kafka metadata session.
import type { KafkaMetastore } from "../../core/api/metastore.ts";
import { runDemo } from "./demo.ts";
import { runServe, type ServeHost, type ServerStoreFactory } from "./serve.ts";
import { VERSION } from "../../core/version.ts";

const USAGE = `Usage: kmeta <command> [args]

Commands:
  serve [flags] a ZooKeeper-protocol server over a store (kmeta serve --help)
  demo [url]   walk through a Kafka-style metadata session (default url: memory://)
  help         show this text (also -h, --help)
  version      print the version (also -V, --version)`;

/** What a runtime gives the command line. */
export interface CliRuntime {
  connect: (url: string) => Promise<KafkaMetastore>;
  serveHost: ServeHost;
  stores: ServerStoreFactory;
}

/** Runs `kmeta ARGS`; resolves with the exit code. */
export async function runKmeta(runtime: CliRuntime, args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case "serve":
      return await runServe(runtime.serveHost, rest, runtime.stores);
    case "demo":
      await runDemo(runtime.connect, rest[0] ?? "memory://", (line) => console.log(line));
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

/** Runs the command line and sets the exit code; an unexpected failure is one line, no stack. */
export function mainKmeta(runtime: CliRuntime, args: readonly string[], exit: (code: number) => void): void {
  runKmeta(runtime, args).then(exit, (error) => {
    console.error(`kmeta: ${error instanceof Error ? error.message : String(error)}`);
    exit(1);
  });
}
