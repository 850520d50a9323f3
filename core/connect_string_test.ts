import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseConnectString } from "./connect_string.ts";
import { ErrorCode, isKeeperError } from "./errors.ts";

describe("parseConnectString()", () => {
  it("reads hosts, default ports, IPv6 brackets, the chroot and etcds://", () => {
    assert.deepEqual(parseConnectString("zk://a:2182,b/kafka"), {
      scheme: "zk",
      hosts: [{ host: "a", port: 2182 }, { host: "b", port: 2181 }],
      chroot: "/kafka",
    });
    assert.deepEqual(parseConnectString("etcds://[::1]:2379"), { scheme: "etcd", hosts: [{ host: "::1", port: 2379 }], chroot: "/", tls: true });
    assert.deepEqual(parseConnectString("memory://name/c"), { scheme: "memory", hosts: [{ host: "name", port: 0 }], chroot: "/c" });
  });

  const refused: [string, string][] = [
    [" zk://h", "contains whitespace"],
    ["zk://h\n", "contains whitespace"],
    ["zk://a, b", "contains whitespace"],
    ["ZK://h", 'the scheme must be lower case: "zk://"'],
    ["Etcd://h", 'the scheme must be lower case: "etcd://"'],
    ["zoo://h", 'unknown scheme "zoo" (use memory://, zk://, etcd:// or etcds://)'],
    ["zk:/h", "expected scheme://hosts[/chroot] (memory://, zk://, etcd:// or etcds://)"],
    ["zk://", "no hosts"],
    ["zk://a,,b", "empty host in the host list"],
    ["zk://a,", "empty host in the host list"],
    ["zk://:2181", 'empty host in ":2181"'],
    ["zk://h:", 'bad port "" in "h:" (expected 1..65535)'],
    ["zk://h:0", 'bad port "0" in "h:0" (expected 1..65535)'],
    ["zk://h:65536", 'bad port "65536" in "h:65536" (expected 1..65535)'],
    ["zk://h:21a", 'bad port "21a" in "h:21a" (expected 1..65535)'],
    ["zk://h:+1", 'bad port "+1" in "h:+1" (expected 1..65535)'],
    ["zk://::1", 'bad host "::1" (an IPv6 address needs brackets: [::1]:2181)'],
    ["zk://h/a/", 'chroot "/a/": path must not end with / character'],
  ];
  for (const [url, why] of refused) {
    it(`refuses ${JSON.stringify(url)}: ${why}`, () => {
      assert.throws(
        () => parseConnectString(url),
        (e) => isKeeperError(e, ErrorCode.BadArguments) && e.message === `[BadArguments] Invalid connection string "${url}": ${why}`,
      );
    });
  }
});
