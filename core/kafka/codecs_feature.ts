// Payloads of /feature and /latest_producer_id_block (ZkData 3.8).
import type { ZNodeCodec } from "./codec.ts";
import { InvalidZNodeDataError } from "./errors.ts";
import { type Json, jsonBytes, jsonNumber, jsonObject, jsonString, orderedObject, parseJsonObject } from "./json.ts";
import { scalaImmutableMapOrder, scalaMutableHashMapOrder, scalaMutableMapLiteralTable } from "./collection_order.ts";

/** FeatureZNodeStatus. */
export const FeatureStatus = { Disabled: 0, Enabled: 1 } as const;
export type FeatureStatus = (typeof FeatureStatus)[keyof typeof FeatureStatus];

/** The finalized features of `/feature`. */
export interface FeatureZNode {
  /** 2 from IBP 3.3 (max_version_level only), 1 before (also min_version_level). */
  version: number;
  status: FeatureStatus;
  /** Feature name -> finalized max version level. */
  features: ReadonlyMap<string, number>;
}

export const featureCodec: ZNodeCodec<FeatureZNode> = {
  encode(f) {
    const names = scalaImmutableMapOrder([...f.features.keys()]);
    // Kafka 3.8 writes a version-1 range as max then min, both the finalized level.
    const range = (level: number): Json =>
      f.version === 1
        ? jsonObject([["max_version_level", jsonNumber(level)], ["min_version_level", jsonNumber(level)]])
        : jsonObject([["max_version_level", jsonNumber(level)]]);
    const members: [string, Json][] = [
      ["version", jsonNumber(f.version)],
      ["status", jsonNumber(f.status)],
      ["features", jsonObject(names.map((n) => [n, range(f.features.get(n)!)]))],
    ];
    const order = scalaMutableHashMapOrder(members.map(([k]) => k), scalaMutableMapLiteralTable(members.length));
    return jsonBytes(orderedObject(members, order));
  },
  decode(bytes) {
    const js = parseJsonObject(bytes, "feature znode");
    const version = js.int("version");
    if (version !== 1 && version !== 2) throw new InvalidZNodeDataError(`Unsupported version: ${version} of feature information`);
    const status = js.int("status");
    if (status !== 0 && status !== 1) throw new InvalidZNodeDataError(`Malformed status: ${status} found in feature information`);
    const features = new Map<string, number>();
    const map = js.object("features");
    for (const name of map.keys()) {
      const range = map.object(name);
      const max = range.int("max_version_level");
      if (version === 1 && !(range.int("min_version_level") >= 1 && max >= range.int("min_version_level"))) {
        throw new InvalidZNodeDataError(`Feature "${name}": expected 1 <= min_version_level <= max_version_level`);
      }
      if (max < 1) throw new InvalidZNodeDataError(`Feature "${name}": expected max_version_level >= 1, got ${max}`);
      features.set(name, max);
    }
    return { version, status, features };
  },
};

/** The block of producer ids a broker took last; both ends inclusive. */
export interface ProducerIdBlock {
  brokerId: number;
  blockStart: bigint;
  blockEnd: bigint;
}

/** `{"version":1,"broker":..,"block_start":"<long>","block_end":"<long>"}`: the longs are strings. */
export const producerIdBlockCodec: ZNodeCodec<ProducerIdBlock> = {
  encode: (b) =>
    jsonBytes(jsonObject([
      ["version", jsonNumber(1)],
      ["broker", jsonNumber(b.brokerId)],
      ["block_start", jsonString(String(b.blockStart))],
      ["block_end", jsonString(String(b.blockEnd))],
    ])),
  decode(bytes) {
    const js = parseJsonObject(bytes, "producer id block");
    const long = (key: string): bigint => {
      const text = js.string(key);
      if (!/^-?\d+$/.test(text)) throw new InvalidZNodeDataError(`Producer id block "${key}" is not a long: ${JSON.stringify(text)}`);
      return BigInt(text);
    };
    return { brokerId: js.int("broker"), blockStart: long("block_start"), blockEnd: long("block_end") };
  },
};
