// Helpers shared by the etcd transport suites (etcd_api_suite.ts and the transport-specific files).
import assert from "node:assert/strict";
import process from "node:process";
import type { EtcdApi, WatchResponse, WatchStream } from "../../core/etcd/api.ts";
import { EtcdError } from "../../core/errors.ts";
import type { GatewayEtcdApi } from "../../runtimes/common/etcd/gateway_api.ts";
import type { GrpcEtcdApi } from "../../runtimes/common/etcd/grpc_api.ts";

/** What both transports offer: EtcdApi plus put/deleteRange/compact/leaseTimeToLive/status. */
export type TestEtcdApi = EtcdApi & Pick<GrpcEtcdApi, Exclude<keyof GatewayEtcdApi, keyof EtcdApi>>;

/**
 * For a test that waits on a real server for seconds (probes, timeouts, a child process): Bun's
 * default of 5 s per test is too short for those on a busy machine.
 */
export const SLOW_TEST_TIMEOUT_MS = 30_000;
export const enc = new TextEncoder();
export const dec = new TextDecoder();
export const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : dec.decode(b));
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh key prefix under /kmeta-test/<name>/, so runs can share one server. */
export function keyspace(name: string): { prefix: string; k: (key: string) => Uint8Array } {
  const prefix = `/kmeta-test/${name}/${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}/`;
  return { prefix, k: (key) => enc.encode(prefix + key) };
}

/** "127.0.0.1:23790" from the test script; failing (not skipping) when it is missing. */
export function endpoint(): string {
  const value = process.env.KMETA_ETCD;
  if (!value) {
    throw new Error(
      "KMETA_ETCD is not set: start etcd 3.4 (bash scripts/servers/start-etcd.sh DIR) and export KMETA_ETCD=127.0.0.1:PORT",
    );
  }
  return value;
}

export function isEtcdError(code: number, message?: string | RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof EtcdError, `expected EtcdError, got ${String(e)}`);
    assert.equal(e.grpcCode, code, e.message);
    if (typeof message === "string") assert.ok(e.message.endsWith(message), e.message);
    else if (message) assert.match(e.message, message);
    return true;
  };
}

/** Reads watch responses until `done` says stop, failing after `ms`. */
export async function readUntil(
  stream: WatchStream,
  done: (seen: WatchResponse[]) => boolean,
  ms = 5_000,
): Promise<WatchResponse[]> {
  const seen: WatchResponse[] = [];
  const it = stream.responses[Symbol.asyncIterator]();
  const deadline = performance.now() + ms;
  while (!done(seen)) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`watch: no response within ${ms} ms`)), deadline - performance.now());
    });
    try {
      const r = await Promise.race([it.next(), timeout]);
      if (r.done) throw new Error("watch stream ended");
      seen.push(r.value);
    } finally {
      clearTimeout(timer);
    }
  }
  return seen;
}
