// The fault tests' workload: a tree per case and one client's mixed load (creates, setData on a
// register, getData, multi), every operation recorded with its invocation time, end time and result.
import assert from "node:assert/strict";
import { type ConnectOptions, CreateMode, ErrorCode, type KafkaMetastore, OPEN_ACL_UNSAFE, type Request, type Response } from "../../../core/mod.ts";
import { bytes, create, sleep } from "../../conformance/helpers.ts";
import { Stalls } from "../stalls.ts";

/** One operation of the load: what it was, when it was invoked and ended (performance.now()), its result. */
export interface Op {
  kind: "create" | "setData" | "getData" | "multi";
  /** The value a setData wrote. */
  value?: string;
  /** The node a create or multi created. */
  path?: string;
  start: number;
  end: number;
  code: number;
}

/** Options for the fault tests' clients: a bounded connect and the given session and request timeouts. */
export function clientOptions(sessionTimeoutMs: number, requestTimeoutMs: number): ConnectOptions {
  return { sessionTimeoutMs, connectionTimeoutMs: 10_000, etcd: { requestTimeoutMs } };
}

/** A fresh tree `root` with c/ and m/ (create targets), reg (the register), watched, and `eph` (an ephemeral of `client`). */
export async function createTree(client: KafkaMetastore): Promise<{ root: string; eph: string; watched: string; reg: string }> {
  const root = `/f-${Math.random().toString(36).slice(2, 8)}`;
  const tree = { root, eph: `${root}/eph`, watched: `${root}/watched`, reg: `${root}/reg` };
  const requests = [create(root), create(`${root}/c`), create(`${root}/m`), create(tree.reg), create(tree.watched), create(tree.eph, null, CreateMode.Ephemeral)];
  for (const r of await client.handleRequests(requests)) assert.equal(r.resultCode, ErrorCode.Ok, `set-up ${r.path}`);
  return tree;
}

/** The register's value a write left: setData's own, or "m<i>" for the i-th multi. */
export function writtenValue(op: Op): string {
  return op.kind === "setData" ? op.value! : `m${op.path!.split("/n").at(-1)}`;
}

/**
 * Runs the mixed load on `client` under `root` (from createTree) until stop(), one operation at a
 * time, and watches for stalls of this process meanwhile.
 */
export class Load {
  readonly ops: Op[] = [];
  readonly stalls = new Stalls();
  readonly #client: KafkaMetastore;
  #stopped = false;
  readonly #done: Promise<void>;

  constructor(client: KafkaMetastore, root: string) {
    this.#client = client;
    this.#done = this.#run(root);
  }

  async stop(): Promise<Op[]> {
    this.#stopped = true;
    await this.#done;
    this.stalls.stop();
    return this.ops;
  }

  async #run(root: string): Promise<void> {
    for (let i = 0; !this.#stopped; i++) {
      await this.#op({ kind: "create", path: `${root}/c/n${i}` }, create(`${root}/c/n${i}`));
      await this.#op({ kind: "setData", value: `v${i}` }, { type: "setData", path: `${root}/reg`, data: bytes(`v${i}`), version: -1 });
      await this.#op({ kind: "getData" }, { type: "getData", path: `${root}/reg` });
      await this.#op({ kind: "multi", path: `${root}/m/n${i}` }, {
        type: "multi",
        ops: [
          { type: "create", path: `${root}/m/n${i}`, data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent },
          { type: "setData", path: `${root}/reg`, data: bytes(`m${i}`), version: -1 },
        ],
      });
      await sleep(5);
    }
  }

  async #op(op: Omit<Op, "start" | "end" | "code">, request: Request): Promise<Response> {
    const start = performance.now();
    const r = await this.#client.handleRequest(request);
    this.ops.push({ ...op, start, end: performance.now(), code: r.resultCode });
    return r;
  }
}

/** Sets `path` once through `client`, retrying while the cluster elects a leader (at most 15 s). */
export async function setOnce(client: KafkaMetastore, path: string): Promise<void> {
  const since = performance.now();
  for (;;) {
    const r = await client.handleRequest({ type: "setData", path, data: bytes("changed"), version: 0 });
    // BadVersion: an earlier attempt reported ConnectionLoss but applied.
    if (r.resultCode === ErrorCode.Ok || r.resultCode === ErrorCode.BadVersion) return;
    assert.equal(r.resultCode, ErrorCode.ConnectionLoss, `setData: ${r.resultCode}`);
    assert.ok(performance.now() - since < 15_000, `could not set ${path} within 15 s`);
    await sleep(50);
  }
}
