// Small helpers shared by the conformance suites (test code: real timers are fine here).
import assert from "node:assert/strict";
import {
  CreateMode,
  type CreateRequest,
  codeName,
  type KafkaMetastore,
  type MetastoreOptions,
  OPEN_ACL_UNSAFE,
  type Response,
} from "../../core/mod.ts";
import type { ConformanceTarget, Namespace } from "./target.ts";

const encoder = new TextEncoder();

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function create(path: string, data: Uint8Array | null = null, mode: CreateMode = CreateMode.Persistent): CreateRequest {
  return { type: "create", path, data, acl: OPEN_ACL_UNSAFE, mode };
}

/** Asserts a response's code, naming codes in the message. */
export function assertCode(response: Response, expected: number, what = ""): void {
  assert.equal(
    response.resultCode,
    expected,
    `${what || response.type} ${response.path ?? ""}: expected ${codeName(expected)}, got ${codeName(response.resultCode)}`,
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `condition()` holds, failing after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Runs `body` with a fresh namespace and one open client, closing everything after. */
export async function withClient(
  target: ConformanceTarget,
  body: (client: KafkaMetastore, ns: Namespace) => Promise<void>,
  options?: MetastoreOptions,
): Promise<void> {
  const ns = await target.namespace();
  const client = await ns.open(options);
  try {
    await body(client, ns);
  } finally {
    await client.close();
    await ns.dispose();
  }
}

/** A counter of handler calls by name. */
export function calls(): { count(name: string): number; hit(name: string): () => void; log: string[] } {
  const log: string[] = [];
  return {
    log,
    count: (name) => log.filter((n) => n === name).length,
    hit: (name) => () => void log.push(name),
  };
}
