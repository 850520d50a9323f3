// `kmeta serve` under the runtime running this file: started in process (its listener is node:net,
// which Deno and Bun provide), reached by our zk:// client over the runtime's own dial.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { KafkaMetastore } from "../../core/api/metastore.ts";
import type { ConnectOptions } from "../../core/connect.ts";
import type { Dial } from "../../core/transport.ts";
import { CreateMode } from "../../core/api/create_mode.ts";
import { OPEN_ACL_UNSAFE } from "../../core/api/acl.ts";
import { startTestServer } from "./serve.ts";

/** Starts a server, runs a Kafka-like session on it, asks it `ruok` and `srvr`. */
export function serveSmoke(runtime: string, connect: (url: string, options?: ConnectOptions) => Promise<KafkaMetastore>, dial: Dial): void {
  describe(`kmeta serve on ${runtime}`, () => {
    let server: Awaited<ReturnType<typeof startTestServer>>;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server.stop());

    it("serves a session: ephemeral registration, a child watch, a Multi, close", async () => {
      const client = await connect(`zk://${server.hostPort}`, { sessionTimeoutMs: 10000 });
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
      const other = await connect(`zk://${server.hostPort}`);
      const gone = await other.handleRequest({ type: "exists", path: "/brokers/ids/0" });
      assert.equal(gone.resultCode, -101, "the ephemeral outlived its session");
      await other.close();
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
  });
}
