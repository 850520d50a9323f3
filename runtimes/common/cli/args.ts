// Flags of the kmeta commands: `--name value`, `--name=value`, short aliases, `--` ending flags.
// Anything the spec does not name is a UsageError, so a typo never runs a command.
import { UsageError } from "../usage_error.ts";

/** A flag's kind: a switch, a string, or a non-negative integer. */
export type FlagKind = "boolean" | "string" | "int";

/** Flags a command takes: long name (without "--") -> kind; `aliases` maps "-e" to "ephemeral". */
export interface FlagSpec {
  flags: Readonly<Record<string, FlagKind>>;
  aliases?: Readonly<Record<string, string>>;
}

export interface ParsedArgs {
  flags: Map<string, string | number | boolean>;
  positionals: string[];
}

/** Parses `args` against `spec`. @throws {UsageError} for an unknown flag or a missing/bad value. */
export function parseArgs(args: readonly string[], spec: FlagSpec): ParsedArgs {
  const flags = new Map<string, string | number | boolean>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-" || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const written = eq > 0 ? arg.slice(0, eq) : arg;
    const name = written.startsWith("--") ? written.slice(2) : spec.aliases?.[written];
    const kind = name === undefined ? undefined : spec.flags[name];
    if (name === undefined || kind === undefined) throw new UsageError(`unknown flag "${written}"`);
    if (kind === "boolean") {
      if (eq > 0) throw new UsageError(`${written} takes no value`);
      flags.set(name, true);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`${written} needs a value`);
    if (kind === "int") {
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`${written} wants a non-negative integer, got "${value}"`);
      flags.set(name, Number(value));
    } else {
      flags.set(name, value);
    }
  }
  return { flags, positionals };
}
