// Three real Kafka 3.9.2 brokers (ZooKeeper mode) on each target of KMETA_KAFKA_TARGETS (targets.ts: the real
// ZooKeeper 3.8 first, then `kmeta serve` on memory, and on etcd behind three serve processes), the same
// scenarios of issue 11 on each: 1 start-up, 2 a replicated topic and 10,000 acks=all messages, 3 config
// change, reassignment (admin API and znode), preferred election, deletion, 4 kill -9 of the controller
// under acks=all traffic, 5 SIGSTOP past the session timeout and controlled shutdown, 8 nothing acknowledged
// lost, every partition led, and the znode tree. Each scenario asserts what Kafka promises and records a
// normalised summary (no ids, times, ports, or choices Kafka makes at random); the last tests demand every
// target's summaries equal ZooKeeper's.
//
// Env: KMETA_ZK=host:port of a test ZooKeeper 3.8 (required); KMETA_KAFKA_TARGETS (zookeeper,memory,etcd).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import kafkajs from "kafkajs";
import type { Admin } from "kafkajs";
import { connect, type KafkaMetastore } from "../../runtimes/node/mod.ts";
import { kafkaLib, runTool } from "./broker.ts";
import { consumeAll, createJsonNode, deleteTopicWatched, preferredElection, produceKeys, untilClusterKnown } from "./admin_steps.ts";
import { type KafkaCluster, startCluster } from "./cluster.ts";
import { kafkaTargets } from "./targets.ts";
import { startTraffic, type Traffic } from "./traffic.ts";
import { children, deleteTree, exists, readJson, readNode, waitFor, walk, within } from "./znodes.ts";

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

const SESSION_TIMEOUT_MS = 6000;
const MESSAGES = 10000;
const TOPIC = "orders";
const MOVES = "moves";
const BROKERS = [0, 1, 2];
// Each target's brokers on their own ports (kafka_single_test.ts uses 24620 and 24650-24651).
const BROKER_PORTS: Record<string, number[]> = {
  zookeeper: [24660, 24661, 24662],
  memory: [24663, 24664, 24665],
  etcd: [24666, 24667, 24668],
  zetcd: [24690, 24691, 24692],
};
const targets = kafkaTargets({
  memory: 24621,
  serves: [24622, 24623, 24624],
  etcdClient: [24631, 24632, 24633],
  etcdPeer: [24634, 24635, 24636],
});

type Summary = Record<string, unknown>;
/** A partition's state znode, with its partition id. */
interface PartitionState {
  id: string;
  leader: number;
  isr: number[];
}
const summaries: Record<string, Record<string, Summary>> = {};
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

for (const target of targets) {
  describe(`three Kafka brokers on ${target.name}`, () => {
    const summary: Record<string, Summary> = (summaries[target.name] = {});
    const chroot = `/kafka3-${Date.now().toString(36)}-${target.name}`;
    const p = (path: string) => chroot + path;
    let zk: KafkaMetastore;
    let cluster: KafkaCluster | undefined;
    let admin: Admin | undefined;
    let kafka: InstanceType<typeof Kafka>;
    let traffic: Traffic | undefined;

    before(async () => {
      const hosts = await target.start();
      zk = await connect(`zk://${hosts}`);
      cluster = await startCluster({
        lib: kafkaLib(),
        ports: BROKER_PORTS[target.name]!,
        zookeeperConnect: `${hosts}${chroot}`,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
      });
      kafka = new Kafka({
        clientId: "kmeta-test",
        brokers: cluster.bootstrap,
        logLevel: logLevel.NOTHING,
        retry: { retries: 20, initialRetryTime: 200, maxRetryTime: 2000 },
      });
      admin = kafka.admin();
      await admin.connect();
    });
    after(async () => {
      await traffic?.stop().catch(() => {});
      await admin?.disconnect().catch(() => {});
      await cluster?.stop();
      if (zk) {
        await deleteTree(zk, chroot);
        await zk.close();
      }
      await target.stop();
    });

    const controllerId = async () => (await readJson(zk, p("/controller"))).brokerid as number;
    const states = async (topic: string): Promise<PartitionState[]> => {
      const ids = (await children(zk, p(`/brokers/topics/${topic}/partitions`)))!;
      return Promise.all(ids.map(async (id) => ({ ...(await readJson(zk, p(`/brokers/topics/${topic}/partitions/${id}/state`))), id }) as PartitionState));
    };
    const assignment = async (topic: string) => (await readJson(zk, p(`/brokers/topics/${topic}`))).partitions as Record<string, number[]>;
    /** Resolves when every partition of `topic` has `check(state)` true. */
    const untilStates = (what: string, topic: string, timeoutMs: number, check: (s: PartitionState) => boolean) =>
      waitFor(what, timeoutMs, async () => (await states(topic)).every(check) ? true : undefined);
    const fullIsrs = (topic: string, timeoutMs = 90000) => untilStates(`every ${topic} ISR back to 3`, topic, timeoutMs, (s) => s.isr.length === 3);

    it("1 start-up: one /controller, /controller_epoch 1, /cluster/id as describeCluster says, /brokers/ids/0..2", async () => {
      assert.ok(admin && cluster, "the brokers started");
      const controller = await readJson(zk, p("/controller"));
      const epoch = await readNode(zk, p("/controller_epoch"));
      assert.equal(epoch?.data, "1");
      const clusterId = await readJson(zk, p("/cluster/id"));
      const described = await untilClusterKnown(admin, 3);
      assert.equal(clusterId.id, described.clusterId);
      assert.equal(described.controller, controller.brokerid);
      const ports = BROKER_PORTS[target.name]!;
      assert.deepEqual(
        described.brokers.map((b) => [b.nodeId, b.host, b.port]).sort(),
        BROKERS.map((id) => [id, "127.0.0.1", ports[id]]),
      );
      assert.deepEqual(await children(zk, p("/brokers/ids")), ["0", "1", "2"]);
      const registrations = [];
      for (const id of BROKERS) {
        const reg = (await readNode(zk, p(`/brokers/ids/${id}`)))!;
        assert.ok(reg.stat.ephemeralOwner !== 0n, `/brokers/ids/${id} is an ephemeral`);
        const info = JSON.parse(reg.data!);
        assert.deepEqual(info.endpoints, [`PLAINTEXT://127.0.0.1:${ports[id]}`]);
        registrations.push({ ...info, port: "PORT", endpoints: ["PLAINTEXT://127.0.0.1:PORT"], timestamp: typeof info.timestamp });
      }
      const owners = new Set(await Promise.all(BROKERS.map(async (id) => (await exists(zk, p(`/brokers/ids/${id}`)))!.ephemeralOwner)));
      summary.startup = {
        topLevel: await children(zk, chroot),
        controllerKeys: Object.keys(controller).sort(),
        controllerEpoch: epoch?.data,
        controllerIsARegisteredBroker: BROKERS.includes(controller.brokerid as number),
        distinctSessions: owners.size,
        clusterIdMatchesDescribeCluster: true,
        describedBrokers: described.brokers.length,
        brokerIds: await children(zk, p("/brokers/ids")),
        registrations,
        feature: await readJson(zk, p("/feature")),
      };
    });

    it("2 a topic of 6 partitions, replication 3: znodes match kafkajs' metadata; 10,000 messages acks=all come back in a group", async (t) => {
      assert.ok(admin && cluster, "the brokers started");
      await admin.createTopics({
        topics: [{ topic: TOPIC, numPartitions: 6, replicationFactor: 3, configEntries: [{ name: "min.insync.replicas", value: "2" }] }],
        waitForLeaders: true,
        timeout: 60000, // kafkajs waits 5 s by default: too short for leaders on a saturated machine
      });
      const assigned = await assignment(TOPIC);
      // Leaders and ISRs settle a moment after the leaders are known.
      await fullIsrs(TOPIC, 30000);
      const st = await states(TOPIC);
      const fromZk = st.map((s) => ({ partitionId: Number(s.id), leader: s.leader, replicas: assigned[s.id], isr: sorted(s.isr) }));
      // The brokers learn the topic from the controller a moment later each (one may not host it yet).
      const fromKafka = await waitFor("kafkajs' metadata as the znodes say", 30000, async () => {
        const meta = await admin!.fetchTopicMetadata({ topics: [TOPIC] }).catch(() => undefined);
        const got = meta?.topics[0]?.partitions
          .map((m) => ({ partitionId: m.partitionId, leader: m.leader, replicas: m.replicas, isr: sorted(m.isr) }))
          .sort((a, b) => a.partitionId - b.partitionId);
        return got && JSON.stringify(got) === JSON.stringify(fromZk) ? got : undefined;
      });
      assert.deepEqual(fromKafka, fromZk);
      for (const s of fromZk) {
        assert.deepEqual(sorted(s.replicas!), BROKERS, `partition ${s.partitionId} is on every broker`);
        assert.equal(s.leader, s.replicas![0], `partition ${s.partitionId} is led by its preferred replica`);
        assert.deepEqual(s.isr, BROKERS);
      }

      const t0 = Date.now();
      await produceKeys(kafka, TOPIC, MESSAGES);
      const tProduced = Date.now();
      const seen = await consumeAll(kafka, admin, TOPIC, "kmeta-orders");
      t.diagnostic(`produced ${MESSAGES} in ${tProduced - t0} ms, consumed in ${Date.now() - tProduced} ms`);
      assert.equal(seen.size, MESSAGES);

      const offsets = await readJson(zk, p("/brokers/topics/__consumer_offsets"));
      const offsetsAssignment = offsets.partitions as Record<string, number[]>;
      summary.topic = {
        topicKeys: Object.keys(await readJson(zk, p(`/brokers/topics/${TOPIC}`))).sort(),
        partitions: Object.keys(assigned).sort(),
        stateKeys: [...new Set(st.flatMap((s) => Object.keys(s)))].sort(),
        metadataMatchesZnodes: true,
        everyPartitionOnEveryBroker: true,
        topicConfig: await readJson(zk, p(`/config/topics/${TOPIC}`)),
        consumedDistinct: seen.size,
        consumerOffsets: {
          partitions: Object.keys(offsetsAssignment).sort(),
          replicas: Object.values(offsetsAssignment).map((r) => sorted(r)),
          config: await readJson(zk, p("/config/topics/__consumer_offsets")),
        },
      };
    });

    it("3 config change, reassignment (admin API and /admin/reassign_partitions), preferred election, topic deletion", async () => {
      assert.ok(admin && cluster, "the brokers started");
      // Config change: a config_change_ sequential node appears and every broker applies the override.
      const changesBefore = (await children(zk, p("/config/changes"))) ?? [];
      const logFrom = cluster.brokers.map((b) => b!.log().length);
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: "retention.ms", value: "600000" }] }],
      });
      const changes = (await children(zk, p("/config/changes")))!.filter((c) => !changesBefore.includes(c));
      assert.equal(changes.length, 1);
      assert.match(changes[0]!, /^config_change_\d{10}$/);
      const change = await readJson(zk, p(`/config/changes/${changes[0]}`));
      await Promise.all(BROKERS.map((id) =>
        cluster!.broker(id).waitForLog(/Processing override for entityPath: topics\/orders with config: .*retention\.ms -> 600000/, 30000, logFrom[id])
      ));

      // Reassignment: partition 0 through the admin API, partition 1 through the znode the controller deletes.
      await admin.createTopics({
        topics: [{ topic: MOVES, replicaAssignment: [{ partition: 0, replicas: [0, 1] }, { partition: 1, replicas: [1, 0] }] }],
        waitForLeaders: true,
        timeout: 60000, // kafkajs waits 5 s by default: too short for leaders on a saturated machine
      });
      await admin.alterPartitionReassignments({ topics: [{ topic: MOVES, partitionAssignment: [{ partition: 0, replicas: [1, 2] }] }] });
      await waitFor("partition 0 reassigned", 60000, async () => {
        const t = await readJson(zk, p(`/brokers/topics/${MOVES}`));
        const ongoing = await admin!.listPartitionReassignments({ topics: [{ topic: MOVES, partitions: [0, 1] }] });
        const done = JSON.stringify((t.partitions as Record<string, number[]>)["0"]) === "[1,2]" &&
          ongoing.topics.every((x) => x.partitions.length === 0);
        return done ? true : undefined;
      });
      await createJsonNode(zk, p("/admin/reassign_partitions"), { version: 1, partitions: [{ topic: MOVES, partition: 1, replicas: [2, 0] }] });
      await waitFor("/admin/reassign_partitions done and deleted", 60000, async () =>
        (await exists(zk, p("/admin/reassign_partitions"))) ? undefined : true);
      const moved = await readJson(zk, p(`/brokers/topics/${MOVES}`));
      assert.deepEqual(moved.partitions, { "0": [1, 2], "1": [2, 0] });
      assert.deepEqual(moved.adding_replicas, {});
      assert.deepEqual(moved.removing_replicas, {});
      const movedStates = (await states(MOVES)).map((s) => ({ id: s.id, leader: s.leader, isr: sorted(s.isr) }));
      const meta = await admin.fetchTopicMetadata({ topics: [MOVES] });
      assert.deepEqual(
        meta.topics[0]!.partitions.map((m) => [m.partitionId, m.replicas]).sort(),
        [[0, [1, 2]], [1, [2, 0]]],
      );

      // Preferred leader election through the legacy znode and through the admin API; then the deletion.
      const cli = await preferredElection(zk, chroot, cluster.bootstrap.join(","), MOVES, 1);
      await deleteTopicWatched(zk, admin, chroot, MOVES);
      assert.ok(!(await admin.listTopics()).includes(MOVES));

      summary.admin = {
        configChange: { count: changes.length, change, topicConfig: await readJson(zk, p(`/config/topics/${TOPIC}`)), appliedByEveryBroker: true },
        reassignment: { assignment: moved.partitions, states: movedStates },
        preferredElection: { markerDeleted: true, cli },
        deletion: {
          markerCreatedEvent: true,
          deleteTopicsChildren: await children(zk, p("/admin/delete_topics")),
          brokerTopics: await children(zk, p("/brokers/topics")),
        },
      };
    });

    it("4 kill -9 the controller: registration gone within the session timeout + 3 s, /controller moves, epoch + 1, acks=all traffic goes on; restarted, it re-registers", async (t) => {
      assert.ok(admin && cluster, "the brokers started");
      traffic = await startTraffic(kafka, TOPIC, 6, "bg-");
      await waitFor("background traffic acknowledged", 60000, () => Promise.resolve(traffic!.acked.size >= 100 ? true : undefined));
      const victim = await controllerId();
      const epochBefore = Number((await readNode(zk, p("/controller_epoch")))!.data);
      const regBefore = (await exists(zk, p(`/brokers/ids/${victim}`)))!;
      const killed = Date.now();
      await cluster.kill(victim);
      await waitFor(`/brokers/ids/${victim} gone`, SESSION_TIMEOUT_MS + 30000, async () =>
        (await exists(zk, p(`/brokers/ids/${victim}`))) ? undefined : true);
      const goneAfter = Date.now() - killed;
      t.diagnostic(`registration gone ${goneAfter} ms after kill -9`);
      assert.ok(goneAfter <= SESSION_TIMEOUT_MS + 3000, `registration gone only after ${goneAfter} ms`);
      const next = await waitFor("a new controller", 30000, async () => {
        const c = await readNode(zk, p("/controller"));
        return c ? JSON.parse(c.data!).brokerid as number : undefined;
      });
      t.diagnostic(`controller ${victim} -> ${next} ${Date.now() - killed} ms after kill -9`);
      assert.notEqual(next, victim);
      const epochAfter = Number((await readNode(zk, p("/controller_epoch")))!.data);
      assert.equal(epochAfter, epochBefore + 1);
      await untilStates(`every ${TOPIC} partition led by a live broker, ISR without ${victim}`, TOPIC, 30000, (s) =>
        s.leader !== victim && s.leader >= 0 && !s.isr.includes(victim));
      const ackedAtFailover = traffic.acked.size;
      await waitFor("acks=all traffic continues after the fail-over", 60000, () =>
        Promise.resolve(traffic!.acked.size >= ackedAtFailover + 100 ? true : undefined));
      t.diagnostic(`traffic: ${traffic.acked.size} acknowledged, ${traffic.failed} sends failed`);

      await cluster.start(victim);
      const regAfter = (await exists(zk, p(`/brokers/ids/${victim}`)))!;
      assert.ok(regAfter.czxid > regBefore.czxid, "re-registered by a new create");
      assert.notEqual(regAfter.ephemeralOwner, regBefore.ephemeralOwner);
      await fullIsrs(TOPIC);
      // Leadership back to the preferred replicas (what auto.leader.rebalance would do minutes later).
      await runTool(kafkaLib(), "org.apache.kafka.tools.LeaderElectionCommand", [
        "--bootstrap-server",
        cluster.bootstrap.join(","),
        "--election-type",
        "preferred",
        "--all-topic-partitions",
      ]);
      const assigned = await assignment(TOPIC);
      await untilStates("every leader its preferred replica", TOPIC, 30000, (s) =>
        s.leader === assigned[s.id]![0]);
      summary.controllerKill = {
        registrationGoneInTime: true,
        controllerMoved: true,
        epochDelta: epochAfter - epochBefore,
        leadersOffTheDeadBroker: true,
        trafficContinued: true,
        reRegistered: true,
        isrsExpanded: true,
        preferredLeadersRestored: true,
        brokerIds: await children(zk, p("/brokers/ids")),
      };
    });

    it("5 SIGSTOP a broker past its session timeout, then SIGCONT: it re-registers; SIGTERM: its registration goes at once", async (t) => {
      assert.ok(admin && cluster && traffic, "the brokers and the traffic run");
      const controller = await controllerId();
      const epoch = (await readNode(zk, p("/controller_epoch")))!.data;
      const victim = BROKERS.find((id) => id !== controller)!;
      const before = (await exists(zk, p(`/brokers/ids/${victim}`)))!;
      const stopped = Date.now();
      cluster.broker(victim).signal("SIGSTOP");
      await waitFor(`/brokers/ids/${victim} gone after SIGSTOP`, SESSION_TIMEOUT_MS + 30000, async () =>
        (await exists(zk, p(`/brokers/ids/${victim}`))) ? undefined : true);
      const expiredAfter = Date.now() - stopped;
      t.diagnostic(`registration gone ${expiredAfter} ms after SIGSTOP`);
      assert.ok(expiredAfter >= SESSION_TIMEOUT_MS / 3, `expired after only ${expiredAfter} ms`);
      await untilStates(`${victim} out of every ISR`, TOPIC, 30000, (s) => !s.isr.includes(victim));
      cluster.broker(victim).signal("SIGCONT");
      const resumed = Date.now();
      const again = await waitFor(`/brokers/ids/${victim} re-registered`, 60000, async () => (await exists(zk, p(`/brokers/ids/${victim}`))) ?? undefined);
      t.diagnostic(`re-registered ${Date.now() - resumed} ms after SIGCONT`);
      assert.ok(again.czxid > before.czxid);
      assert.notEqual(again.ephemeralOwner, before.ephemeralOwner);
      assert.equal(await controllerId(), controller, "the controller kept its session");
      assert.equal((await readNode(zk, p("/controller_epoch")))!.data, epoch);
      await fullIsrs(TOPIC);

      // Controlled shutdown: leadership moves off the broker, then it closes its session before it exits.
      const term = Date.now();
      const leaving = cluster.broker(victim);
      leaving.signal("SIGTERM");
      await within(leaving.exited, 60000, "the broker's exit after SIGTERM");
      t.diagnostic(`controlled shutdown took ${Date.now() - term} ms`);
      assert.equal(await exists(zk, p(`/brokers/ids/${victim}`)), null);
      assert.ok((await states(TOPIC)).every((s) => s.leader !== victim), "no partition led by the broker that left");
      assert.equal(await controllerId(), controller);
      await cluster.start(victim);
      await fullIsrs(TOPIC);
      summary.sessions = {
        sigstop: { registrationGone: true, droppedFromIsrs: true },
        sigcont: { reRegistered: true, newSession: true, controllerKept: true, isrsExpanded: true },
        sigterm: { registrationGoneAtExit: true, leadershipMovedBeforeExit: true, controllerKept: true },
        brokerIds: await children(zk, p("/brokers/ids")),
      };
    });

    // Faults of the servers themselves: only the etcd target has several (ZooKeeper's is shared by the suite).
    const serves = target.serves;
    if (serves) {
      /** Every broker's registration and the controller's znode, read again through lost connections. */
      const sessions = () =>
        waitFor("the registrations readable", 30000, async () => {
          try {
            const regs = await Promise.all(BROKERS.map((id) => exists(zk, p(`/brokers/ids/${id}`))));
            const controller = await exists(zk, p("/controller"));
            return regs.every((r) => r) && controller ? { regs: regs.map((r) => [r!.czxid, r!.ephemeralOwner]), controller: controller.czxid } : undefined;
          } catch {
            return undefined; // the reader's server went away: it reconnects to another
          }
        });
      const trafficMoves = async (what: string) => {
        const from = traffic!.acked.size;
        await waitFor(`acks=all traffic ${what}`, 60000, () => Promise.resolve(traffic!.acked.size >= from + 100 ? true : undefined));
      };

      it("6 kill -9 a kmeta serve, then the etcd leader, then restart every serve within the session timeout: no session lost, no controller change", async (t) => {
        assert.ok(cluster && traffic, "the brokers and the traffic run");
        const before = await sessions();
        await serves.signal(0, "SIGKILL");
        await new Promise((r) => setTimeout(r, SESSION_TIMEOUT_MS + 3000));
        assert.deepEqual(await sessions(), before, "after kill -9 of one kmeta serve");
        await trafficMoves("after kill -9 of one kmeta serve");
        await serves.startAll();

        const leader = await serves.etcd.leaderIndex();
        serves.etcd.kill(leader);
        await new Promise((r) => setTimeout(r, SESSION_TIMEOUT_MS + 3000));
        assert.deepEqual(await sessions(), before, "after kill -9 of the etcd leader");
        await trafficMoves("after kill -9 of the etcd leader");
        await serves.etcd.start();

        const down = Date.now();
        await Promise.all([0, 1, 2].map((i) => serves.signal(i, "SIGKILL")));
        await serves.startAll();
        const downMs = Date.now() - down;
        t.diagnostic(`every kmeta serve down and back in ${downMs} ms`);
        assert.ok(downMs < SESSION_TIMEOUT_MS - 2000, `the restart took ${downMs} ms: not within the session timeout, so nothing to test`);
        await new Promise((r) => setTimeout(r, SESSION_TIMEOUT_MS + 3000));
        assert.deepEqual(await sessions(), before, "after every kmeta serve restarted");
        await trafficMoves("after every kmeta serve restarted");
      });

      it("7 every kmeta serve down past the session timeout: sessions expire, brokers re-register, a new controller, the cluster serves again", async (t) => {
        assert.ok(cluster && traffic, "the brokers and the traffic run");
        const before = await sessions();
        const epoch = Number((await readNode(zk, p("/controller_epoch")))!.data);
        await Promise.all([0, 1, 2].map((i) => serves.signal(i, "SIGKILL")));
        await new Promise((r) => setTimeout(r, SESSION_TIMEOUT_MS + 4000));
        await serves.startAll();
        const up = Date.now();
        const after = await waitFor("every broker re-registered", 90000, async () => {
          const now = await sessions();
          return now.regs.every(([czxid], i) => czxid !== before.regs[i]![0]) && now.controller !== before.controller ? now : undefined;
        });
        t.diagnostic(`re-registered and a controller elected ${Date.now() - up} ms after the servers came back`);
        assert.equal(new Set(after.regs.map(([, owner]) => owner)).size, 3, "three new sessions");
        assert.equal(Number((await readNode(zk, p("/controller_epoch")))!.data), epoch + 1);
        await trafficMoves("after the sessions expired");
        await fullIsrs(TOPIC);
      });
    }

    it("8 at the end: no acknowledged message lost, every partition led, the znode tree", async (t) => {
      assert.ok(admin && cluster && traffic, "the brokers and the traffic run");
      await traffic.stop();
      const acked = traffic.acked;
      t.diagnostic(`background traffic: ${acked.size} acknowledged, ${traffic.failed} sends failed`);
      traffic = undefined;
      const seen = await consumeAll(kafka, admin, TOPIC, "kmeta-final");
      const lost = [...acked].filter((k) => !seen.has(k));
      assert.deepEqual(lost.slice(0, 10), [], `${lost.length} acknowledged messages lost`);
      for (let i = 0; i < MESSAGES; i++) assert.ok(seen.has(`k${i}`), `k${i} lost`);

      const meta = await admin.fetchTopicMetadata({ topics: [TOPIC, "__consumer_offsets"] });
      for (const topic of meta.topics) {
        for (const m of topic.partitions) assert.ok(m.leader >= 0, `${topic.name}-${m.partitionId} has no leader`);
      }
      for (const topic of [TOPIC, "__consumer_offsets"]) {
        for (const s of await states(topic)) assert.ok(s.leader >= 0, `${topic}-${s.id} has no leader in its znode`);
      }
      summary.end = { noAckedMessageLost: true, everyPartitionLed: true, tree: normalisedTree(await walk(zk, chroot), chroot) };
    });
  });
}

// Values that depend on ids, clocks, or Kafka's random choices (replica placement, which broker won the
// controller race, how many leader changes a fault caused): their type is compared, not their value.
const VOLATILE = new Set([
  "timestamp",
  "brokerid",
  "leader",
  "isr",
  "leader_epoch",
  "controller_epoch",
  "partitions",
  "topic_id",
  "id",
  "broker",
  "block_start",
  "block_end",
  "jmx_port",
  "port",
  "endpoints",
]);
// Nodes that come and go while the cluster works (the controller consumes them).
const TRANSIENT = /^\/(isr_change_notification|log_dir_event_notification|admin\/delete_topics|config\/changes)\/./;

function normalisedTree(nodes: Awaited<ReturnType<typeof walk>>, chroot: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { path, node } of nodes) {
    const rel = path.slice(chroot.length) || "/";
    if (TRANSIENT.test(rel)) continue;
    let data: unknown = node.data;
    try {
      data = JSON.parse(node.data ?? "null", (k, v) => VOLATILE.has(k) ? typeof v : v);
    } catch {
      // not JSON: compared as text
    }
    // The epoch counts elections, and etcd's scenarios 6 and 7 add some; each scenario checks its own step.
    if (rel === "/controller_epoch") data = typeof data;
    out[rel] = { ephemeral: node.stat.ephemeralOwner !== 0n, data };
  }
  return out;
}

describe("kmeta serve answers three Kafka brokers as ZooKeeper does", () => {
  for (const target of targets.filter((t) => t.name !== "zookeeper")) {
    for (const scenario of ["startup", "topic", "admin", "controllerKill", "sessions", "end"]) {
      it(`scenario summary ${scenario} on ${target.name} equals ZooKeeper's`, () => {
        const zk = summaries.zookeeper?.[scenario], other = summaries[target.name]?.[scenario];
        assert.ok(zk, `no ZooKeeper summary for ${scenario} (that scenario failed above, or zookeeper is not a target)`);
        assert.ok(other, `no ${target.name} summary for ${scenario} (that scenario failed above)`);
        assert.deepEqual(other, zk);
      });
    }
  }
});
