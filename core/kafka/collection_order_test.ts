import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  javaHashMapOrder,
  javaPropertiesOrder,
  javaStringHash,
  scalaImmutableMapOrder,
  scalaMutableHashMapOrder,
  scalaMutableMapLiteralTable,
} from "./collection_order.ts";
import { desanitize, sanitize } from "./sanitizer.ts";

describe("collection orders", () => {
  it("javaStringHash() is String.hashCode", () => {
    assert.equal(javaStringHash(""), 0);
    assert.equal(javaStringHash("version"), 351608024);
    assert.equal(javaStringHash("polygenelubricants"), -2147483648);
  });

  it("scalaImmutableMapOrder() keeps insertion order up to four entries", () => {
    assert.deepEqual(scalaImmutableMapOrder(["version", "brokerid", "timestamp", "kraftControllerEpoch"]), ["version", "brokerid", "timestamp", "kraftControllerEpoch"]);
  });

  it("scalaImmutableMapOrder() gives the order real brokers write partition state in (published zkCli output)", () => {
    assert.deepEqual(scalaImmutableMapOrder(["version", "leader", "leader_epoch", "controller_epoch", "isr"]), ["controller_epoch", "leader", "version", "leader_epoch", "isr"]);
  });

  it("scalaMutableHashMapOrder() sorts by bucket, then hash", () => {
    const keys = ["version", "host", "port", "endpoints", "jmx_port", "timestamp"];
    assert.equal(scalaMutableMapLiteralTable(keys.length), 16);
    assert.equal(scalaMutableMapLiteralTable(4), 8);
    assert.deepEqual(scalaMutableHashMapOrder(keys, 16), ["endpoints", "jmx_port", "port", "host", "version", "timestamp"]);
    // The same keys in another insertion order iterate the same way.
    assert.deepEqual(scalaMutableHashMapOrder([...keys].reverse(), 16), scalaMutableHashMapOrder(keys, 16));
  });

  it("javaHashMapOrder() keeps insertion order within a bucket", () => {
    // "Aa" and "BB" have the same hashCode, so they share a bucket.
    assert.equal(javaStringHash("Aa"), javaStringHash("BB"));
    assert.deepEqual(javaHashMapOrder(["BB", "Aa"]), ["BB", "Aa"]);
    assert.deepEqual(javaHashMapOrder(["Aa", "BB"]), ["Aa", "BB"]);
  });

  it("javaPropertiesOrder() ignores a repeated key and survives resizes", () => {
    const keys = Array.from({ length: 40 }, (_, i) => `key.${i}`);
    const order = javaPropertiesOrder([...keys, "key.3"]);
    assert.equal(order.length, 40);
    assert.deepEqual([...order].sort(), [...keys].sort());
  });
});

describe("sanitize()", () => {
  it("URL-encodes like Kafka's Sanitizer: %2A for *, %20 for space", () => {
    assert.equal(sanitize("User:CN=bob smith,O=*"), "User%3ACN%3Dbob%20smith%2CO%3D%2A");
    assert.equal(sanitize("é"), "%C3%A9");
    assert.equal(desanitize("User%3ACN%3Dbob%20smith%2CO%3D%2A"), "User:CN=bob smith,O=*");
    assert.equal(desanitize("a+b"), "a b");
  });
});
