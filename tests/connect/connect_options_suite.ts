// What connect() does for a user beyond opening a session, on every store: the chroot created when
// asked (Kafka's createChrootIfNecessary), handler errors logged by default, a closed client saying
// so; and `kmeta demo` leaving a real store as it found it.
// Env: KMETA_ZK and KMETA_ETCD=host:port (required: these tests fail, never skip, without them).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { runDemo } from "../../runtimes/common/demo.ts";
import { ClientClosedError, type ConnectOptions, CreateMode, ErrorCode, type KafkaMetastore, OPEN_ACL_UNSAFE } from "../../core/mod.ts";

type Connect = (url: string, options?: ConnectOptions) => Promise<KafkaMetastore>;

const create = (path: string) => ({ type: "create", path, data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent }) as const;

function stores(): [string, string][] {
  const need = (name: string) => {
    const v = process.env[name];
    if (!v) throw new Error(`${name}=host:port is not set (scripts/test.sh starts the servers)`);
    return v;
  };
  return [["memory", `memory://options-${Math.random().toString(36).slice(2)}`], ["zk", `zk://${need("KMETA_ZK")}`], ["etcd", `etcd://${need("KMETA_ETCD")}`]];
}

/** Deletes `path` and everything under it. */
async function deleteTree(client: KafkaMetastore, path: string): Promise<void> {
  const { children } = await client.handleRequest({ type: "getChildren", path, registerWatch: false });
  for (const child of children) await deleteTree(client, `${path === "/" ? "" : path}/${child}`);
  await client.handleRequest({ type: "delete", path, version: -1 });
}

/** Bun's default is 5 s per test; these wait out connection timeouts, several times over on a loaded machine. */
const TEST_TIMEOUT_MS = 120_000;

export function connectOptionsSuite(name: string, connect: Connect): void {
  describe(`${name}: connect() options`, () => {
    it("a chroot that does not exist answers NoNode; createChrootIfNecessary creates it and its parents", { timeout: TEST_TIMEOUT_MS }, async () => {
      for (const [store, base] of stores()) {
        const top = `/kmeta-chroot-${Math.random().toString(36).slice(2)}`;
        const url = `${base}${top}/kafka`;
        const plain = await connect(url, { connectionTimeoutMs: 10_000 });
        assert.equal((await plain.handleRequest(create("/brokers"))).resultCode, ErrorCode.NoNode, `${store}: no chroot yet`);
        await plain.close();
        const made = await connect(url, { connectionTimeoutMs: 10_000, createChrootIfNecessary: true });
        assert.equal((await made.handleRequest(create("/brokers"))).resultCode, ErrorCode.Ok, `${store}: under the new chroot`);
        await made.close();
        const again = await connect(url, { connectionTimeoutMs: 10_000, createChrootIfNecessary: true }); // exists: fine
        await again.close();
        const root = await connect(base, { connectionTimeoutMs: 10_000 });
        const stat = (await root.handleRequest({ type: "exists", path: `${top}/kafka/brokers` })).stat;
        assert.ok(stat, `${store}: the node lives under the chroot`);
        await deleteTree(root, top);
        await root.close();
      }
    });

    it("a request or wait after close() throws ClientClosedError, not SessionExpired", { timeout: TEST_TIMEOUT_MS }, async () => {
      for (const [store, url] of stores()) {
        const client = await connect(url, { connectionTimeoutMs: 10_000 });
        await client.close();
        await assert.rejects(client.handleRequest({ type: "exists", path: "/" }), ClientClosedError, store);
        await assert.rejects(client.waitUntilConnected(), ClientClosedError, store);
      }
    });

    it("kmeta demo on zk:// and etcd:// runs under a scratch chroot and removes it, leaving no Kafka path behind", { timeout: TEST_TIMEOUT_MS }, async () => {
      for (const [store, url] of stores().slice(1)) {
        const lines: string[] = [];
        await runDemo(connect, url, (line) => lines.push(line));
        const scratch = /scratch chroot (\/kmeta-demo-\w+)/.exec(lines[0] ?? "")?.[1];
        assert.ok(scratch, `${store}: ${lines[0]}`);
        assert.ok(lines.some((l) => l.includes(`removed ${scratch}`)), `${store}: removed`);
        assert.ok(lines.some((l) => l.includes("with a stale version: BadVersion")), `${store}: the demo ran`);
        const root = await connect(url, { connectionTimeoutMs: 10_000 });
        assert.equal((await root.handleRequest({ type: "exists", path: scratch })).resultCode, ErrorCode.NoNode, store);
        await root.close();
      }
    });

    it("a handler that throws is logged by default (console.error), and the client carries on", { timeout: TEST_TIMEOUT_MS }, async () => {
      const logged: unknown[][] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => void logged.push(args);
      try {
        const client = await connect("memory://");
        const path = `/logged-${Math.random().toString(36).slice(2)}`;
        client.registerZNodeChangeHandler({ path, handleCreation: () => { throw new Error("handler bug"); } });
        await client.handleRequest({ type: "exists", path });
        await client.handleRequest(create(path));
        for (let i = 0; i < 100 && logged.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
        assert.equal((await client.handleRequest({ type: "delete", path, version: -1 })).resultCode, ErrorCode.Ok);
        await client.close();
      } finally {
        console.error = original;
      }
      assert.equal(logged.length, 1);
      assert.match(String(logged[0]![0]), /handler "\/logged-\w+" threw/);
      assert.equal((logged[0]![1] as Error).message, "handler bug");
    });
  });
}
