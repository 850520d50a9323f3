// What the kmeta commands need from a runtime. Every command is written once against this object;
// runtimes/{node,deno,bun}/cli/kmeta.ts build it from their globals, tests build one in memory.
import type { KafkaMetastore } from "../../../core/api/metastore.ts";
import type { ConnectOptions } from "../../../core/connect.ts";
import type { ServeHost } from "../serve.ts";

/** A runtime as the CLI sees it. */
export interface CliHost {
  /** Arguments after the program name. */
  args: readonly string[];
  env(name: string): string | undefined;
  /** Writes text to standard output as it is (no newline added). */
  stdout(text: string): void;
  /** Writes text to standard error as it is. */
  stderr(text: string): void;
  /** Standard error is a terminal: progress is drawn as a bar there, as plain lines otherwise. */
  isTTY: boolean;
  /** Ends the program with this code (after the output is flushed). */
  exit(code: number): void;
  /** Monotonic milliseconds, for rates and ETAs. */
  now(): number;
  connect(url: string, options?: ConnectOptions): Promise<KafkaMetastore>;
  /** What `kmeta serve` runs on; its `onStop` also ends `watch`. */
  serve: ServeHost;
}
