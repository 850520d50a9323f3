// One real Kafka 3.9.2 broker (ZooKeeper mode) on the real ZooKeeper 3.8 and on `kmeta serve --store memory://`,
// the same scenarios on both (issue 11: 1 start-up, 2 topic and traffic, 3 config change, preferred election,
// delete, 5 session expiry and controlled shutdown). Each scenario asserts what Kafka promises and records a
// normalised summary (no ids, times or ports); the last test demands kmeta serve's summaries equal ZooKeeper's.
//
// Env: KMETA_ZK=host:port of a test ZooKeeper 3.8 (required: the test fails without it).
// The jars come from scripts/fetch-kafka.sh (run on first use; ~80 s cold, then cached).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import kafkajs from "kafkajs";
import type { Admin } from "kafkajs";
import { connect, type KafkaMetastore, type Stat } from "../../runtimes/node/mod.ts";
import { startTestServer } from "../server/serve.ts";
import { type Broker, kafkaLib, startBroker } from "./broker.ts";
import { deleteTopicWatched, preferredElection, produceKeys } from "./admin_steps.ts";
import { children, deleteTree, exists, readJson, readNode, waitFor, within } from "./znodes.ts";

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

const SESSION_TIMEOUT_MS = 6000;
const MESSAGES = 10000;
const TOPIC = "orders";
const KMETA_PORT = 24620;

type Summary = Record<string, unknown>;
const summaries: Record<string, Record<string, Summary>> = {};

interface Target {
  name: string;
  brokerPort: number;
  /** host:port; throws with the reason when the target cannot run. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

const targets: Target[] = [
  {
    name: "zookeeper",
    brokerPort: 24650,
    start() {
      const zk = process.env.KMETA_ZK;
      assert.ok(zk, "KMETA_ZK (host:port of a test ZooKeeper 3.8) is not set; scripts/test.sh sets it");
      return Promise.resolve(zk);
    },
    stop: () => Promise.resolve(),
  },
  (() => {
    let server: Awaited<ReturnType<typeof startTestServer>> | undefined;
    return {
      name: "kmeta-serve-memory",
      brokerPort: 24651,
      async start() {
        server = await startTestServer(["--listen", `127.0.0.1:${KMETA_PORT}`]);
        return server.hostPort;
      },
      stop: async () => await server?.stop(),
    };
  })(),
];

const sortedKeys = (o: Record<string, unknown>) => Object.keys(o).sort();
/** The parts of a Stat that do not depend on ids or clocks. */
const shape = (s: Stat | null | undefined) =>
  s && {
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    dataLength: s.dataLength,
    numChildren: s.numChildren,
    ephemeral: s.ephemeralOwner !== 0n,
  };

for (const target of targets) {
  describe(`one Kafka broker on ${target.name}`, () => {
    const summary: Record<string, Summary> = (summaries[target.name] = {});
    const chroot = `/kafka-${Date.now().toString(36)}-${target.name}`;
    let hostPort: string;
    let zk: KafkaMetastore;
    let broker: Broker | undefined;
    let admin: Admin | undefined;
    let kafka: InstanceType<typeof Kafka>;
    const p = (path: string) => chroot + path;

    before(async () => {
      hostPort = await target.start();
      zk = await connect(`zk://${hostPort}`);
    });
    after(async () => {
      await admin?.disconnect().catch(() => {});
      await broker?.stop(5000);
      if (zk) {
        await deleteTree(zk, chroot);
        await zk.close();
      }
      await target.stop();
    });

    it("1 start-up: one /controller, /controller_epoch 1, /cluster/id as describeCluster says, /brokers/ids/0", async (t) => {
      const t0 = Date.now();
      broker = await startBroker({
        lib: kafkaLib(),
        id: 0,
        port: target.brokerPort,
        zookeeperConnect: `${hostPort}${chroot}`,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
      });
      t.diagnostic(`broker started in ${Date.now() - t0} ms`);
      kafka = new Kafka({ clientId: "kmeta-test", brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
      admin = kafka.admin();
      await admin.connect();

      const controller = await readJson(zk, p("/controller"));
      assert.equal(controller.brokerid, 0);
      const epoch = await readNode(zk, p("/controller_epoch"));
      assert.equal(epoch?.data, "1");
      const clusterId = await readJson(zk, p("/cluster/id"));
      const cluster = await admin.describeCluster();
      assert.equal(clusterId.id, cluster.clusterId);
      assert.equal(cluster.controller, 0);
      assert.deepEqual(cluster.brokers.map((b) => [b.nodeId, b.host, b.port]), [[0, "127.0.0.1", target.brokerPort]]);
      assert.deepEqual(await children(zk, p("/brokers/ids")), ["0"]);
      const reg = await readNode(zk, p("/brokers/ids/0"));
      assert.ok(reg && reg.stat.ephemeralOwner !== 0n, "/brokers/ids/0 is an ephemeral");
      const info = JSON.parse(reg.data!);
      assert.deepEqual(info.endpoints, [`PLAINTEXT://127.0.0.1:${target.brokerPort}`]);
      const feature = await readJson(zk, p("/feature"));
      const stats: Record<string, unknown> = {};
      for (const path of ["", "/brokers", "/brokers/ids", "/brokers/ids/0", "/controller", "/controller_epoch", "/cluster/id", "/feature", "/config/changes"]) {
        stats[path || "/"] = shape(await exists(zk, p(path)));
      }
      summary.startup = {
        stats,
        topLevel: await children(zk, chroot),
        controller: { ...controller, timestamp: typeof controller.timestamp },
        controllerEpoch: epoch?.data,
        controllerOwnedByBroker: (await exists(zk, p("/controller")))?.ephemeralOwner === reg.stat.ephemeralOwner,
        clusterId: { keys: sortedKeys(clusterId), version: clusterId.version, matchesDescribeCluster: true },
        describeCluster: { controller: cluster.controller, brokers: cluster.brokers.map((b) => b.nodeId) },
        brokerIds: await children(zk, p("/brokers/ids")),
        registration: { ...info, port: "PORT", endpoints: ["PLAINTEXT://127.0.0.1:PORT"], timestamp: typeof info.timestamp },
        feature,
      };
    });

    it("2 a topic of 6 partitions: znodes match kafkajs' metadata; 10,000 messages acks=all come back in a group", async (t) => {
      assert.ok(admin && broker, "scenario 1 started the broker");
      await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 6, replicationFactor: 1 }], waitForLeaders: true, timeout: 60000 });
      const topic = await readJson(zk, p(`/brokers/topics/${TOPIC}`));
      const assignment = topic.partitions as Record<string, number[]>;
      const partitionIds = await children(zk, p(`/brokers/topics/${TOPIC}/partitions`));
      assert.deepEqual(partitionIds, ["0", "1", "2", "3", "4", "5"]);
      const states = await Promise.all(
        partitionIds!.map((id) => readJson(zk, p(`/brokers/topics/${TOPIC}/partitions/${id}/state`))),
      );
      const stateStats = await Promise.all(
        partitionIds!.map(async (id) => shape(await exists(zk, p(`/brokers/topics/${TOPIC}/partitions/${id}/state`)))),
      );
      const fromZk = partitionIds!.map((id, i) => ({
        partitionId: Number(id),
        leader: states[i]!.leader,
        replicas: assignment[id],
        isr: states[i]!.isr,
      }));
      const meta = await admin.fetchTopicMetadata({ topics: [TOPIC] });
      const fromKafka = meta.topics[0]!.partitions
        .map((m) => ({ partitionId: m.partitionId, leader: m.leader, replicas: m.replicas, isr: m.isr }))
        .sort((a, b) => a.partitionId - b.partitionId);
      assert.deepEqual(fromKafka, fromZk);

      const t0 = Date.now();
      await produceKeys(kafka, TOPIC, MESSAGES);
      const tProduced = Date.now();

      const consumer = kafka.consumer({ groupId: "kmeta-orders" });
      const seen = new Set<string>();
      const perPartition = new Array<number>(6).fill(0);
      let received = 0;
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({
        eachMessage: ({ partition, message }) => {
          received++;
          perPartition[partition]!++;
          seen.add(message.key!.toString());
          return Promise.resolve();
        },
      });
      await waitFor("all messages consumed", 120000, () => Promise.resolve(seen.size >= MESSAGES ? true : undefined));
      await consumer.disconnect();
      t.diagnostic(`produced ${MESSAGES} in ${tProduced - t0} ms, consumed in ${Date.now() - tProduced} ms`);
      assert.equal(seen.size, MESSAGES);

      const offsets = await readJson(zk, p("/brokers/topics/__consumer_offsets"));
      summary.topic = {
        topicZnode: { ...topic, topic_id: typeof topic.topic_id },
        states,
        stateStats,
        topicStat: shape(await exists(zk, p(`/brokers/topics/${TOPIC}`))),
        metadataMatchesZnodes: true,
        consumed: { distinct: seen.size, duplicates: received - seen.size, perPartition },
        consumerOffsets: {
          partitions: sortedKeys(offsets.partitions as Record<string, unknown>),
          config: await readJson(zk, p("/config/topics/__consumer_offsets")),
        },
      };
    });

    it("3 config change, preferred leader election, topic deletion", async () => {
      assert.ok(admin && broker, "scenario 1 started the broker");
      // Config change: the broker writes /config/topics/T and a config_change_ sequential node, then applies it.
      const changesBefore = (await children(zk, p("/config/changes"))) ?? [];
      const logFrom = broker.log().length;
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: "retention.ms", value: "60000" }] }],
      });
      const changes = (await children(zk, p("/config/changes")))!.filter((c) => !changesBefore.includes(c));
      assert.equal(changes.length, 1);
      assert.match(changes[0]!, /^config_change_\d{10}$/);
      const change = await readJson(zk, p(`/config/changes/${changes[0]}`));
      const topicConfig = await readJson(zk, p(`/config/topics/${TOPIC}`));
      await broker.waitForLog(/Processing override for entityPath: topics\/orders with config: .*retention\.ms -> 60000/, 30000, logFrom);
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configNames: ["retention.ms"] }],
      });
      const entry = described.resources[0]!.configEntries.find((e) => e.configName === "retention.ms");
      assert.equal(entry?.configValue, "60000");

      // Preferred leader election through the legacy znode and through the admin API.
      const cli = await preferredElection(zk, chroot, broker.bootstrap, TOPIC, 0);
      const state0 = await readJson(zk, p(`/brokers/topics/${TOPIC}/partitions/0/state`));

      // Deletion: the marker appears and goes, and so do the topic's znodes.
      const deleteTopicsBefore = (await exists(zk, p("/admin/delete_topics")))!;
      await deleteTopicWatched(zk, admin, chroot, TOPIC);
      const deleteTopicsAfter = (await exists(zk, p("/admin/delete_topics")))!;
      const topics = await admin.listTopics();
      assert.ok(!topics.includes(TOPIC));

      summary.admin = {
        configChange: { names: changes, change, topicConfig, applied: true },
        describedRetention: entry?.configValue,
        preferredElection: { markerDeleted: true, state0, cli },
        deletion: {
          markerCreatedEvent: true,
          deleteTopicsChildChanges: deleteTopicsAfter.cversion - deleteTopicsBefore.cversion,
          deleteTopicsChildren: await children(zk, p("/admin/delete_topics")),
          brokerTopics: await children(zk, p("/brokers/topics")),
          listTopics: topics.sort(),
        },
      };
    });

    it("5 SIGSTOP past the session timeout: the session expires, the broker re-registers; SIGTERM: its registration goes at once", async (t) => {
      assert.ok(broker, "scenario 1 started the broker");
      const before = (await readNode(zk, p("/brokers/ids/0")))!;
      const stopped = Date.now();
      broker.signal("SIGSTOP");
      await waitFor("/brokers/ids/0 gone after SIGSTOP", SESSION_TIMEOUT_MS + 30000, () =>
        exists(zk, p("/brokers/ids/0")).then((s) => s ? undefined : true));
      const expiredAfter = Date.now() - stopped;
      const controllerGone = (await exists(zk, p("/controller"))) === null;
      t.diagnostic(`registration gone ${expiredAfter} ms after SIGSTOP`);
      // Not before the session could have lapsed: the broker pings every third of its timeout.
      assert.ok(expiredAfter >= SESSION_TIMEOUT_MS / 3, `expired after only ${expiredAfter} ms`);
      broker.signal("SIGCONT");
      const resumed = Date.now();
      const again = await waitFor("/brokers/ids/0 re-registered", 60000, async () => (await readNode(zk, p("/brokers/ids/0"))) ?? undefined);
      await waitFor("/controller re-elected", 60000, async () => (await exists(zk, p("/controller"))) ?? undefined);
      t.diagnostic(`re-registered ${Date.now() - resumed} ms after SIGCONT`);
      assert.ok(again.stat.czxid > before.stat.czxid);
      assert.notEqual(again.stat.ephemeralOwner, before.stat.ephemeralOwner);
      const controller = await readJson(zk, p("/controller"));
      const epoch = await readNode(zk, p("/controller_epoch"));

      const term = Date.now();
      broker.signal("SIGTERM");
      await within(broker.exited, 60000, "the broker's exit after SIGTERM");
      t.diagnostic(`controlled shutdown took ${Date.now() - term} ms`);
      // The broker closes its session before it exits, so the ephemerals are gone by now, not a timeout later.
      const regAtExit = await exists(zk, p("/brokers/ids/0"));
      const controllerAtExit = await exists(zk, p("/controller"));
      assert.equal(regAtExit, null);
      assert.equal(controllerAtExit, null);
      summary.sessions = {
        sigstop: { registrationGone: true, controllerGone },
        sigcont: {
          reRegistered: true,
          newSession: true,
          endpoints: JSON.parse(again.data!).endpoints.map((e: string) => e.replace(/:\d+$/, ":PORT")),
          controllerBrokerId: controller.brokerid,
          controllerEpoch: epoch?.data,
          registrationStat: shape(again.stat),
          controllerEpochStat: shape(epoch?.stat),
        },
        sigterm: { registrationGoneAtExit: true, controllerGoneAtExit: true, brokerIds: await children(zk, p("/brokers/ids")) },
      };
    });
  });
}

describe("kmeta serve answers Kafka as ZooKeeper does", () => {
  for (const scenario of ["startup", "topic", "admin", "sessions"]) {
    it(`scenario summary ${scenario} on kmeta-serve-memory equals ZooKeeper's`, () => {
      const zk = summaries.zookeeper?.[scenario], kmeta = summaries["kmeta-serve-memory"]?.[scenario];
      assert.ok(zk, `no ZooKeeper summary for ${scenario} (that scenario failed above)`);
      assert.ok(kmeta, `no kmeta serve summary for ${scenario} (that scenario failed above)`);
      assert.deepEqual(kmeta, zk);
    });
  }
});
