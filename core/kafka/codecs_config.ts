// Payloads of dynamic configs: /config/<type>/<name> and /config/changes/config_change_<seq> (ZkData 3.8).
import type { ZNodeCodec } from "./codec.ts";
import { InvalidZNodeDataError } from "./errors.ts";
import { type Json, jsonBytes, jsonNumber, jsonObject, jsonString, orderedObject, parseJsonObject } from "./json.ts";
import { javaPropertiesOrder } from "./collection_order.ts";

/**
 * `{"version":1,"config":{...}}`; all values are strings. Kafka holds the config in a
 * java.util.Properties, so the members come in its hash order; null data decodes as no config.
 */
export const entityConfigCodec: ZNodeCodec<ReadonlyMap<string, string>> = {
  encode(config) {
    const members: [string, Json][] = [...config].map(([k, v]) => [k, jsonString(v)]);
    return jsonBytes(jsonObject([["version", jsonNumber(1)], ["config", orderedObject(members, javaPropertiesOrder([...config.keys()]))]]));
  },
  decode(bytes) {
    const config = new Map<string, string>();
    if (bytes === null) return config;
    const js = parseJsonObject(bytes, "entity config");
    if (!js.has("config")) return config;
    const entries = js.object("config");
    for (const k of entries.keys()) config.set(k, entries.string(k));
    return config;
  },
};

/** A config change notification: the entity whose config changed, as `<type>/<sanitized name>`. */
export interface ConfigChangeNotification {
  /** 2 since Kafka 0.10.1 (entity_path); 1 before (entity_type + entity_name). */
  version: number;
  entityPath: string;
}

export const configChangeNotificationCodec: ZNodeCodec<ConfigChangeNotification> = {
  encode(n) {
    if (n.version === 1) {
      const at = n.entityPath.indexOf("/");
      return jsonBytes(jsonObject([
        ["version", jsonNumber(1)],
        ["entity_type", jsonString(n.entityPath.slice(0, at))],
        ["entity_name", jsonString(n.entityPath.slice(at + 1))],
      ]));
    }
    return jsonBytes(jsonObject([["version", jsonNumber(2)], ["entity_path", jsonString(n.entityPath)]]));
  },
  decode(bytes) {
    const js = parseJsonObject(bytes, "config change notification");
    const version = js.int("version");
    if (version === 1) return { version, entityPath: `${js.string("entity_type")}/${js.string("entity_name")}` };
    if (version === 2) return { version, entityPath: js.string("entity_path") };
    throw new InvalidZNodeDataError(`Unknown config change notification version ${version}`);
  },
};
