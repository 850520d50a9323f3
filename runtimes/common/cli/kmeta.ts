// The kmeta dispatcher: one table of commands for every runtime. `serve` and `demo` keep their own
// flags and defaults (memory://); every other command needs --store or $KMETA_STORE.
import { VERSION } from "../../../core/version.ts";
import { runDemo } from "../demo.ts";
import { runServe, serverStores } from "../serve.ts";
import { parseArgs } from "./args.ts";
import { type Command, Context, ExitCode, failure, GLOBAL_FLAGS } from "./context.ts";
import type { CliHost } from "./host.ts";
import { NODE_COMMANDS } from "./node_commands.ts";
import { KAFKA_COMMAND } from "./kafka_commands.ts";
import { DIFF_COMMAND, MIGRATE_COMMAND } from "./migrate_commands.ts";

const COMMANDS: readonly Command[] = [...NODE_COMMANDS, KAFKA_COMMAND, MIGRATE_COMMAND, DIFF_COMMAND];

function usage(): string {
  const short = (c: Command) => (c.synopsis.length <= 30 ? c.synopsis : `${c.name} ...`);
  const width = Math.max(...COMMANDS.map((c) => short(c).length), 20);
  const line = (synopsis: string, summary: string) => `  ${synopsis.padEnd(width)}  ${summary}`;
  return [
    "Usage: kmeta [--store URL] [--json] [--timeout MS] <command> [args]",
    "",
    "Stores: zk://HOST:PORT[,HOST:PORT][/chroot], etcd://HOST:PORT[/chroot] (etcds:// for TLS), memory://",
    "--store may also come from $KMETA_STORE. Exit codes: 0 done, 1 refused or different, 2 bad usage, 3 store unreachable.",
    "",
    "Commands:",
    line("serve [flags]", "a ZooKeeper-protocol server over a store (kmeta serve --help)"),
    line("demo [URL]", "walk through a Kafka-style metadata session (default memory://)"),
    ...COMMANDS.map((c) => line(short(c), c.summary)),
    line("version", "print the version (also -V, --version)"),
    line("help [command]", "this text, or a command's (also -h, --help; `kmeta help migrate`)"),
  ].join("\n");
}

function commandHelp(c: Command): string {
  return [`Usage: kmeta [--store URL] [--json] ${c.synopsis}`, "", c.summary, ...(c.help ? ["", c.help] : [])].join("\n");
}

/** The global flags may come before the command: `kmeta --store URL ls /`. */
function splitCommand(args: readonly string[]): { command: string | undefined; rest: string[] } {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--store" || arg === "--timeout") {
      rest.push(arg, ...(i + 1 < args.length ? [args[++i]!] : []));
    } else if (arg.startsWith("--store=") || arg.startsWith("--timeout=") || arg === "--json") {
      rest.push(arg);
    } else {
      return { command: arg, rest: [...rest, ...args.slice(i + 1)] };
    }
  }
  return { command: undefined, rest };
}

/** Runs kmeta with the host's arguments; returns the exit code. Never throws. */
export async function kmeta(host: CliHost): Promise<number> {
  const err = (line: string) => host.stderr(`${line}\n`);
  const { command, rest } = splitCommand(host.args);
  switch (command) {
    case "serve":
      return await runServe({ ...host.serve, log: err }, rest, serverStores(host.serve));
    case "demo":
      try {
        await runDemo(host.connect, rest[0] ?? "memory://", (line) => host.stdout(`${line}\n`));
        return ExitCode.Ok;
      } catch (e) {
        err(`kmeta demo: ${failure(e).line}`);
        return failure(e).code;
      }
    case "version":
    case "--version":
    case "-V":
      host.stdout(`kmeta ${VERSION}\n`);
      return ExitCode.Ok;
    case undefined:
    case "help":
    case "-h":
    case "--help": {
      const about = COMMANDS.find((c) => c.name === rest[0]);
      host.stdout(`${about ? commandHelp(about) : usage()}\n`);
      return command === undefined ? ExitCode.Usage : ExitCode.Ok;
    }
  }
  const found = COMMANDS.find((c) => c.name === command);
  if (!found) {
    err(command.startsWith("-") ? `kmeta: unknown flag "${command}" (kmeta help lists them)` : `kmeta: unknown command "${command}" (kmeta help lists them)`);
    return ExitCode.Usage;
  }
  return await runCommand(host, found, rest);
}

async function runCommand(host: CliHost, c: Command, args: readonly string[]): Promise<number> {
  let ctx: Context | undefined;
  try {
    const parsed = parseArgs(args, { flags: { ...GLOBAL_FLAGS, ...c.spec.flags }, aliases: { "-h": "help", ...c.spec.aliases } });
    if (parsed.flags.get("help")) {
      host.stdout(`${commandHelp(c)}\n`);
      return ExitCode.Ok;
    }
    const n = parsed.positionals.length;
    if (n < c.args.min || n > c.args.max) {
      host.stderr(`kmeta ${c.name}: ${n < c.args.min ? "missing arguments" : `unexpected argument "${parsed.positionals[c.args.max]}"`}; usage: kmeta ${c.synopsis}\n`);
      return ExitCode.Usage;
    }
    ctx = new Context(host, c.name, parsed);
    return (await c.run(ctx)) ?? ExitCode.Ok;
  } catch (e) {
    const { code, line } = failure(e);
    host.stderr(`kmeta ${c.name}: ${line}\n`);
    return code;
  } finally {
    await ctx?.close();
  }
}
