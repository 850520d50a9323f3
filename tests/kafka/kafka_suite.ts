// KafkaZkClient's operations and the workload simulator against a store: the same outcomes are
// expected from memory, ZooKeeper and etcd (each target's namespace is a fresh chroot / prefix).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Clock, CreateMode, ErrorCode, isKeeperError, type KafkaMetastore, OPEN_ACL_UNSAFE } from "../../core/mod.ts";
import {
  aclsCodec,
  brokerRegistrationCodec,
  CHANGE_EXPIRATION_MS,
  CONFIG_CHANGES_PATH,
  configChangeNotificationCodec,
  ConfigType,
  controllerCodec,
  createKafkaZkClient,
  entityConfigCodec,
  isKafkaError,
  KafkaWorkload,
  type KafkaZkClient,
  MATCH_ANY_VERSION,
  partitionStateCodec,
  SequencePrefix,
  SIMULATED_CLUSTER_ID,
  simulatedRegistration,
  topicAssignmentCodec,
  UNKNOWN_VERSION,
} from "../../core/kafka/mod.ts";
import type { ConformanceTarget, Namespace } from "../conformance/target.ts";

// A bound against hangs, not a speed goal: Bun's default of 5 s is too tight for etcd on a busy machine.
const CASE = { timeout: 60_000 };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const text = (bytes: Uint8Array | null) => (bytes === null ? null : new TextDecoder().decode(bytes));

/** Runs `body` with a fresh namespace and `n` Kafka clients (each its own session). */
async function withKafka(
  target: ConformanceTarget,
  clock: Clock,
  n: number,
  body: (clients: KafkaZkClient[], ns: Namespace) => Promise<void>,
): Promise<void> {
  const ns = await target.namespace();
  const metastores: KafkaMetastore[] = [];
  try {
    for (let i = 0; i < n; i++) metastores.push(await ns.open({ sessionTimeoutMs: 6000 }));
    await body(metastores.map((m) => createKafkaZkClient(m, { clock })), ns);
  } finally {
    for (const m of metastores) await m.close();
    await ns.dispose();
  }
}

async function raw(zk: KafkaZkClient, path: string) {
  return await zk.metastore.handleRequest({ type: "getData", path });
}

/**
 * Registers the Kafka tests for `target`. `clock` gives the timestamps Kafka writes; `pause(ms)` lets
 * that much time pass for the store's ctime (real time by default; a FakeClock target advances it).
 */
export function kafkaSuite(target: ConformanceTarget, clock: Clock, pause: (ms: number) => Promise<void> = sleep): void {
  describe(`${target.name}: Kafka operations`, () => {
    it("registerBroker creates the ephemeral with its payload in one Multi; the epoch is its czxid", CASE, () =>
      withKafka(target, clock, 2, async ([a, b]) => {
        await a!.createTopLevelPaths();
        const reg = simulatedRegistration(1, clock);
        const epoch = await a!.registerBroker(1, reg);
        const node = await raw(a!, "/brokers/ids/1");
        assert.equal(node.resultCode, ErrorCode.Ok);
        assert.equal(node.stat!.czxid, epoch);
        assert.equal(node.stat!.ephemeralOwner, a!.metastore.sessionId);
        assert.equal(node.stat!.version, 1, "create with null data, then setData at version 0");
        assert.deepEqual(node.data, brokerRegistrationCodec.encode(reg));
        // The same session registering again gets its own node back; another session is refused.
        assert.equal(await a!.registerBroker(1, reg), epoch);
        await assert.rejects(b!.registerBroker(1, reg), (e) => isKeeperError(e, ErrorCode.NodeExists));
        const epoch2 = await b!.registerBroker(2, simulatedRegistration(2, clock));
        assert.ok(epoch2 > epoch, "broker epochs grow with registrations");
        const brokers = await b!.getAllBrokersInCluster();
        assert.deepEqual(brokers.map((x) => [x.id, x.epoch]), [[1, epoch], [2, epoch2]]);
        assert.deepEqual(brokers[0]!.registration, reg);
        assert.equal(await b!.deregisterBroker(1), false, "another session's registration is not removed");
        assert.equal(await a!.deregisterBroker(1), true);
        assert.deepEqual(await a!.getSortedBrokerList(), [2]);
      }));

    it("a broker re-registers with a larger epoch after its session expired", CASE, () =>
      withKafka(target, clock, 1, async ([a], ns) => {
        await a!.createTopLevelPaths();
        const first = await a!.registerBroker(7, simulatedRegistration(7, clock));
        const oldSession = a!.metastore.sessionId;
        await ns.expire(a!.metastore);
        await a!.metastore.waitUntilConnected(15000);
        assert.notEqual(a!.metastore.sessionId, oldSession);
        const second = await a!.registerBroker(7, simulatedRegistration(7, clock));
        assert.ok(second > first, `${second} > ${first}`);
        assert.equal((await raw(a!, "/brokers/ids/7")).stat!.ephemeralOwner, a!.metastore.sessionId);
      }));

    it("generateBrokerSequenceId counts with /brokers/seqid's version", CASE, () =>
      withKafka(target, clock, 1, async ([a]) => {
        assert.equal(await a!.generateBrokerSequenceId(), 1);
        assert.equal(await a!.generateBrokerSequenceId(), 2);
      }));

    it("controller election: one of three concurrent candidates wins epoch 1; the others get ControllerMovedError", CASE, () =>
      withKafka(target, clock, 3, async (clients) => {
        const results = await Promise.allSettled(clients.map((c, id) => c.registerControllerAndIncrementControllerEpoch(id)));
        const won = results.flatMap((r, id) => (r.status === "fulfilled" ? [{ id, ...r.value }] : []));
        assert.equal(won.length, 1);
        assert.deepEqual([won[0]!.epoch, won[0]!.epochZkVersion], [1, 1]);
        for (const r of results) if (r.status === "rejected") assert.ok(isKafkaError(r.reason, "ControllerMovedError"), String(r.reason));
        const c = clients[0]!;
        assert.equal(await c.getControllerId(), won[0]!.id);
        assert.equal(text((await raw(c, "/controller_epoch")).data), "1");
        const controller = await raw(c, "/controller");
        assert.equal(controller.stat!.ephemeralOwner, clients[won[0]!.id]!.metastore.sessionId);
        const decoded = controllerCodec.decode(controller.data);
        assert.deepEqual([decoded.version, decoded.brokerId, decoded.kraftControllerEpoch], [2, won[0]!.id, -1]);
        // The winner resigns; the next election moves the epoch on.
        await clients[won[0]!.id]!.deleteController(won[0]!.epochZkVersion);
        const next = (won[0]!.id + 1) % 3;
        assert.deepEqual(await clients[next]!.registerControllerAndIncrementControllerEpoch(next), { epoch: 2, epochZkVersion: 2 });
      }));

    it("a write fenced by a stale /controller_epoch zkVersion is ControllerMovedError and changes nothing", CASE, () =>
      withKafka(target, clock, 2, async ([a, b]) => {
        await a!.createTopLevelPaths();
        const old = await a!.registerControllerAndIncrementControllerEpoch(0);
        await a!.metastore.close();
        const now = await b!.registerControllerAndIncrementControllerEpoch(1);
        assert.equal(now.epoch, 2);
        await b!.createTopicAssignment("t", null, new Map([[0, [1]]]));
        await assert.rejects(b!.setTopicAssignment("t", null, new Map([[0, [0]]]), old.epochZkVersion), (e) =>
          isKafkaError(e, "ControllerMovedError") && e.expectedVersion === old.epochZkVersion);
        await assert.rejects(b!.deleteTopicZNode("t", old.epochZkVersion), (e) => isKafkaError(e, "ControllerMovedError"));
        assert.deepEqual((await b!.getReplicaAssignmentAndTopicIdForTopics(["t"])).get("t")!.partitions.get(0)!.replicas, [1]);
        await b!.setTopicAssignment("t", null, new Map([[0, [0, 1]]]), now.epochZkVersion);
        assert.deepEqual((await b!.getReplicaAssignmentAndTopicIdForTopics(["t"])).get("t")!.partitions.get(0)!.replicas, [0, 1]);
        await assert.rejects(b!.setTopicAssignment("t", null, new Map(), -5), (e) => isKeeperError(e, ErrorCode.BadArguments));
      }));

    it("topics and partition states: created fenced, read back in bulk, byte-exact", CASE, () =>
      withKafka(target, clock, 1, async ([c]) => {
        await c!.createTopLevelPaths();
        const { epoch, epochZkVersion } = await c!.registerControllerAndIncrementControllerEpoch(0);
        const topics = ["a", "b", "c"].map((topic) => ({ topic, topicId: null, partitions: new Map([[0, [0, 1]], [1, [1, 0]]]) }));
        for (const r of await c!.createTopicAssignments(topics)) assert.equal(r.resultCode, ErrorCode.Ok);
        await assert.rejects(c!.createTopicAssignment("a", null, new Map([[0, [0]]])), (e) => isKeeperError(e, ErrorCode.NodeExists));
        assert.deepEqual((await c!.getAllTopicsInCluster()).sort(), ["a", "b", "c"]);
        const partitions = topics.flatMap((t) => [0, 1].map((partition) => ({ topic: t.topic, partition })));
        const states = partitions.map((partition) => ({ partition, state: { leader: partition.partition, leaderEpoch: 0, controllerEpoch: epoch, isr: [0, 1], leaderRecoveryState: 0 as const } }));
        for (const r of await c!.createTopicPartitionStates(states, epochZkVersion)) assert.equal(r.resultCode, ErrorCode.Ok);
        const read = await c!.getTopicPartitionStates([...partitions, { topic: "missing", partition: 0 }]);
        assert.deepEqual(read, states.map((s) => ({ ...s, partitionEpoch: 0 })));
        const stateNode = await raw(c!, "/brokers/topics/b/partitions/1/state");
        assert.equal(text(stateNode.data), '{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[0,1]}');
        const assignment = await raw(c!, "/brokers/topics/a");
        assert.equal(text(assignment.data), text(topicAssignmentCodec.encode({ version: 3, topicId: null, partitions: new Map([[0, { replicas: [0, 1], addingReplicas: [], removingReplicas: [] }], [1, { replicas: [1, 0], addingReplicas: [], removingReplicas: [] }]]) })));
        const all = await c!.getReplicaAssignmentAndTopicIdForTopics(["a", "b", "c", "missing"]);
        assert.deepEqual([...all.keys()], ["a", "b", "c"]);
      }));

    it("updateLeaderAndIsr writes at the partition epoch: new epoch on success, retry on BadVersion", CASE, () =>
      withKafka(target, clock, 1, async ([c]) => {
        await c!.createTopLevelPaths();
        const { epoch, epochZkVersion } = await c!.registerControllerAndIncrementControllerEpoch(0);
        const p0 = { topic: "t", partition: 0 };
        const p1 = { topic: "t", partition: 1 };
        const state = { leader: 0, leaderEpoch: 0, controllerEpoch: epoch, isr: [0, 1, 2], leaderRecoveryState: 0 as const };
        await c!.createTopicAssignment("t", null, new Map([[0, [0, 1, 2]], [1, [0, 1, 2]]]));
        await c!.createTopicPartitionStates([{ partition: p0, state }, { partition: p1, state }], epochZkVersion);
        const result = await c!.updateLeaderAndIsr(
          [{ partition: p0, state: { ...state, isr: [0, 1] }, partitionEpoch: 0 }, { partition: p1, state: { ...state, isr: [0] }, partitionEpoch: 5 }],
          epoch,
          epochZkVersion,
        );
        assert.deepEqual(result.updated.map((u) => [u.partition.partition, u.partitionEpoch, u.state.isr]), [[0, 1, [0, 1]]]);
        assert.deepEqual(result.retry, [p1]);
        assert.deepEqual(result.failed, []);
        const missing = await c!.updateLeaderAndIsr([{ partition: { topic: "t", partition: 9 }, state, partitionEpoch: 0 }], epoch, epochZkVersion);
        assert.ok(isKeeperError(missing.failed[0]?.error, ErrorCode.NoNode));
        await assert.rejects(c!.updateLeaderAndIsr([{ partition: p0, state, partitionEpoch: 1 }], epoch, epochZkVersion + 1), (e) =>
          isKafkaError(e, "ControllerMovedError"));
      }));

    it("configs: changeEntityConfig writes the config and a change notification; it needs a controller", CASE, () =>
      withKafka(target, clock, 1, async ([c]) => {
        await c!.createTopLevelPaths();
        const config = new Map([["retention.ms", "60000"], ["cleanup.policy", "compact"]]);
        await assert.rejects(c!.changeEntityConfig(ConfigType.Topic, "t", config), (e) => isKafkaError(e, "ControllerMovedError"));
        await c!.registerControllerAndIncrementControllerEpoch(0);
        const name = await c!.changeEntityConfig(ConfigType.Topic, "t", config);
        assert.match(name, /^\/config\/changes\/config_change_\d{10}$/);
        assert.deepEqual((await raw(c!, "/config/topics/t")).data, entityConfigCodec.encode(config));
        assert.deepEqual(await c!.getEntityConfigs(ConfigType.Topic, "t"), config);
        assert.deepEqual(configChangeNotificationCodec.decode((await raw(c!, name)).data), { version: 2, entityPath: "topics/t" });
        const second = await c!.changeEntityConfig(ConfigType.Topic, "t", new Map([["retention.ms", "1000"]]));
        assert.ok(second > name, "sequence numbers increase");
        assert.deepEqual(await c!.getEntitiesConfigs(ConfigType.Topic, ["t", "none"]), new Map([["t", new Map([["retention.ms", "1000"]])], ["none", new Map()]]));
        // A nested entity: users/<user>/clients/<client>.
        await c!.changeEntityConfig(ConfigType.User, "alice/clients/app", new Map([["producer_byte_rate", "1024"]]));
        assert.deepEqual(await c!.getAllEntitiesWithConfig(ConfigType.User), ["alice"]);
        const notes = await c!.getChangeNotifications(CONFIG_CHANGES_PATH, SequencePrefix.ConfigChange);
        assert.deepEqual(notes.map((n) => configChangeNotificationCodec.decode(n.data).entityPath), ["topics/t", "topics/t", "users/alice/clients/app"]);
      }));

    it("the delete-topic flow: marked under /admin/delete_topics, then the controller removes topic, config and marker", CASE, () =>
      withKafka(target, clock, 2, async ([controller, admin]) => {
        await controller!.createTopLevelPaths();
        const { epoch, epochZkVersion } = await controller!.registerControllerAndIncrementControllerEpoch(0);
        await admin!.createTopicAssignment("doomed", null, new Map([[0, [0]], [1, [0]]]));
        const p = (partition: number) => ({ topic: "doomed", partition });
        const state = { leader: 0, leaderEpoch: 0, controllerEpoch: epoch, isr: [0], leaderRecoveryState: 0 as const };
        await controller!.createTopicPartitionStates([{ partition: p(0), state }, { partition: p(1), state }], epochZkVersion);
        await controller!.changeEntityConfig(ConfigType.Topic, "doomed", new Map([["retention.ms", "1"]]));
        await admin!.createDeleteTopicPath("doomed");
        assert.equal(await admin!.isTopicMarkedForDeletion("doomed"), true);
        assert.deepEqual(await controller!.getTopicDeletions(), ["doomed"]);
        await assert.rejects(controller!.completeTopicDeletion("doomed", epochZkVersion + 7), (e) => isKafkaError(e, "ControllerMovedError"));
        await controller!.completeTopicDeletion("doomed", epochZkVersion);
        assert.equal(await admin!.topicExists("doomed"), false);
        assert.equal(await admin!.isTopicMarkedForDeletion("doomed"), false);
        assert.deepEqual(await admin!.getEntityConfigs(ConfigType.Topic, "doomed"), new Map());
        assert.deepEqual(await controller!.getTopicDeletions(), []);
      }));

    it("purgeObsoleteNotifications deletes notifications whose ctime is more than 15 minutes old", CASE, () =>
      withKafka(target, clock, 1, async ([c]) => {
        await c!.createTopLevelPaths();
        await c!.createConfigChangeNotification("topics/old1");
        await c!.createConfigChangeNotification("topics/old2");
        const before = await c!.getChangeNotifications(CONFIG_CHANGES_PATH, SequencePrefix.ConfigChange);
        await pause(30);
        await c!.createConfigChangeNotification("topics/new");
        const all = await c!.getChangeNotifications(CONFIG_CHANGES_PATH, SequencePrefix.ConfigChange);
        const newest = all[all.length - 1]!.ctime;
        assert.ok(newest > before[1]!.ctime, "the store's ctime moved on");
        // Exactly 15 minutes after the newest: it stays (Kafka purges only past the expiry).
        const now = Number(newest) + CHANGE_EXPIRATION_MS;
        const purged = await c!.purgeObsoleteNotifications(CONFIG_CHANGES_PATH, SequencePrefix.ConfigChange, now);
        assert.deepEqual(purged, before.map((n) => n.name));
        const left = await c!.getChangeNotifications(CONFIG_CHANGES_PATH, SequencePrefix.ConfigChange);
        assert.deepEqual(left.map((n) => configChangeNotificationCodec.decode(n.data).entityPath), ["topics/new"]);
      }));

    it("ISR change and log dir notifications: propagated as sequential nodes, read and deleted by the controller", CASE, () =>
      withKafka(target, clock, 2, async ([controller, broker]) => {
        await controller!.createTopLevelPaths();
        const { epochZkVersion } = await controller!.registerControllerAndIncrementControllerEpoch(0);
        await broker!.propagateIsrChanges([{ topic: "t", partition: 0 }]);
        await broker!.propagateIsrChanges([{ topic: "t", partition: 1 }, { topic: "u", partition: 0 }]);
        const seqs = await controller!.getAllIsrChangeNotifications();
        assert.equal(seqs.length, 2);
        assert.deepEqual(await controller!.getPartitionsFromIsrChangeNotifications(seqs), [
          { topic: "t", partition: 0 },
          { topic: "t", partition: 1 },
          { topic: "u", partition: 0 },
        ]);
        await controller!.deleteIsrChangeNotifications(seqs, epochZkVersion);
        assert.deepEqual(await controller!.getAllIsrChangeNotifications(), []);
        await broker!.propagateLogDirEvent(1);
        const events = await controller!.getAllLogDirEventNotifications();
        assert.deepEqual(await controller!.getBrokerIdsFromLogDirEvents(events), [1]);
        await controller!.deleteLogDirEventNotifications(events, epochZkVersion);
        assert.deepEqual(await controller!.getAllLogDirEventNotifications(), []);
      }));

    it("cluster id, reassignment, preferred election, ACLs, tokens, features and producer ids", CASE, () =>
      withKafka(target, clock, 2, async ([c, other]) => {
        await c!.createTopLevelPaths();
        assert.equal(await c!.getClusterId(), undefined);
        assert.equal(await c!.createOrGetClusterId("first"), "first");
        assert.equal(await other!.createOrGetClusterId("second"), "first");
        assert.equal(text((await raw(c!, "/cluster/id")).data), '{"version":"1","id":"first"}');
        const { epochZkVersion } = await c!.registerControllerAndIncrementControllerEpoch(0);

        await other!.createPartitionReassignment([{ topic: "t", partition: 1, replicas: [2, 0] }]);
        await assert.rejects(other!.createPartitionReassignment([]), (e) => isKeeperError(e, ErrorCode.NodeExists));
        assert.deepEqual(await c!.getPartitionReassignment(), [{ topic: "t", partition: 1, replicas: [2, 0] }]);
        await c!.deletePartitionReassignment(epochZkVersion);
        assert.deepEqual(await c!.getPartitionReassignment(), []);
        await other!.createPreferredReplicaElection([{ topic: "t", partition: 0 }]);
        assert.deepEqual(await c!.getPreferredReplicaElection(), [{ topic: "t", partition: 0 }]);
        await c!.deletePreferredReplicaElection(epochZkVersion);

        await c!.createAclPaths();
        assert.deepEqual((await c!.metastore.handleRequest({ type: "getChildren", path: "/kafka-acl-extended/prefixed", registerWatch: false })).children.sort(), [
          "Cluster",
          "DelegationToken",
          "Group",
          "Topic",
          "TransactionalId",
          "User",
        ]);
        const topic = { resourceType: "Topic", name: "orders", patternType: "LITERAL" };
        const prefixed = { resourceType: "Group", name: "app-", patternType: "PREFIXED" };
        const alice = { principal: "User:alice", permissionType: "Allow", operation: "Read", host: "*" };
        assert.deepEqual(await c!.getVersionedAclsForResource(topic), { acls: [], zkVersion: UNKNOWN_VERSION });
        assert.deepEqual(await c!.createAclsForResourceIfNotExists(topic, [alice]), { ok: true, zkVersion: 0 });
        assert.deepEqual(await other!.createAclsForResourceIfNotExists(topic, [alice]), { ok: false, zkVersion: UNKNOWN_VERSION });
        assert.deepEqual(await other!.conditionalSetAclsForResource(topic, [], 5), { ok: false, zkVersion: UNKNOWN_VERSION });
        assert.deepEqual(await other!.conditionalSetAclsForResource(topic, [alice, { ...alice, operation: "Write" }], 0), { ok: true, zkVersion: 1 });
        assert.deepEqual((await raw(c!, "/kafka-acl/Topic/orders")).data, aclsCodec.encode([alice, { ...alice, operation: "Write" }]));
        await c!.createAclsForResourceIfNotExists(prefixed, [alice]);
        assert.equal((await raw(c!, "/kafka-acl-extended/prefixed/Group/app-")).resultCode, ErrorCode.Ok);
        const literal = await c!.createAclChangeNotification(topic);
        assert.match(literal, /^\/kafka-acl-changes\/acl_changes_\d{10}$/);
        assert.equal(text((await raw(c!, literal)).data), "TOPIC:orders");
        const extended = await c!.createAclChangeNotification(prefixed);
        assert.equal(text((await raw(c!, extended)).data), '{"version":1,"resourceType":"GROUP","name":"app-","patternType":"PREFIXED"}');
        assert.equal(await c!.deleteAclResource(topic, 0), false);
        assert.equal(await c!.deleteAclResource(topic, 1), true);

        const token = {
          version: 3,
          tokenId: "tok1",
          owner: "User:alice",
          tokenRequester: "User:alice",
          renewers: ["User:bob"],
          issueTimestamp: 1,
          maxTimestamp: 3,
          expiryTimestamp: 2,
        };
        await c!.setOrCreateDelegationToken(token);
        await c!.setOrCreateDelegationToken({ ...token, expiryTimestamp: 3 });
        assert.deepEqual(await other!.getDelegationTokenInfo("tok1"), { ...token, expiryTimestamp: 3 });
        assert.match(await c!.createTokenChangeNotification("tok1"), /^\/delegation_token\/token_changes\/token_change_\d{10}$/);
        assert.deepEqual(await c!.getDelegationTokenIds(), ["tok1"]);
        assert.equal(await c!.deleteDelegationToken("tok1"), true);
        assert.equal(await c!.getDelegationTokenInfo("tok1"), undefined);

        const feature = { version: 2, status: 1 as const, features: new Map([["metadata.version", 21]]) };
        await c!.createFeatureZNode(feature);
        assert.equal(await c!.updateFeatureZNode({ ...feature, status: 0 }), 1);
        assert.deepEqual(await other!.getFeatureZNode(), { feature: { ...feature, status: 0 }, zkVersion: 1 });

        assert.equal(await c!.getProducerIdBlock(), undefined, "created empty by createTopLevelPaths");
        const block = { brokerId: 0, blockStart: 0n, blockEnd: 999n };
        assert.equal(await c!.conditionalSetProducerIdBlock(block, 0), 1);
        assert.equal(await other!.conditionalSetProducerIdBlock({ brokerId: 1, blockStart: 1000n, blockEnd: 1999n }, 0), undefined);
        assert.deepEqual(await other!.getProducerIdBlock(), { block, zkVersion: 1 });
      }));

    it("a request sent while the link is down is retried once the client reconnects", CASE, () =>
      withKafka(target, clock, 1, async ([c], ns) => {
        await c!.createTopLevelPaths();
        await c!.createTopicAssignment("t", null, new Map([[0, [0]]]));
        const restore = await ns.cut(c!.metastore);
        const reading = c!.getReplicaAssignmentAndTopicIdForTopics(["t"]);
        await sleep(200);
        await restore();
        assert.deepEqual((await reading).get("t")!.partitions.get(0)!.replicas, [0]);
      }));

    it("data written by the operations reads back as Kafka's bytes through a plain client", CASE, () =>
      withKafka(target, clock, 1, async ([c]) => {
        await c!.createTopLevelPaths();
        const r = await c!.metastore.handleRequest({ type: "create", path: "/brokers/topics/raw", data: new TextEncoder().encode('{"version":1,"partitions":{"0":[3]}}'), acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent });
        assert.equal(r.resultCode, ErrorCode.Ok);
        assert.deepEqual((await c!.getReplicaAssignmentAndTopicIdForTopics(["raw"])).get("raw")!.partitions.get(0)!.replicas, [3]);
        await c!.metastore.handleRequest({ type: "setData", path: "/brokers/topics/raw", data: new TextEncoder().encode("{oops"), version: MATCH_ANY_VERSION });
        await assert.rejects(c!.getReplicaAssignmentAndTopicIdForTopics(["raw"]), (e) => isKafkaError(e, "InvalidZNodeDataError") && e.path === "/brokers/topics/raw");
      }));
  });

  describe(`${target.name}: Kafka workload simulator`, () => {
    it("3 brokers, 4 topics x 3 partitions, ISR churn, controller fail-over", CASE, async () => {
      const ns = await target.namespace();
      const workload = new KafkaWorkload({ open: () => ns.open({ sessionTimeoutMs: 6000 }), clock }, { brokers: 3, topics: 4, partitionsPerTopic: 3 });
      try {
        const report = await workload.run(2);
        assert.equal(report.partitions, 12);
        assert.equal(report.isrUpdates, 24);
        assert.notEqual(report.newController, report.firstController);
        assert.equal(report.controllerEpoch, 2);
        const reader = workload.controller.broker.zk;
        const states = await reader.getTopicPartitionStates(
          Array.from({ length: 4 }, (_, t) => [0, 1, 2].map((partition) => ({ topic: `sim-${t}`, partition }))).flat(),
        );
        assert.equal(states.length, 12);
        const dead = report.firstController;
        assert.equal(report.movedLeaders, 4, "round-robin replicas: each broker led 4 of the 12 partitions");
        for (const s of states) {
          assert.notEqual(s.state.leader, dead);
          assert.ok(!s.state.isr.includes(dead), `ISR ${s.state.isr} still has ${dead}`);
        }
        // Every partition had the dead broker in its ISR (the last churn round restored them all).
        assert.deepEqual(states.map((s) => s.state.leaderEpoch), states.map(() => 1));
        assert.deepEqual((await reader.getSortedBrokerList()).includes(dead), false);
        assert.equal(await reader.getClusterId(), SIMULATED_CLUSTER_ID);
        assert.equal(text((await raw(reader, "/controller_epoch")).data), "2");
        assert.deepEqual(await reader.getAllIsrChangeNotifications(), []);
        // The dead controller's epoch zkVersion no longer fences anything.
        const stale = workload.brokers.find((b) => b.alive)!;
        await assert.rejects(stale.zk.setTopicAssignment("sim-0", null, new Map([[0, [0]]]), 1), (e) => isKafkaError(e, "ControllerMovedError"));
        assert.ok(partitionStateCodec.decode((await raw(reader, "/brokers/topics/sim-0/partitions/0/state")).data).controllerEpoch >= 1);
      } finally {
        await workload.close();
        await ns.dispose();
      }
    });
  });
}
