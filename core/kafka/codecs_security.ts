// Payloads of ACLs and delegation tokens (ZkData 3.8, AclEntry, DelegationTokenManagerZk).
import { type ZNodeCodec, utf8Codec } from "./codec.ts";
import { InvalidZNodeDataError } from "./errors.ts";
import { type Json, jsonArray, jsonBytes, jsonNumber, jsonObject, jsonString, orderedObject, parseJsonObject } from "./json.ts";
import { javaHashMapOrder, scalaImmutableMapOrder } from "./collection_order.ts";
import { desanitize, sanitize } from "./sanitizer.ts";

/** One ACL of a resource. */
export interface AclEntry {
  /** "User:alice". */
  principal: string;
  /** "Allow" or "Deny". */
  permissionType: string;
  /** "Read", "Write", "All", ... */
  operation: string;
  /** "*" or an address. */
  host: string;
}

const ACLS_ORDER = javaHashMapOrder(["version", "acls"]);
const ACL_ORDER = javaHashMapOrder(["principal", "permissionType", "operation", "host"]);

/**
 * `/kafka-acl/<Type>/<name>` and `/kafka-acl-extended/<pattern>/<Type>/<name>`. Kafka 3.x builds these
 * as Java HashMaps (`{"acls":[{"principal":..,"permissionType":..,"host":..,"operation":..}],"version":1}`;
 * Kafka 2.x wrote them in insertion order, which reads the same). Kafka holds the ACLs in a set; they are
 * written in the given order. Data without "acls" decodes as none, as Kafka reads it.
 */
export const aclsCodec: ZNodeCodec<AclEntry[]> = {
  encode(acls) {
    const entries = acls.map((a) =>
      orderedObject([
        ["principal", jsonString(a.principal)],
        ["permissionType", jsonString(a.permissionType)],
        ["operation", jsonString(a.operation)],
        ["host", jsonString(a.host)],
      ], ACL_ORDER)
    );
    return jsonBytes(orderedObject([["version", jsonNumber(1)], ["acls", jsonArray(entries)]], ACLS_ORDER));
  },
  decode(bytes) {
    if (bytes === null || bytes.length === 0) return [];
    const js = parseJsonObject(bytes, "ACLs");
    if (!js.has("acls")) return [];
    return js.objects("acls").map((a) => ({
      principal: a.string("principal"),
      permissionType: a.string("permissionType"),
      operation: a.string("operation"),
      host: a.string("host"),
    }));
  },
};

/** "TransactionalId" -> "TRANSACTIONAL_ID": the enum name Kafka 3.x writes in ACL change notifications. */
function enumName(resourceType: string): string {
  return resourceType.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

/** "TRANSACTIONAL_ID" (Kafka 3.x) or "TransactionalId" (Kafka 2.x) -> "TransactionalId", as in znode paths. */
function typeName(written: string): string {
  if (/[a-z]/.test(written)) return written;
  return written.toLowerCase().split("_").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
}

/** A resource pattern, as ACL change notifications name it. */
export interface ResourcePattern {
  /** As in znode paths: "Topic", "Group", "Cluster", "TransactionalId", "DelegationToken", "User". */
  resourceType: string;
  name: string;
  /** "LITERAL" or "PREFIXED". */
  patternType: string;
}

/** `/kafka-acl-changes/acl_changes_<seq>`: `<TYPE>:<name>` as UTF-8 (e.g. "TOPIC:orders"), literal patterns only. */
export const literalAclChangeCodec: ZNodeCodec<ResourcePattern> = {
  encode(r) {
    if (r.patternType !== "LITERAL") throw new RangeError("Only literal resource patterns go to /kafka-acl-changes");
    return utf8Codec.encode(`${enumName(r.resourceType)}:${r.name}`);
  },
  decode(bytes) {
    const text = utf8Codec.decode(bytes);
    const at = text.indexOf(":");
    if (at < 0) throw new InvalidZNodeDataError(`Expected a string in format ResourceType:ResourceName but got ${JSON.stringify(text)}`);
    return { resourceType: typeName(text.slice(0, at)), name: text.slice(at + 1), patternType: "LITERAL" };
  },
};

/** `/kafka-acl-extended-changes/acl_changes_<seq>`: the JSON change event of a non-literal pattern. */
export const extendedAclChangeCodec: ZNodeCodec<ResourcePattern> = {
  encode(r) {
    if (r.patternType === "LITERAL") throw new RangeError("Literal resource patterns go to /kafka-acl-changes");
    return jsonBytes(jsonObject([
      ["version", jsonNumber(1)],
      ["resourceType", jsonString(enumName(r.resourceType))],
      ["name", jsonString(r.name)],
      ["patternType", jsonString(r.patternType)],
    ]));
  },
  decode(bytes) {
    const js = parseJsonObject(bytes, "ACL change event");
    if (js.int("version") > 1) throw new InvalidZNodeDataError(`Acl change event received for unsupported version: ${js.int("version")}`);
    return { resourceType: typeName(js.string("resourceType")), name: js.string("name"), patternType: js.string("patternType") };
  },
};

/** `/delegation_token/tokens/<tokenId>`; principals are written sanitized ("User%3Aalice"). */
export interface TokenInformation {
  /** 3 since Kafka 3.3 (tokenRequester); 1 and 2 before. */
  version: number;
  tokenId: string;
  owner: string;
  /** Version 3 only; earlier versions read it as the owner. */
  tokenRequester: string;
  renewers: string[];
  issueTimestamp: number;
  maxTimestamp: number;
  expiryTimestamp: number;
}

export const tokenInformationCodec: ZNodeCodec<TokenInformation> = {
  encode(t) {
    const members: [string, Json][] = [
      ["version", jsonNumber(t.version)],
      ["owner", jsonString(sanitize(t.owner))],
    ];
    if (t.version >= 3) members.push(["tokenRequester", jsonString(sanitize(t.tokenRequester))]);
    members.push(
      ["renewers", jsonArray(t.renewers.map((r) => jsonString(sanitize(r))))],
      ["issueTimestamp", jsonNumber(t.issueTimestamp)],
      ["maxTimestamp", jsonNumber(t.maxTimestamp)],
      ["expiryTimestamp", jsonNumber(t.expiryTimestamp)],
      ["tokenId", jsonString(t.tokenId)],
    );
    // Built in a mutable.Map, then `.toMap`: an immutable HashMap of seven or eight entries.
    return jsonBytes(orderedObject(members, scalaImmutableMapOrder(members.map(([k]) => k))));
  },
  decode(bytes) {
    const js = parseJsonObject(bytes, "delegation token");
    const version = js.int("version");
    if (version < 1 || version > 3) throw new InvalidZNodeDataError(`Unsupported delegation token version ${version}`);
    const owner = desanitize(js.string("owner"));
    return {
      version,
      tokenId: js.string("tokenId"),
      owner,
      tokenRequester: version >= 3 ? desanitize(js.string("tokenRequester")) : owner,
      renewers: js.strings("renewers").map(desanitize),
      issueTimestamp: js.int("issueTimestamp"),
      maxTimestamp: js.int("maxTimestamp"),
      expiryTimestamp: js.int("expiryTimestamp"),
    };
  },
};
