// Test vectors for every Kafka payload: decoding then encoding gives back the same bytes, and the
// decoded value is what the payload says. Each vector names where its bytes come from:
// - "captured": read from ZooKeeper 3.8 after a real Kafka 3.9.2 broker (kafka_2.13, Scala 2.13) wrote
//   it on this machine: start-up, kafka-topics --create (3 and 20 partitions, with configs),
//   kafka-configs (topic, user/client quota), kafka-acls (literal and prefixed), an idempotent producer;
// - "reference": the payload as kafka-contract-and-peers.md §4 / kafka-e2e.md document it;
// - "published": zkCli output of real brokers quoted in public posts (Kafka 2.x), so real bytes;
// - "computed": what Kafka 3.8 writes by the collection orders in collection_order.ts (whose CHAMP
//   and mutable.HashMap rules reproduce the published partition-state and broker orders).
// Not captured yet (they need several brokers, SASL or a failed disk): ISR change and log dir
// notifications, reassignment, preferred election, delegation tokens, a broker with a rack/features.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ZNodeCodec } from "./codec.ts";
import { controllerEpochCodec, utf8Codec } from "./codec.ts";
import { brokerRegistrationCodec, clusterIdCodec, controllerCodec } from "./codecs_broker.ts";
import {
  isrChangeNotificationCodec,
  logDirEventCodec,
  partitionStateCodec,
  preferredReplicaElectionCodec,
  reassignPartitionsCodec,
  topicAssignmentCodec,
} from "./codecs_topic.ts";
import { configChangeNotificationCodec, entityConfigCodec } from "./codecs_config.ts";
import { aclsCodec, extendedAclChangeCodec, literalAclChangeCodec, tokenInformationCodec } from "./codecs_security.ts";
import { featureCodec, producerIdBlockCodec } from "./codecs_feature.ts";
import { encodeUtf8, utf8Text } from "./json.ts";
import { isKafkaError } from "./errors.ts";

type Source = "captured" | "reference" | "published" | "computed";

interface Vector {
  name: string;
  source: Source;
  // deno-lint-ignore no-explicit-any
  codec: ZNodeCodec<any>;
  bytes: string;
  value?: unknown;
}

const PLAINTEXT = (host: string, port: number) => ({ listenerName: "PLAINTEXT", host, port, securityProtocol: "PLAINTEXT" });
const TWO_LISTENERS = [
  { listenerName: "INTERNAL", host: "10.0.0.1", port: 9092, securityProtocol: "PLAINTEXT" },
  { listenerName: "EXTERNAL", host: "::1", port: 9093, securityProtocol: "SSL" },
];
const BROKER_FEATURES = new Map([["metadata.version", { minVersion: 1, maxVersion: 21 }], ["kraft.version", { minVersion: 0, maxVersion: 1 }]]);
const replicas = (r: number[], adding: number[] = [], removing: number[] = []) => ({ replicas: r, addingReplicas: adding, removingReplicas: removing });

const VECTORS: Vector[] = [
  {
    name: "cluster id",
    source: "captured",
    codec: clusterIdCodec,
    bytes: '{"version":"1","id":"Coimtj6IRl6JfCvRITdxnA"}',
    value: "Coimtj6IRl6JfCvRITdxnA",
  },
  {
    name: "controller v2",
    source: "captured",
    codec: controllerCodec,
    bytes: '{"version":2,"brokerid":0,"timestamp":"1796159842027","kraftControllerEpoch":-1}',
    value: { version: 2, brokerId: 0, timestamp: "1796159842027", kraftControllerEpoch: -1 },
  },
  {
    name: "broker v5 of a Kafka 3.9.2 broker",
    source: "captured",
    codec: brokerRegistrationCodec,
    bytes: '{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://127.0.0.1:24530"],' +
      '"jmx_port":-1,"port":24530,"host":"127.0.0.1","version":5,"timestamp":"1796159841129"}',
    value: { version: 5, endpoints: [PLAINTEXT("127.0.0.1", 24530)], jmxPort: -1, timestamp: "1796159841129", rack: null, features: new Map() },
  },
  {
    name: "topic v3, 3 partitions",
    source: "captured",
    codec: topicAssignmentCodec,
    bytes: '{"partitions":{"0":[0],"1":[0],"2":[0]},"topic_id":"bA_xwGe0RceD9rsy6FoFSg","adding_replicas":{},"removing_replicas":{},"version":3}',
    value: { version: 3, topicId: "bA_xwGe0RceD9rsy6FoFSg", partitions: new Map([[0, replicas([0])], [1, replicas([0])], [2, replicas([0])]]) },
  },
  {
    name: "topic v3, 20 partitions",
    source: "captured",
    codec: topicAssignmentCodec,
    bytes: '{"partitions":{"11":[0],"12":[0],"13":[0],"14":[0],"15":[0],"16":[0],"17":[0],"18":[0],"19":[0],"0":[0],"1":[0],"2":[0],' +
      '"3":[0],"4":[0],"5":[0],"6":[0],"7":[0],"8":[0],"9":[0],"10":[0]},"topic_id":"gPtphfnkSoamjZhKpfMcog","adding_replicas":{},' +
      '"removing_replicas":{},"version":3}',
  },
  {
    name: "partition state",
    source: "captured",
    codec: partitionStateCodec,
    bytes: '{"controller_epoch":1,"leader":0,"version":1,"leader_epoch":0,"isr":[0]}',
    value: { leader: 0, leaderEpoch: 0, controllerEpoch: 1, isr: [0], leaderRecoveryState: 0 },
  },
  {
    name: "topic config, six entries (kafka-topics --config, then kafka-configs --add-config)",
    source: "captured",
    codec: entityConfigCodec,
    bytes: '{"version":1,"config":{"compression.type":"lz4","cleanup.policy":"compact","max.message.bytes":"2000000",' +
      '"min.insync.replicas":"1","retention.ms":"60000","segment.bytes":"1048576"}}',
  },
  { name: "empty topic config", source: "captured", codec: entityConfigCodec, bytes: '{"version":1,"config":{}}', value: new Map() },
  {
    name: "user/client quota config",
    source: "captured",
    codec: entityConfigCodec,
    bytes: '{"version":1,"config":{"producer_byte_rate":"1024"}}',
    value: new Map([["producer_byte_rate", "1024"]]),
  },
  {
    name: "config change notification of a nested entity",
    source: "captured",
    codec: configChangeNotificationCodec,
    bytes: '{"version":2,"entity_path":"users/alice/clients/app"}',
    value: { version: 2, entityPath: "users/alice/clients/app" },
  },
  {
    name: "feature znode of a ZooKeeper-mode cluster",
    source: "captured",
    codec: featureCodec,
    bytes: '{"features":{},"version":2,"status":1}',
    value: { version: 2, status: 1, features: new Map() },
  },
  {
    name: "literal ACLs (Java HashMap order)",
    source: "captured",
    codec: aclsCodec,
    bytes: '{"acls":[{"principal":"User:alice","permissionType":"Allow","host":"*","operation":"Read"}],"version":1}',
    value: [{ principal: "User:alice", permissionType: "Allow", operation: "Read", host: "*" }],
  },
  {
    name: "literal ACL change (enum name of the resource type)",
    source: "captured",
    codec: literalAclChangeCodec,
    bytes: "TOPIC:cap1",
    value: { resourceType: "Topic", name: "cap1", patternType: "LITERAL" },
  },
  {
    name: "extended ACL change",
    source: "captured",
    codec: extendedAclChangeCodec,
    bytes: '{"version":1,"resourceType":"GROUP","name":"app-","patternType":"PREFIXED"}',
    value: { resourceType: "Group", name: "app-", patternType: "PREFIXED" },
  },
  {
    name: "producer id block",
    source: "captured",
    codec: producerIdBlockCodec,
    bytes: '{"version":1,"broker":0,"block_start":"0","block_end":"999"}',
    value: { brokerId: 0, blockStart: 0n, blockEnd: 999n },
  },
  {
    name: "cluster id (version is the string \"1\")",
    source: "reference",
    codec: clusterIdCodec,
    bytes: '{"version":"1","id":"7b6BYhGxQ2iOWb2xH1BAUA"}',
    value: "7b6BYhGxQ2iOWb2xH1BAUA",
  },
  {
    name: "controller v2 (Kafka 3.4+)",
    source: "reference",
    codec: controllerCodec,
    bytes: '{"version":2,"brokerid":0,"timestamp":"1700000000000","kraftControllerEpoch":-1}',
    value: { version: 2, brokerId: 0, timestamp: "1700000000000", kraftControllerEpoch: -1 },
  },
  {
    name: "controller v1",
    source: "published",
    codec: controllerCodec,
    bytes: '{"version":1,"brokerid":1,"timestamp":"1627960928034"}',
    value: { version: 1, brokerId: 1, timestamp: "1627960928034", kraftControllerEpoch: null },
  },
  { name: "controller epoch", source: "reference", codec: controllerEpochCodec, bytes: "1", value: 1 },
  {
    name: "broker v5 with a rack and two listeners (broker.rack, listener.security.protocol.map)",
    source: "captured",
    codec: brokerRegistrationCodec,
    bytes: '{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT","INTERNAL":"PLAINTEXT"},' +
      '"endpoints":["PLAINTEXT://127.0.0.1:24530","INTERNAL://127.0.0.1:24531"],"rack":"dc1","jmx_port":-1,"port":24530,' +
      '"host":"127.0.0.1","version":5,"timestamp":"1796160059377"}',
    value: {
      version: 5,
      endpoints: [PLAINTEXT("127.0.0.1", 24530), { listenerName: "INTERNAL", host: "127.0.0.1", port: 24531, securityProtocol: "PLAINTEXT" }],
      jmxPort: -1,
      timestamp: "1796160059377",
      rack: "dc1",
      features: new Map(),
    },
  },
  {
    name: "broker v5, two listeners (IPv6), rack and features",
    source: "computed",
    codec: brokerRegistrationCodec,
    bytes: '{"features":{"kraft.version":{"min_version":0,"max_version":1},"metadata.version":{"min_version":1,"max_version":21}},' +
      '"listener_security_protocol_map":{"INTERNAL":"PLAINTEXT","EXTERNAL":"SSL"},"endpoints":["INTERNAL://10.0.0.1:9092","EXTERNAL://[::1]:9093"],' +
      '"rack":"dc1","jmx_port":9999,"port":9092,"host":"10.0.0.1","version":5,"timestamp":"1700000000000"}',
    value: { version: 5, endpoints: TWO_LISTENERS, jmxPort: 9999, timestamp: "1700000000000", rack: "dc1", features: BROKER_FEATURES },
  },
  {
    name: "broker v4 (listener map, no features)",
    source: "computed",
    codec: brokerRegistrationCodec,
    bytes: '{"listener_security_protocol_map":{"INTERNAL":"PLAINTEXT","EXTERNAL":"SSL"},"endpoints":["INTERNAL://10.0.0.1:9092","EXTERNAL://[::1]:9093"],' +
      '"rack":"dc1","jmx_port":9999,"port":9092,"host":"10.0.0.1","version":4,"timestamp":"1700000000000"}',
    value: { version: 4, endpoints: TWO_LISTENERS, jmxPort: 9999, timestamp: "1700000000000", rack: "dc1", features: new Map() },
  },
  {
    name: "broker v3 (rack, listeners named by protocol)",
    source: "computed",
    codec: brokerRegistrationCodec,
    bytes: '{"endpoints":["PLAINTEXT://host1:9092","SSL://host1:9093"],"rack":"dc1","jmx_port":9999,"port":9092,"host":"host1","version":3,"timestamp":"2233345666"}',
    value: {
      version: 3,
      endpoints: [PLAINTEXT("host1", 9092), { listenerName: "SSL", host: "host1", port: 9093, securityProtocol: "SSL" }],
      jmxPort: 9999,
      timestamp: "2233345666",
      rack: "dc1",
      features: new Map(),
    },
  },
  {
    name: "broker v2",
    source: "computed",
    codec: brokerRegistrationCodec,
    bytes: '{"endpoints":["PLAINTEXT://host1:9092"],"jmx_port":9999,"port":9092,"host":"host1","version":2,"timestamp":"2233345666"}',
    value: { version: 2, endpoints: [PLAINTEXT("host1", 9092)], jmxPort: 9999, timestamp: "2233345666", rack: null, features: new Map() },
  },
  {
    name: "broker v1 (host and port only)",
    source: "computed",
    codec: brokerRegistrationCodec,
    bytes: '{"host":"localhost","jmx_port":9999,"port":9092,"version":1,"timestamp":"2233345666"}',
    value: { version: 1, endpoints: [PLAINTEXT("localhost", 9092)], jmxPort: 9999, timestamp: "2233345666", rack: null, features: new Map() },
  },
  {
    name: "topic v3, one partition, topic id",
    source: "computed",
    codec: topicAssignmentCodec,
    bytes: '{"partitions":{"0":[0]},"topic_id":"Sj6PXVnrTZSYUSqj_SXgDw","adding_replicas":{},"removing_replicas":{},"version":3}',
    value: { version: 3, topicId: "Sj6PXVnrTZSYUSqj_SXgDw", partitions: new Map([[0, replicas([0])]]) },
  },
  {
    name: "topic v3, 20 partitions (the partition map grows to 32 buckets), a reassignment in flight",
    source: "computed",
    codec: topicAssignmentCodec,
    bytes: '{"partitions":{"11":[2,0],"12":[0,1],"13":[1,2],"14":[2,0],"15":[0,1],"16":[1,2],"17":[2,0],"18":[0,1],"19":[1,2],"0":[0,1],' +
      '"1":[1,2],"2":[2,0],"3":[0,1],"4":[1,2],"5":[2,0],"6":[0,1],"7":[1,2],"8":[2,0],"9":[0,1],"10":[1,2]},' +
      '"topic_id":"Sj6PXVnrTZSYUSqj_SXgDw","adding_replicas":{"3":[2]},"removing_replicas":{"3":[0]},"version":3}',
  },
  {
    name: "topic v2 (Kafka 2.4-2.7)",
    source: "computed",
    codec: topicAssignmentCodec,
    bytes: '{"partitions":{"0":[0,1],"1":[1,0]},"adding_replicas":{},"removing_replicas":{},"version":2}',
    value: { version: 2, topicId: null, partitions: new Map([[0, replicas([0, 1])], [1, replicas([1, 0])]]) },
  },
  {
    name: "topic v1",
    source: "reference",
    codec: topicAssignmentCodec,
    bytes: '{"version":1,"partitions":{"0":[0,1],"1":[1,0]}}',
    value: { version: 1, topicId: null, partitions: new Map([[0, replicas([0, 1])], [1, replicas([1, 0])]]) },
  },
  {
    name: "partition state",
    source: "published",
    codec: partitionStateCodec,
    bytes: '{"controller_epoch":1,"leader":2,"version":1,"leader_epoch":0,"isr":[2,3,1]}',
    value: { leader: 2, leaderEpoch: 0, controllerEpoch: 1, isr: [2, 3, 1], leaderRecoveryState: 0 },
  },
  {
    name: "partition state, leader recovering (six entries)",
    source: "computed",
    codec: partitionStateCodec,
    bytes: '{"controller_epoch":2,"leader":1,"version":1,"leader_recovery_state":1,"leader_epoch":3,"isr":[1]}',
    value: { leader: 1, leaderEpoch: 3, controllerEpoch: 2, isr: [1], leaderRecoveryState: 1 },
  },
  {
    name: "topic config, one entry",
    source: "reference",
    codec: entityConfigCodec,
    bytes: '{"version":1,"config":{"retention.ms":"60000"}}',
    value: new Map([["retention.ms", "60000"]]),
  },
  {
    name: "topic config, six entries in Properties order",
    source: "computed",
    codec: entityConfigCodec,
    bytes: '{"version":1,"config":{"compression.type":"lz4","cleanup.policy":"compact","max.message.bytes":"2000000",' +
      '"min.insync.replicas":"2","retention.ms":"60000","segment.bytes":"1048576"}}',
  },
  {
    name: "config, fourteen entries (the Properties table resizes)",
    source: "computed",
    codec: entityConfigCodec,
    bytes: '{"version":1,"config":{"k2.x":"2","k1.x":"1","k4.x":"4","k3.x":"3","k6.x":"6","k5.x":"5","k8.x":"8","k7.x":"7",' +
      '"k9.x":"9","k12.x":"12","k13.x":"13","k10.x":"10","k11.x":"11","k0.x":"0"}}',
  },
  {
    name: "config change notification v2",
    source: "reference",
    codec: configChangeNotificationCodec,
    bytes: '{"version":2,"entity_path":"topics/foo"}',
    value: { version: 2, entityPath: "topics/foo" },
  },
  {
    name: "config change notification v1",
    source: "computed",
    codec: configChangeNotificationCodec,
    bytes: '{"version":1,"entity_type":"users","entity_name":"alice/clients/app"}',
    value: { version: 1, entityPath: "users/alice/clients/app" },
  },
  {
    name: "ISR change notification",
    source: "reference",
    codec: isrChangeNotificationCodec,
    bytes: '{"version":1,"partitions":[{"topic":"t1","partition":0},{"topic":"t1","partition":2}]}',
    value: [{ topic: "t1", partition: 0 }, { topic: "t1", partition: 2 }],
  },
  { name: "log dir event", source: "reference", codec: logDirEventCodec, bytes: '{"version":1,"broker":1,"event":1}', value: 1 },
  {
    name: "legacy partition reassignment",
    source: "reference",
    codec: reassignPartitionsCodec,
    bytes: '{"version":1,"partitions":[{"topic":"t4","partition":1,"replicas":[2,0]}]}',
    value: [{ topic: "t4", partition: 1, replicas: [2, 0] }],
  },
  {
    name: "preferred replica election",
    source: "reference",
    codec: preferredReplicaElectionCodec,
    bytes: '{"version":1,"partitions":[{"topic":"t3","partition":5}]}',
    value: [{ topic: "t3", partition: 5 }],
  },
  {
    name: "literal ACL change of a multi-word resource type",
    source: "computed",
    codec: literalAclChangeCodec,
    bytes: "TRANSACTIONAL_ID:orders:eu",
    value: { resourceType: "TransactionalId", name: "orders:eu", patternType: "LITERAL" },
  },
  {
    name: "extended ACL change of a topic prefix",
    source: "reference",
    codec: extendedAclChangeCodec,
    bytes: '{"version":1,"resourceType":"TOPIC","name":"pre","patternType":"PREFIXED"}',
    value: { resourceType: "Topic", name: "pre", patternType: "PREFIXED" },
  },
  {
    name: "feature znode v2",
    source: "computed",
    codec: featureCodec,
    bytes: '{"features":{"metadata.version":{"max_version_level":21}},"version":2,"status":1}',
    value: { version: 2, status: 1, features: new Map([["metadata.version", 21]]) },
  },
  {
    name: "feature znode v1 (min and max level)",
    source: "computed",
    codec: featureCodec,
    bytes: '{"features":{"feature_1":{"max_version_level":2,"min_version_level":2},"feature_2":{"max_version_level":4,"min_version_level":4}},' +
      '"version":1,"status":1}',
    value: { version: 1, status: 1, features: new Map([["feature_1", 2], ["feature_2", 4]]) },
  },
  {
    name: "feature znode, disabled and empty",
    source: "computed",
    codec: featureCodec,
    bytes: '{"features":{},"version":2,"status":0}',
    value: { version: 2, status: 0, features: new Map() },
  },
  {
    name: "producer id block (longs as strings)",
    source: "reference",
    codec: producerIdBlockCodec,
    bytes: '{"version":1,"broker":0,"block_start":"9223372036854774808","block_end":"9223372036854775807"}',
    value: { brokerId: 0, blockStart: 9223372036854774808n, blockEnd: 9223372036854775807n },
  },
  {
    name: "delegation token v3 (sanitized principals)",
    source: "computed",
    codec: tokenInformationCodec,
    bytes: '{"issueTimestamp":1700000000000,"renewers":["User%3Acarol%2A"],"tokenRequester":"User%3Abob%20smith","tokenId":"tok1",' +
      '"owner":"User%3Aalice","expiryTimestamp":1700086400000,"maxTimestamp":1700604800000,"version":3}',
    value: {
      version: 3,
      tokenId: "tok1",
      owner: "User:alice",
      tokenRequester: "User:bob smith",
      renewers: ["User:carol*"],
      issueTimestamp: 1700000000000,
      maxTimestamp: 1700604800000,
      expiryTimestamp: 1700086400000,
    },
  },
  {
    name: "delegation token v2 (no tokenRequester)",
    source: "computed",
    codec: tokenInformationCodec,
    bytes: '{"issueTimestamp":1700000000000,"renewers":[],"tokenId":"tok1","owner":"User%3Aalice","expiryTimestamp":1700086400000,' +
      '"maxTimestamp":1700604800000,"version":2}',
  },
  { name: "token change notification", source: "reference", codec: utf8Codec, bytes: "tok1", value: "tok1" },
];

describe("Kafka payload codecs", () => {
  for (const v of VECTORS) {
    it(`${v.name} [${v.source}] decodes and encodes back to the same bytes`, () => {
      const bytes = encodeUtf8(v.bytes);
      const value = v.codec.decode(bytes);
      if (v.value !== undefined) assert.deepEqual(value, v.value);
      assert.equal(utf8Text(v.codec.encode(value)), v.bytes);
      assert.deepEqual(v.codec.encode(value), bytes);
    });
  }

  it("brokerRegistrationCodec reads the Scala 2.12 order of Kafka 2.8 and writes Kafka 3.x's", () => {
    // Published zkCli output of a Kafka 2.8 (Scala 2.12) broker: same fields, another map order.
    const kafka28 = '{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://10.0.0.1:9092"],' +
      '"jmx_port":-1,"features":{},"host":"10.0.0.1","timestamp":"1627960927890","port":9092,"version":5}';
    const value = brokerRegistrationCodec.decode(encodeUtf8(kafka28));
    assert.deepEqual(value.endpoints, [PLAINTEXT("10.0.0.1", 9092)]);
    assert.equal(
      utf8Text(brokerRegistrationCodec.encode(value)),
      '{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://10.0.0.1:9092"],' +
        '"jmx_port":-1,"port":9092,"host":"10.0.0.1","version":5,"timestamp":"1627960927890"}',
    );
  });

  it("aclsCodec and literalAclChangeCodec read what Kafka 2.x wrote (insertion order, camel-case type)", () => {
    // Published zkCli output (Kafka 0.10, 2016).
    const acls = aclsCodec.decode(encodeUtf8('{"version":1,"acls":[{"principal":"User:producer","permissionType":"Allow","operation":"Write","host":"127.0.0.1"}]}'));
    assert.deepEqual(acls, [{ principal: "User:producer", permissionType: "Allow", operation: "Write", host: "127.0.0.1" }]);
    assert.equal(utf8Text(aclsCodec.encode(acls)), '{"acls":[{"principal":"User:producer","permissionType":"Allow","host":"127.0.0.1","operation":"Write"}],"version":1}');
    assert.deepEqual(literalAclChangeCodec.decode(encodeUtf8("Topic:orders")), { resourceType: "Topic", name: "orders", patternType: "LITERAL" });
  });

  it("brokerRegistrationCodec reads the pretty-printed schemas of ZkData's doc comment", () => {
    const v4 = '{ "version":4, "host":"localhost", "port":9092, "jmx_port":9999, "timestamp":"2233345666",\n' +
      ' "endpoints":["CLIENT://host1:9092", "REPLICATION://host1:9093"], "rack":"dc1",\n' +
      ' "listener_security_protocol_map":{"CLIENT":"SSL", "REPLICATION":"PLAINTEXT"} }';
    const value = brokerRegistrationCodec.decode(encodeUtf8(v4));
    assert.deepEqual(value.endpoints.map((e) => [e.listenerName, e.securityProtocol]), [["CLIENT", "SSL"], ["REPLICATION", "PLAINTEXT"]]);
    // The top-level host/port come from the PLAINTEXT listener.
    assert.match(utf8Text(brokerRegistrationCodec.encode(value)), /"port":9093,"host":"host1"/);
  });

  it("brokerRegistrationCodec writes host null and port -1 without a PLAINTEXT listener", () => {
    const bytes = brokerRegistrationCodec.encode({
      version: 4,
      endpoints: [{ listenerName: "SSL", host: "h", port: 9093, securityProtocol: "SSL" }],
      jmxPort: -1,
      timestamp: "1",
      rack: null,
      features: new Map(),
    });
    assert.match(utf8Text(bytes), /"port":-1,"host":null/);
  });

  it("decoders reject data Kafka would not read, with InvalidZNodeDataError", () => {
    const bad: [ZNodeCodec<unknown>, string][] = [
      [brokerRegistrationCodec, "not json"],
      [brokerRegistrationCodec, '{"version":0,"jmx_port":-1}'],
      [brokerRegistrationCodec, '{"version":4,"jmx_port":-1,"endpoints":["CLIENT://h:1"],"listener_security_protocol_map":{}}'],
      [partitionStateCodec, '{"version":1,"leader":"1","leader_epoch":0,"controller_epoch":1,"isr":[1]}'],
      [controllerEpochCodec, "1x"],
      [featureCodec, '{"version":3,"status":1,"features":{}}'],
      [producerIdBlockCodec, '{"version":1,"broker":0,"block_start":"x","block_end":"1"}'],
      [clusterIdCodec, "[]"],
    ];
    for (const [codec, text] of bad) {
      assert.throws(() => codec.decode(encodeUtf8(text)), (e) => isKafkaError(e, "InvalidZNodeDataError"), text);
    }
  });

  it("entityConfigCodec reads null data as an empty config", () => {
    assert.deepEqual(entityConfigCodec.decode(null), new Map());
  });

  it("strings are escaped as Jackson does: short escapes, upper-case \\u00XX, UTF-8 as is", () => {
    const bytes = clusterIdCodec.encode('a"\\\n\t\u0001\u001f/é😀');
    assert.equal(utf8Text(bytes), '{"version":"1","id":"a\\"\\\\\\n\\t\\u0001\\u001F/é😀"}');
    // 😀 is one 4-byte UTF-8 sequence, not two 3-byte surrogates.
    assert.deepEqual([...bytes.slice(-6, -2)], [0xf0, 0x9f, 0x98, 0x80]);
    assert.equal(clusterIdCodec.decode(bytes), 'a"\\\n\t\u0001\u001f/é😀');
  });
});
