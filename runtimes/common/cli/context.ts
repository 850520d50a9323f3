// What a running kmeta command holds: its flags, its output, the stores it opened, and the
// errors that end it with one line and an exit code.
import type { KafkaMetastore } from "../../../core/api/metastore.ts";
import type { ConnectOptions } from "../../../core/connect.ts";
import type { Response } from "../../../core/api/responses.ts";
import { codeName, ErrorCode, isKeeperError } from "../../../core/errors.ts";
import { parseConnectString } from "../../../core/connect_string.ts";
import { UsageError } from "../usage_error.ts";
import type { FlagKind, FlagSpec, ParsedArgs } from "./args.ts";
import type { CliHost } from "./host.ts";

/** kmeta's exit codes. */
export const ExitCode = {
  Ok: 0,
  /** The store refused (a missing node, a bad version), the trees differ, or a znode holds bad data. */
  Failed: 1,
  /** An unknown command or flag, a bad value, no store given. */
  Usage: 2,
  /** The store did not answer. */
  Unreachable: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the user should read as one line; `exitCode` says what kind. */
export class CliError extends Error {
  override name = "CliError";
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = ExitCode.Failed) {
    super(message);
    this.exitCode = exitCode;
  }
}

const SESSION_TIMEOUT_MS = 30000;

/** Flags every command takes. */
export const GLOBAL_FLAGS: Readonly<Record<string, FlagKind>> = { store: "string", json: "boolean", timeout: "int", help: "boolean" };

/** One kmeta subcommand. */
export interface Command {
  name: string;
  /** `ls PATH`: the line in kmeta's usage. */
  synopsis: string;
  summary: string;
  /** Extra text for `kmeta CMD --help`. */
  help?: string;
  spec: FlagSpec;
  /** Positional arguments: at least `min`, at most `max`. */
  args: { min: number; max: number };
  run(ctx: Context): Promise<ExitCode | void>;
}

const PHRASES: Partial<Record<number, string>> = {
  [ErrorCode.NoNode]: "does not exist",
  [ErrorCode.NodeExists]: "already exists",
  [ErrorCode.NotEmpty]: "has children",
  [ErrorCode.BadVersion]: "is at another version",
  [ErrorCode.NoAuth]: "is not allowed with these credentials",
  [ErrorCode.NoChildrenForEphemerals]: "is ephemeral and cannot have children",
};

/** "/x does not exist (NoNode)" */
export function describeCode(path: string, code: number): string {
  const phrase = PHRASES[code];
  return phrase ? `${path} ${phrase} (${codeName(code)})` : `${path}: ${codeName(code)}`;
}

/** Throws a CliError for a response that is not OK. */
export function check<R extends Response>(response: R, path: string = response.path ?? "/"): R {
  if (response.resultCode !== ErrorCode.Ok) throw new CliError(describeCode(path, response.resultCode));
  return response;
}

/** A running command. */
export class Context {
  readonly host: CliHost;
  readonly command: string;
  readonly flags: ParsedArgs["flags"];
  readonly positionals: string[];
  readonly #open: KafkaMetastore[] = [];

  constructor(host: CliHost, command: string, parsed: ParsedArgs) {
    this.host = host;
    this.command = command;
    this.flags = parsed.flags;
    this.positionals = parsed.positionals;
  }

  get json(): boolean {
    return this.flags.get("json") === true;
  }

  string(name: string): string | undefined {
    return this.flags.get(name) as string | undefined;
  }

  int(name: string): number | undefined {
    return this.flags.get(name) as number | undefined;
  }

  bool(name: string): boolean {
    return this.flags.get(name) === true;
  }

  print(line: string): void {
    this.host.stdout(`${line}\n`);
  }

  /** The store of --store, else $KMETA_STORE. @throws {CliError} Usage when neither is set. */
  storeUrl(): string {
    const url = this.string("store") ?? this.host.env("KMETA_STORE");
    if (!url) throw new CliError(`no store: pass --store URL or set KMETA_STORE (zk://HOST:PORT, etcd://HOST:PORT, memory://)`, ExitCode.Usage);
    return url;
  }

  /** Connects to `url` (default: the command's store); closed when the command ends. */
  async open(url: string = this.storeUrl(), options: ConnectOptions = {}, what = "--store"): Promise<KafkaMetastore> {
    try {
      parseConnectString(url);
    } catch (e) {
      throw new UsageError(`${what}: ${oneLine(e)}`);
    }
    const timeoutMs = this.int("timeout") ?? 10000;
    try {
      // A long session timeout: a migration of a large tree keeps a busy machine's event loop for seconds.
      const client = await this.host.connect(url, { connectionTimeoutMs: timeoutMs, sessionTimeoutMs: SESSION_TIMEOUT_MS, onHandlerError: () => {}, ...options });
      this.#open.push(client);
      return client;
    } catch (e) {
      throw new CliError(`cannot reach ${redact(url)}: ${oneLine(e)}`, ExitCode.Unreachable);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#open.map((c) => c.close()));
  }
}

/** An error's message on one line, without the stack. */
export function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
}

/** The exit code for what a command threw, and the line to print. */
export function failure(e: unknown): { code: ExitCode; line: string } {
  if (e instanceof CliError) return { code: e.exitCode, line: e.message };
  if (e instanceof UsageError) return { code: ExitCode.Usage, line: e.message };
  if (isKeeperError(e, ErrorCode.ConnectionLoss) || isKeeperError(e, ErrorCode.OperationTimeout) || isKeeperError(e, ErrorCode.SessionExpired)) {
    return { code: ExitCode.Unreachable, line: `lost the store: ${oneLine(e)}` };
  }
  return { code: ExitCode.Failed, line: oneLine(e) };
}

/** A URL as output may show it: without a password. */
export function redact(url: string): string {
  return url.replace(/\/\/[^/@]*@/, "//***@");
}
