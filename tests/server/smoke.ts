// `kmeta serve` under the runtime running this file: started in process on the runtime's own
// listener (plain and TLS), reached by our zk:// client over the runtime's own dial; its limits
// (--max-frame-bytes, --max-unread-bytes) and its clean shutdown.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";
import type { KafkaMetastore } from "../../core/api/metastore.ts";
import type { ConnectOptions } from "../../core/connect.ts";
import type { Dial } from "../../core/transport.ts";
import { CreateMode } from "../../core/api/create_mode.ts";
import { OPEN_ACL_UNSAFE } from "../../core/api/acl.ts";
import type { ServeHost } from "../../runtimes/common/serve.ts";
import { etcdStoreArgs, startTestServer, zkStoreArgs } from "./serve.ts";
import { hello, lengthPrefix } from "./raw.ts";
import { assertSlowReaderCut } from "./slow_reader.ts";

type Connect = (url: string, options?: ConnectOptions) => Promise<KafkaMetastore>;

/** Everything the runtime's dial receives until the server closes the connection (or `ms` pass). */
async function drain(dial: Dial, hostPort: string, chunks: Uint8Array[], ms = 5000): Promise<{ closed: boolean; bytes: number }> {
  const [host, port] = hostPort.split(":");
  const channel = await dial(host!, Number(port));
  chunks.forEach((c) => channel.write(c));
  let bytes = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const read = (async () => {
    try {
      for await (const chunk of channel.incoming) bytes += chunk.length;
    } catch {
      // a reset is a close too
    }
    return true;
  })();
  const closed = await Promise.race([read, timedOut]);
  clearTimeout(timer);
  channel.close();
  return { closed, bytes };
}

/** A Kafka-like session under `chroot` (created if missing): ephemeral registration, a child watch, a Multi, close. */
async function kafkaLikeSession(connect: Connect, hostPort: string, chroot = ""): Promise<void> {
  const client = await connect(`zk://${hostPort}${chroot}`, { sessionTimeoutMs: 10000, createChrootIfNecessary: true });
  const changes: string[] = [];
  client.registerZNodeChildChangeHandler({ path: "/brokers/ids", handleChildChange: () => changes.push("ids") });
  const data = new TextEncoder().encode('{"host":"localhost","port":9092}');
  const [a, b, watched] = await client.handleRequests([
    { type: "create", path: "/brokers", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent },
    { type: "create", path: "/brokers/ids", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent },
    { type: "getChildren", path: "/brokers/ids", registerWatch: true },
  ]);
  assert.deepEqual([a!.resultCode, b!.resultCode, watched!.resultCode], [0, 0, 0]);
  const multi = await client.handleRequest({
    type: "multi",
    ops: [
      { type: "create", path: "/brokers/ids/0", data, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Ephemeral },
      { type: "setData", path: "/brokers/ids/0", data, version: -1 },
    ],
  });
  assert.deepEqual(multi.results?.map((r) => r.resultCode), [0, 0]);
  const { stat } = await client.handleRequest({ type: "exists", path: "/brokers/ids/0" });
  assert.equal(stat?.ephemeralOwner, client.sessionId);
  for (let i = 0; i < 50 && changes.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(changes, ["ids"]);
  await client.close();
  const other = await connect(`zk://${hostPort}${chroot}`);
  const gone = await other.handleRequest({ type: "exists", path: "/brokers/ids/0" });
  assert.equal(gone.resultCode, -101, "the ephemeral outlived its session");
  await other.close();
}

/** Starts servers on `host`'s listener; runs a Kafka-like session, four-letter words, TLS, limits, shutdown. */
export function serveSmoke(runtime: string, connect: Connect, dial: Dial, host: ServeHost): void {
  describe(`kmeta serve on ${runtime}`, () => {
    let server: Awaited<ReturnType<typeof startTestServer>>;
    before(async () => {
      server = await startTestServer([], () => {}, host);
    });
    after(() => server.stop());

    it("serves a session: ephemeral registration, a child watch, a Multi, close", () => kafkaLikeSession(connect, server.hostPort));

    it("serves the same session over etcd (KMETA_ETCD)", { timeout: 30_000 }, async () => {
      const overEtcd = await startTestServer(etcdStoreArgs(`smoke-${runtime.toLowerCase()}`), () => {}, host);
      try {
        await kafkaLikeSession(connect, overEtcd.hostPort);
      } finally {
        await overEtcd.stop();
      }
    });

    it("serves the same session passed on to ZooKeeper (KMETA_ZK)", { timeout: 30_000 }, async () => {
      const overZk = await startTestServer(zkStoreArgs(), () => {}, host);
      try {
        // The real ZooKeeper's tree is shared: this run works under a chroot of its own.
        await kafkaLikeSession(connect, overZk.hostPort, `/smoke-${runtime.toLowerCase()}-${Date.now().toString(36)}`);
      } finally {
        await overZk.stop();
      }
    });

    it("answers ruok and srvr on the client port", async () => {
      const [host, port] = server.hostPort.split(":");
      const ask = async (word: string) => {
        const channel = await dial(host!, Number(port));
        channel.write(new TextEncoder().encode(word));
        let text = "";
        for await (const chunk of channel.incoming) text += new TextDecoder().decode(chunk);
        return text;
      };
      assert.equal(await ask("ruok"), "imok");
      assert.match(await ask("srvr"), /^Zookeeper version: .*\nLatency min\/avg\/max: .*\nMode: standalone\n/s);
    });

    it("serves Prometheus metrics on --metrics", async (t) => {
      const scraped = await startTestServer(["--metrics", "127.0.0.1:0"], () => {}, host);
      t.after(() => scraped.stop());
      const response = await fetch(`http://127.0.0.1:${scraped.listeners[1]!.port}/metrics`);
      assert.equal(response.status, 200);
      assert.match(await response.text(), /^# HELP /m);
    });

    it("serves TLS with and without client certificates (--ca) beside the plain port", async (t) => {
      const dir = process.env.KMETA_ZK_TLS_DIR;
      if (!dir) throw new Error("KMETA_ZK_TLS_DIR is not set (scripts/servers/zk-tls.sh makes the certificates)");
      const file = (name: string) => readFileSync(`${dir}/${name}`, "utf8");
      const secure = ["--secure-listen", "127.0.0.1:0", "--cert", `${dir}/server.pem`, "--key", `${dir}/server.key`];
      const bare = await startTestServer(secure, () => {}, host);
      t.after(() => bare.stop());
      const withCa = await startTestServer([...secure, "--ca", `${dir}/ca.pem`], () => {}, host);
      t.after(() => withCa.stop());
      const cases = [
        { server: bare, tls: { ca: file("ca.pem") } },
        { server: withCa, tls: { ca: file("ca.pem"), cert: file("client.pem"), key: file("client.key") } },
      ];
      for (const [i, { server: s, tls }] of cases.entries()) {
        const client = await connect(`zk://127.0.0.1:${s.listeners[1]!.port}`, { zk: { tls } });
        const created = await client.handleRequest({ type: "create", path: `/tls-${i}`, data: new Uint8Array(70000), acl: OPEN_ACL_UNSAFE, mode: 0 });
        assert.equal(created.resultCode, 0);
        assert.equal((await client.handleRequest({ type: "getData", path: `/tls-${i}` })).data?.length, 70000);
        await client.close();
        const plain = await connect(`zk://${s.hostPort}`);
        assert.equal((await plain.handleRequest({ type: "exists", path: `/tls-${i}` })).resultCode, 0);
        await plain.close();
      }
      // A plain-text client on the TLS port fails its handshake alone.
      assert.equal((await drain(dial, `127.0.0.1:${bare.listeners[1]!.port}`, [hello()])).closed, true);
      const again = await connect(`zk://127.0.0.1:${bare.listeners[1]!.port}`, { zk: { tls: cases[0]!.tls } });
      assert.equal((await again.handleRequest({ type: "exists", path: "/tls-0" })).resultCode, 0);
      await again.close();
    });

    it("closes a connection that announces a frame over --max-frame-bytes; others are served", async (t) => {
      const small = await startTestServer(["--max-frame-bytes", "65536"], () => {}, host);
      t.after(() => small.stop());
      assert.equal((await drain(dial, small.hostPort, [hello(), lengthPrefix(65537)])).closed, true);
      const client = await connect(`zk://${small.hostPort}`);
      assert.equal((await client.handleRequest({ type: "exists", path: "/" })).resultCode, 0);
      await client.close();
    });

    it("a client that never reads its replies loses its connection (--max-unread-bytes); others are served", { timeout: 60_000 }, async (t) => {
      await assertSlowReaderCut((args, log) => startTestServer(args, log, host), connect, (fn) => t.after(fn));
    });

    it("stops cleanly: accepting ends, connections are closed after their replies, stop() returns", async () => {
      const stopping = await startTestServer([], () => {}, host);
      const client = await connect(`zk://${stopping.hostPort}`, { sessionTimeoutMs: 10000 });
      await client.handleRequest({ type: "create", path: "/kept", data: new Uint8Array(100), acl: OPEN_ACL_UNSAFE, mode: 0 });
      const [h, port] = stopping.hostPort.split(":");
      const raw = await dial(h!, Number(port));
      raw.write(hello());
      const rawEnded = (async () => {
        let bytes = 0;
        try {
          for await (const chunk of raw.incoming) bytes += chunk.length;
        } catch {
          // a reset is an end too
        }
        return bytes;
      })();
      const sentBefore = stopping.server.stats.packetsSent;
      for (let i = 0; i < 50 && stopping.server.stats.packetsSent === sentBefore; i++) await new Promise((r) => setTimeout(r, 20));
      await stopping.stop();
      assert.ok((await rawEnded) > 0, "the raw connection got no ConnectResponse before the server closed it");
      await assert.rejects(dial(h!, Number(port), { timeoutMs: 3000 }), "the stopped server still accepts connections");
      await client.close().catch(() => {});
    });
  });
}
