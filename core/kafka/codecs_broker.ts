// Payloads of the cluster's membership: /cluster/id, /brokers/ids/<id>, /controller (ZkData 3.8).
import type { ZNodeCodec } from "./codec.ts";
import { InvalidZNodeDataError } from "./errors.ts";
import {
  type Json,
  jsonArray,
  jsonBytes,
  jsonNullableString,
  jsonNumber,
  jsonObject,
  jsonString,
  orderedObject,
  parseJsonObject,
} from "./json.ts";
import { javaHashMapOrder, scalaImmutableMapOrder, scalaMutableHashMapOrder, scalaMutableMapLiteralTable } from "./collection_order.ts";

/** `/cluster/id`: `{"version":"1","id":...}`, the version a string (Kafka's odd case). */
export const clusterIdCodec: ZNodeCodec<string> = {
  encode: (id) => jsonBytes(jsonObject([["version", jsonString("1")], ["id", jsonString(id)]])),
  decode: (bytes) => parseJsonObject(bytes, "cluster id").string("id"),
};

/** One advertised listener: `LISTENER://host:port` in the registration. */
export interface EndPoint {
  listenerName: string;
  /** null when Kafka registered no host (written as `LISTENER://:port`). */
  host: string | null;
  port: number;
  /** PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. */
  securityProtocol: string;
}

/** A feature's supported range in a version-5 registration. */
export interface SupportedVersionRange {
  minVersion: number;
  maxVersion: number;
}

/** The data of `/brokers/ids/<id>` (the id is the znode's name). */
export interface BrokerRegistration {
  /** 1 to 5: Kafka 3.x writes 5 (IBP >= 2.7), 4 from 0.10.0, 2 before; readers accept 1 upward. */
  version: number;
  endpoints: EndPoint[];
  /** -1 when JMX is off. */
  jmxPort: number;
  /** Registration time in ms since the epoch, as Kafka writes it: a decimal string. */
  timestamp: string;
  /** Written from version 3 on, when set. */
  rack: string | null;
  /** Written from version 5 on. */
  features: ReadonlyMap<string, SupportedVersionRange>;
}

/** Security protocols whose name is also a listener name when no map is registered (Kafka's default map). */
const DEFAULT_PROTOCOLS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"];
// EndPoint's URI rule: listener, "://", host (brackets optional for IPv6), ":", port.
const ENDPOINT = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$/;

/** `LISTENER://host:port` as Kafka's EndPoint.connectionString writes it. */
export function endpointString(e: EndPoint): string {
  if (e.host === null) return `${e.listenerName}://:${e.port}`;
  return `${e.listenerName}://${e.host.includes(":") ? `[${e.host}]` : e.host}:${e.port}`;
}

/** @throws {InvalidZNodeDataError} when the string is not an endpoint or its listener has no protocol. */
export function parseEndpoint(text: string, protocols: ReadonlyMap<string, string>): EndPoint {
  const m = ENDPOINT.exec(text);
  if (!m) throw new InvalidZNodeDataError(`Unable to parse "${text}" to a broker endpoint`);
  const listenerName = m[1]!;
  const securityProtocol = protocols.get(listenerName);
  if (securityProtocol === undefined) throw new InvalidZNodeDataError(`No security protocol defined for listener "${listenerName}"`);
  return { listenerName, host: m[2] === "" ? null : m[2]!, port: Number(m[3]), securityProtocol };
}

export const brokerRegistrationCodec: ZNodeCodec<BrokerRegistration> = {
  encode(b) {
    if (!(b.version >= 1 && b.version <= 5)) throw new RangeError(`Broker registration version ${b.version} is not 1 to 5`);
    // The top-level host and port are the first PLAINTEXT listener's, for clients older than 0.9.
    const plaintext = b.endpoints.find((e) => e.securityProtocol === "PLAINTEXT");
    const members: [string, Json][] = [
      ["version", jsonNumber(b.version)],
      ["host", jsonNullableString(plaintext?.host ?? null)],
      ["port", jsonNumber(plaintext?.port ?? -1)],
    ];
    if (b.version >= 2) members.push(["endpoints", jsonArray(b.endpoints.map((e) => jsonString(endpointString(e))))]);
    members.push(["jmx_port", jsonNumber(b.jmxPort)], ["timestamp", jsonString(b.timestamp)]);
    const table = scalaMutableMapLiteralTable(members.length);
    if (b.rack !== null && b.version >= 3) members.push(["rack", jsonString(b.rack)]);
    if (b.version >= 4) {
      const protocols = new Map(b.endpoints.map((e) => [e.listenerName, e.securityProtocol]));
      const names = scalaImmutableMapOrder([...protocols.keys()]);
      members.push(["listener_security_protocol_map", jsonObject(names.map((n) => [n, jsonString(protocols.get(n)!)]))]);
    }
    if (b.version >= 5) {
      const names = javaHashMapOrder([...b.features.keys()]);
      members.push([
        "features",
        jsonObject(names.map((n) => {
          const r = b.features.get(n)!;
          return [n, jsonObject([["min_version", jsonNumber(r.minVersion)], ["max_version", jsonNumber(r.maxVersion)]])];
        })),
      ]);
    }
    return jsonBytes(orderedObject(members, scalaMutableHashMapOrder(members.map(([k]) => k), table)));
  },
  decode(bytes) {
    const js = parseJsonObject(bytes, "broker registration");
    const version = js.int("version");
    if (version < 1) throw new InvalidZNodeDataError(`Unsupported version of broker registration: ${version}`);
    const jmxPort = js.int("jmx_port");
    let endpoints: EndPoint[];
    if (version === 1) {
      endpoints = [{ listenerName: "PLAINTEXT", host: js.nullableString("host"), port: js.int("port"), securityProtocol: "PLAINTEXT" }];
    } else {
      const protocols = new Map<string, string>();
      if (js.has("listener_security_protocol_map")) {
        const map = js.object("listener_security_protocol_map");
        for (const k of map.keys()) protocols.set(k, map.string(k));
      } else {
        for (const p of DEFAULT_PROTOCOLS) protocols.set(p, p);
      }
      endpoints = js.strings("endpoints").map((e) => parseEndpoint(e, protocols));
    }
    const features = new Map<string, SupportedVersionRange>();
    if (js.has("features")) {
      const map = js.object("features");
      for (const name of map.keys()) {
        const range = map.object(name);
        features.set(name, { minVersion: range.int("min_version"), maxVersion: range.int("max_version") });
      }
    }
    const timestamp = js.raw("timestamp");
    return {
      version,
      endpoints,
      jmxPort,
      timestamp: typeof timestamp === "number" ? String(timestamp) : js.has("timestamp") ? js.string("timestamp") : "",
      rack: js.nullableString("rack"),
      features,
    };
  },
};

/** The data of the ephemeral `/controller`. */
export interface ControllerRegistration {
  /** 2 since Kafka 3.4 (adds kraftControllerEpoch), 1 before. */
  version: number;
  brokerId: number;
  /** Election time in ms since the epoch, a decimal string. */
  timestamp: string;
  /** -1 for a ZooKeeper-mode controller; absent (null) in version 1. */
  kraftControllerEpoch: number | null;
}

export const controllerCodec: ZNodeCodec<ControllerRegistration> = {
  encode(c) {
    const members: [string, Json][] = [
      ["version", jsonNumber(c.version)],
      ["brokerid", jsonNumber(c.brokerId)],
      ["timestamp", jsonString(c.timestamp)],
    ];
    if (c.version >= 2) members.push(["kraftControllerEpoch", jsonNumber(c.kraftControllerEpoch ?? -1)]);
    return jsonBytes(jsonObject(members));
  },
  decode(bytes) {
    const js = parseJsonObject(bytes, "controller");
    const timestamp = js.raw("timestamp");
    return {
      version: js.has("version") ? js.int("version") : 1,
      brokerId: js.int("brokerid"),
      timestamp: typeof timestamp === "number" ? String(timestamp) : js.has("timestamp") ? js.string("timestamp") : "",
      kraftControllerEpoch: js.has("kraftControllerEpoch") ? js.int("kraftControllerEpoch") : null,
    };
  },
};

