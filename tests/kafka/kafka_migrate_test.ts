// Issue 12's migration on a real cluster: three Kafka 3.9.2 brokers on the real ZooKeeper 3.8 make a
// topic, a topic config and an ACL and take 1,000 acks=all messages; stopped, their metadata goes
// ZooKeeper -> etcd with `kmeta migrate` (`kmeta diff` then finds no difference), and the same brokers,
// on their own data, start on `kmeta serve --store etcd://`: every topic, config, ACL and message is
// there, the controller epoch moves on, and `kmeta kafka describe` prints what kafka-topics prints.
// Then back, etcd -> a fresh chroot on ZooKeeper, the same way.
//
// Env: KMETA_ZK, KMETA_ETCD (host:port of the test servers).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, describe, it } from "node:test";
import kafkajs from "kafkajs";
import { connect } from "../../runtimes/node/mod.ts";
import { dropChroot, runKmeta } from "../cli/_cli.ts";
import { startServeProcess, type ServeProcess } from "../server/serve_process.ts";
import { consumeAll, produceKeys, untilClusterKnown } from "./admin_steps.ts";
import { type Broker, kafkaLib, runTool, startBroker } from "./broker.ts";
import { readNode, waitFor } from "./znodes.ts";

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

const CASE = { timeout: 600_000 };
const PORTS = [24693, 24694, 24695]; // apart from the other Kafka tests' ports
const TOPIC = "orders";
const MESSAGES = 1000;
const SESSION_TIMEOUT_MS = 10000;

const zkHost = process.env.KMETA_ZK;
const etcdHost = process.env.KMETA_ETCD;
const run = Date.now().toString(36);
const chroot = `/kafka-mig-${run}`;
const urls = {
  zk: `zk://${zkHost}${chroot}`,
  etcd: `etcd://${etcdHost}${chroot}`,
  back: `zk://${zkHost}${chroot}-back`,
};

describe("a real Kafka cluster's metadata migrated ZooKeeper -> etcd -> ZooKeeper with kmeta migrate", () => {
  const root = mkdtempSync(join(tmpdir(), "kmeta-kafka-migrate-"));
  let brokers: Broker[] = [];
  let serve: ServeProcess | undefined;
  let epoch = 0;
  const acl = "User:alice";

  after(async () => {
    await stopBrokers();
    await serve?.kill("SIGKILL");
    for (const url of Object.values(urls)) await dropChroot(connect, url).catch(() => {});
    rmSync(root, { recursive: true, force: true });
  }, CASE);

  /** The three brokers on their kept data dirs, with `zookeeper.connect` = `hosts` + chroot. */
  async function startBrokers(hosts: string, path: string): Promise<void> {
    brokers = await Promise.all(PORTS.map((port, id) =>
      startBroker({
        lib: kafkaLib(),
        id,
        port,
        zookeeperConnect: `${hosts}${path}`,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        clusterSize: PORTS.length,
        dir: join(root, `b${id}`),
        readyTimeoutMs: 240_000,
      })
    ));
  }

  async function stopBrokers(): Promise<void> {
    await Promise.all(brokers.map((b) => b.stop(30000)));
    brokers = [];
  }

  const client = () =>
    new Kafka({
      clientId: "kmeta-migrate",
      brokers: PORTS.map((p) => `127.0.0.1:${p}`),
      logLevel: logLevel.NOTHING,
      retry: { retries: 20, initialRetryTime: 200, maxRetryTime: 2000 },
    });

  const controllerEpoch = async (url: string) => {
    const zk = await connect(url);
    try {
      return Number((await readNode(zk, "/controller_epoch"))!.data);
    } finally {
      await zk.close();
    }
  };

  const acls = (zookeeperConnect: string, ...args: string[]) =>
    runTool(kafkaLib(), "kafka.admin.AclCommand", ["--authorizer-properties", `zookeeper.connect=${zookeeperConnect}`, ...args]);

  /** Copies the metadata and proves the copy equal. */
  async function migrate(from: string, to: string): Promise<void> {
    const copied = await runKmeta(connect, ["migrate", "--from", from, "--to", to]);
    assert.equal(copied.code, 0, copied.stderr);
    const summary = (copied.stdout + copied.stderr).match(/copied \d+ znodes.*/)?.[0];
    assert.ok(summary, `no summary from kmeta migrate: ${copied.stdout}${copied.stderr}`);
    console.log(summary);
    const diff = await runKmeta(connect, ["diff", from, to]);
    assert.equal(diff.code, 0, `kmeta diff: ${diff.stdout}${diff.stderr}`);
  }

  /** What the brokers on `hosts`+`path` serve: the topic and its leaders, its config, the ACL, every message. */
  async function judge(url: string, zookeeperConnect: string, group: string): Promise<void> {
    const kafka = client();
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor("every partition led with its whole ISR", 180000, async () => {
        const meta = await admin.fetchTopicMetadata({ topics: [TOPIC] }).catch(() => undefined);
        const ps = meta?.topics[0]?.partitions ?? [];
        return ps.length === 6 && ps.every((p) => p.leader >= 0 && p.isr.length === 3) ? true : undefined;
      });
      const configs = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configNames: ["retention.ms"] }], includeSynonyms: false });
      assert.equal(configs.resources[0]!.configEntries[0]!.configValue, "3600000", "the topic config");
      assert.match(await acls(zookeeperConnect, "--list", "--topic", TOPIC), new RegExp(`principal=${acl}, host=\\*, operation=READ, permissionType=ALLOW`));
      const seen = await consumeAll(kafka, admin, TOPIC, group);
      assert.equal(seen.size, MESSAGES, "every acknowledged message comes back");
      const now = await controllerEpoch(url);
      assert.ok(now > epoch, `the controller epoch went from ${epoch} to ${now}`);
      console.log(`${url}: controller epoch ${epoch} -> ${now}, ${seen.size} messages consumed`);
      epoch = now;
      // `kmeta kafka describe` beside Kafka's own tool (the tool adds the broker's static overrides).
      await waitFor("kmeta kafka describe = kafka-topics --describe", 60000, async () => {
        const theirs = (await runTool(kafkaLib(), "org.apache.kafka.tools.TopicCommand", ["--bootstrap-server", `127.0.0.1:${PORTS[0]}`, "--describe", "--topic", TOPIC]))
          .split("\n").filter((l) => l !== "");
        const ours = await runKmeta(connect, ["--store", url, "kafka", "describe", TOPIC]);
        assert.equal(ours.code, 0, ours.stderr);
        return theirs[0] === `${ours.lines[0]},unclean.leader.election.enable=false` && JSON.stringify(ours.lines.slice(1)) === JSON.stringify(theirs.slice(1))
          ? true
          : undefined;
      });
    } finally {
      await admin.disconnect();
    }
  }

  it("three brokers on ZooKeeper: a topic, its config, an ACL, 1,000 acks=all messages", CASE, async () => {
    if (!zkHost || !etcdHost) assert.fail("KMETA_ZK and KMETA_ETCD must name the test servers (scripts/with-servers.sh)");
    await startBrokers(zkHost, chroot);
    const kafka = client();
    const admin = kafka.admin();
    await admin.connect();
    try {
      await untilClusterKnown(admin, PORTS.length);
      await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 6, replicationFactor: 3 }], waitForLeaders: true });
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: "retention.ms", value: "3600000" }] }] });
      await produceKeys(kafka, TOPIC, MESSAGES);
    } finally {
      await admin.disconnect();
    }
    await acls(`${zkHost}${chroot}`, "--add", "--allow-principal", acl, "--operation", "Read", "--topic", TOPIC);
    await judge(urls.zk, `${zkHost}${chroot}`, "on-zookeeper");
  });

  it("stopped, migrated ZooKeeper -> etcd, and started on kmeta serve over etcd: everything is there", CASE, async () => {
    await stopBrokers();
    await migrate(urls.zk, urls.etcd);
    // The etcd store's default key prefix is serve's, so the server serves the tree migrate wrote.
    serve = await startServeProcess(["--store", `etcd://${etcdHost}`]);
    await startBrokers(serve.hostPort, chroot);
    await judge(urls.etcd, `${serve.hostPort}${chroot}`, "on-etcd");
  });

  it("stopped, migrated etcd -> ZooKeeper (a fresh chroot), and started there: everything is there", CASE, async () => {
    await stopBrokers();
    await migrate(urls.etcd, urls.back);
    await startBrokers(zkHost!, `${chroot}-back`);
    await judge(urls.back, `${zkHost}${chroot}-back`, "back-on-zookeeper");
  });
});
