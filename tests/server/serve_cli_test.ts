// `kmeta serve` with mistakes: one clear line and a non-zero exit, nothing left listening.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { parseServeFlags, runServe, serverStores, UsageError } from "../../runtimes/common/serve.ts";
import { nodeServeHost } from "../../runtimes/node/serve_host.ts";

async function serveLines(args: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runServe({ ...nodeServeHost, log: (l) => lines.push(l), onStop: (stop) => setTimeout(stop, 50) }, args, serverStores(nodeServeHost));
  return { code, lines };
}

describe("kmeta serve flags", () => {
  it("parses every flag and keeps ZooKeeper's defaults", () => {
    const flags = parseServeFlags(["--listen", "0.0.0.0:2281", "--max-connections-per-address=5", "--extended-types", "--metrics", "127.0.0.1:9100"]);
    assert.deepEqual(flags.listen, { host: "0.0.0.0", port: 2281 });
    assert.equal(flags.maxConnectionsPerAddress, 5);
    assert.equal(flags.extendedTypes, true);
    assert.deepEqual(flags.metrics, { host: "127.0.0.1", port: 9100 });
    assert.equal(parseServeFlags([]).store, "memory://");
  });

  for (const [args, message] of [
    [["--frobnicate"], /unknown flag "--frobnicate"/],
    [["--listen", "nowhere"], /--listen wants HOST:PORT, got "nowhere"/],
    [["--max-frame-bytes", "-3"], /--max-frame-bytes wants an integer/],
    [["--listen"], /--listen needs a value/],
    [["--min-session-timeout", "9000", "--max-session-timeout", "5000"], /above --max-session-timeout/],
    [["--secure-listen", "127.0.0.1:2282"], /needs --cert and --key/],
  ] as const) {
    it(`refuses ${args.join(" ")} with one line`, async () => {
      assert.throws(() => parseServeFlags(args), (e) => e instanceof UsageError && message.test(e.message));
      const { code, lines } = await serveLines([...args]);
      assert.equal(code, 2);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, message);
    });
  }

  it("says which address is busy and exits 2", async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const { code, lines } = await serveLines(["--listen", `127.0.0.1:${port}`]);
      assert.equal(code, 2);
      assert.deepEqual(lines.length, 1);
      assert.match(lines[0]!, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} for clients: .*EADDRINUSE`));
    } finally {
      taken.close();
    }
  });

  it("an unknown store scheme is one line", async () => {
    const { code, lines } = await serveLines(["--listen", "127.0.0.1:0", "--store", "redis://x"]);
    assert.equal(code, 2);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /--store/);
  });

  /** A loopback port nothing listens on. */
  const closedPort = async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    return port;
  };

  it("an etcd nothing listens on is one line naming the endpoint, and exit 2", async () => {
    const port = await closedPort();
    const { code, lines } = await serveLines(["--listen", "127.0.0.1:0", "--store", `etcd://127.0.0.1:${port}`]);
    assert.equal(code, 2);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, new RegExp(`--store etcd://127\\.0\\.0\\.1:${port}: .*Cannot reach etcd at http://127\\.0\\.0\\.1:${port}: connection refused`));
  });

  it("a ZooKeeper nothing listens on is one line naming the host, and exit 2", async () => {
    const port = await closedPort();
    const { code, lines } = await serveLines(["--listen", "127.0.0.1:0", "--store", `zk://127.0.0.1:${port}`]);
    assert.equal(code, 2);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, new RegExp(`--store zk://127\\.0\\.0\\.1:${port}: .*Cannot connect to 127\\.0\\.0\\.1:${port}: .*refused`, "i"));
  });

  for (const [args, message] of [
    [["--store", "etcd://127.0.0.1:2379/kafka"], /a chroot is not served .*--etcd-prefix/],
    [["--store", "zk://127.0.0.1:2181/kafka"], /a chroot is not served \(clients choose theirs/],
    [["--store", "zk://127.0.0.1:2181", "--super-digest", "super:D/InIHSb7yEEbrWz8b9l71RjZJU="], /superDigest on the ZooKeeper servers/],
    [["--store", "zk://127.0.0.1:2181", "--extended-types"], /extendedTypesEnabled on the ZooKeeper servers/],
  ] as const) {
    it(`${args.slice(1).join(" ")} is one line saying what to do instead`, async () => {
      const { code, lines } = await serveLines(["--listen", "127.0.0.1:0", ...args]);
      assert.equal(code, 2);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, message);
    });
  }

  it("serves until stopped, then says so", async () => {
    const { code, lines } = await serveLines(["--listen", "127.0.0.1:0"]);
    assert.equal(code, 0);
    assert.match(lines[0]!, /^kmeta serve: listening on 127\.0\.0\.1:\d+ \(store memory:\/\/\)$/);
    assert.match(lines.at(-1)!, /stopping/);
  });
});
