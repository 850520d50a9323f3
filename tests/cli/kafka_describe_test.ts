// `kmeta kafka describe` next to Kafka's own `kafka-topics.sh --describe` on a real Kafka 3.9.2 broker
// (ZooKeeper mode) on the real ZooKeeper 3.8 (KMETA_ZK), and `kmeta kafka brokers/controller` next to
// what the broker registered. The jars come from scripts/fetch-kafka.sh (cached in ~/.cache/kmeta).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect } from "../../runtimes/node/mod.ts";
import { type Broker, kafkaLib, runTool, startBroker } from "../kafka/broker.ts";
import { dropChroot, runKmeta, storeUrls } from "./_cli.ts";

const CASE = { timeout: 300_000 };
const PORT = 24640; // in the Kafka range of the test ports, apart from the rig's

describe("kmeta kafka next to kafka-topics.sh on a real Kafka 3.9 broker", () => {
  const url = storeUrls("kafka-real").zk;
  const chroot = url.slice(url.indexOf("/", "zk://".length));
  let broker: Broker | undefined;
  before(async () => {
    broker = await startBroker({ lib: kafkaLib(), id: 0, port: PORT, zookeeperConnect: `${process.env.KMETA_ZK}${chroot}`, sessionTimeoutMs: 18000, readyTimeoutMs: 180_000 });
  }, CASE);
  after(async () => {
    await broker?.stop(5000);
    await dropChroot(connect, url);
  }, CASE);

  it("describe prints what kafka-topics.sh --describe prints", CASE, async () => {
    const tool = (args: string[]) => runTool(kafkaLib(), "org.apache.kafka.tools.TopicCommand", ["--bootstrap-server", `127.0.0.1:${PORT}`, ...args]);
    await tool(["--create", "--topic", "orders", "--partitions", "3", "--replication-factor", "1", "--config", "retention.ms=86400000"]);
    const theirs = (await tool(["--describe", "--topic", "orders"])).split("\n").filter((l) => l !== "");
    const ours = await runKmeta(connect, ["--store", url, "kafka", "describe", "orders"]);
    assert.equal(ours.code, 0, ours.stderr);
    // kafka-topics also lists the broker's static configs that differ from Kafka's defaults (from its
    // server.properties: tests/kafka/broker.ts sets unclean.leader.election.enable=false); ZooKeeper
    // holds only the topic's own overrides, so kmeta shows those.
    assert.equal(theirs[0], `${ours.lines[0]},unclean.leader.election.enable=false`);
    assert.deepEqual(ours.lines.slice(1), theirs.slice(1));
    assert.equal(ours.lines.length, 4);
  });

  it("brokers and controller show the live broker and its election", CASE, async () => {
    const brokers = JSON.parse((await runKmeta(connect, ["--store", url, "kafka", "brokers", "--json"])).stdout);
    assert.deepEqual(brokers.map((b: { id: number; endpoints: string[]; controller: boolean }) => [b.id, b.endpoints, b.controller]), [[0, [`PLAINTEXT://127.0.0.1:${PORT}`], true]]);
    const controller = JSON.parse((await runKmeta(connect, ["--store", url, "kafka", "controller", "--json"])).stdout);
    assert.equal(controller.controller, 0);
    assert.equal(controller.epoch, 1);
  });
});
