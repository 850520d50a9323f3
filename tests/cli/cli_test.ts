// kmeta's commands under Node, in process, against the real ZooKeeper 3.8 and etcd 3.4 (KMETA_ZK,
// KMETA_ETCD; each test under a fresh chroot) and memory://; migrate and diff on a simulated Kafka
// cluster in both directions; an interrupted migration, killed for real, continued by a re-run.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { connect } from "../../runtimes/node/mod.ts";
import { CreateMode } from "../../core/api/create_mode.ts";
import { OPEN_ACL_UNSAFE } from "../../core/api/acl.ts";
import { dropChroot, openStore, runKmeta, type Run, simulatedCluster, storeUrls } from "./_cli.ts";

const CASE = { timeout: 120_000 };
const kmeta = (args: string[], options?: Parameters<typeof runKmeta>[2]) => runKmeta(connect, args, options);

/** A failure is one line on standard error, never a stack. */
function assertOneLine(r: Run, code: number, message: RegExp): void {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, `one line, got: ${r.stderr}`);
  assert.match(lines[0]!, message);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

for (const name of ["memory", "zk", "etcd"] as const) {
  describe(`kmeta znode commands on ${name}`, () => {
    const url = storeUrls(`nodes-${name}`)[name];
    before(async () => void (await (await openStore(connect, url)).close()));
    after(() => name === "memory" ? undefined : dropChroot(connect, url));
    const k = (...args: string[]) => kmeta(["--store", url, ...args]);

    it("create, get, set, stat, ls, tree, rm: text and --json", CASE, async () => {
      assert.deepEqual((await k("create", "/a", "hello")).lines, ["Created /a"]);
      assert.deepEqual((await k("create", "/a/b", "--hex", "00ff10")).lines, ["Created /a/b"]);
      assert.deepEqual((await k("create", "/a/c")).lines, ["Created /a/c"]);
      assert.deepEqual((await k("get", "/a")).lines, ["hello"]);
      assert.deepEqual((await k("get", "/a/b")).lines, ["00ff10"], "binary data is shown as hex");
      assert.equal((await k("get", "/a/c")).stdout, "", "null data prints nothing");
      const json = JSON.parse((await k("get", "/a/b", "--json")).stdout);
      assert.equal(json.encoding, "hex");
      assert.equal(json.stat.dataLength, 3);
      assert.equal((await k("set", "/a", "world", "--version", "0")).code, 0);
      assertOneLine(await k("set", "/a", "again", "--version", "0"), 1, /^kmeta set: \/a is at another version \(BadVersion\)$/);
      assert.deepEqual((await k("get", "/a")).lines, ["world"]);
      const stat = (await k("stat", "/a")).lines;
      assert.equal(stat.length, 11);
      assert.ok(stat.includes("dataVersion = 1") && stat.includes("numChildren = 2"), stat.join("\n"));
      assert.deepEqual((await k("ls", "/a")).lines, ["b", "c"]);
      assert.deepEqual(JSON.parse((await k("--json", "ls", "/a")).stdout), { path: "/a", children: ["b", "c"] });
      assert.deepEqual((await k("tree", "/a")).lines, ["/a", "  b", "  c"]);
      assert.deepEqual(JSON.parse((await k("tree", "/a", "--json")).stdout).map((n: { path: string }) => n.path), ["/a", "/a/b", "/a/c"]);
      assertOneLine(await k("rm", "/a"), 1, /\/a has children \(NotEmpty\): use rmr/);
      assert.equal((await k("rm", "/a/c")).code, 0);
      assertOneLine(await k("get", "/a/c"), 1, /^kmeta get: \/a\/c does not exist \(NoNode\)$/);
      assert.deepEqual((await k("rmr", "/a")).lines, ["Deleted 2 znodes"]);
      assertOneLine(await k("ls", "/a"), 1, /does not exist \(NoNode\)/);
    });

    it("create modes, acl get and set, sync", CASE, async () => {
      assert.equal((await k("create", "/m")).code, 0);
      assert.deepEqual((await k("create", "/m/s-", "-s")).lines, ["Created /m/s-0000000000"]);
      assert.deepEqual(JSON.parse((await k("create", "/m/s-", "-s", "--json")).stdout), { path: "/m/s-0000000001" });
      assert.equal((await k("create", "/m/box", "-c")).code, 0);
      // ZooKeeper reports ephemeralOwner 0 for containers (as for persistent nodes): no client can tell them apart.
      assert.equal(JSON.parse((await k("stat", "/m/box", "--json")).stdout).stat.ephemeralOwner, "0");
      assertOneLine(await k("create", "/m/s-", "-c", "-e"), 2, /-c \(container\) goes with no other mode flag/);
      assert.deepEqual((await k("acl", "/m")).lines, ["world:anyone:cdrwa"]);
      // With ADMIN for everyone: ZooKeeper shows digest hashes only to a client holding ADMIN on the node.
      assert.equal((await k("acl", "/m", "world:anyone:cra,digest:bob:x0rvNh4DOA5KiJ6JUPCVFUBlj8w=:a")).code, 0);
      assert.deepEqual((await k("acl", "/m")).lines, ["world:anyone:cra", "digest:bob:x0rvNh4DOA5KiJ6JUPCVFUBlj8w=:a"]);
      assertOneLine(await k("acl", "/m", "world:anyone:xyz"), 2, /an ACL is scheme:id:perms/);
      assert.deepEqual((await k("sync", "/m")).lines, ["Sync is OK"]);
      assertOneLine(await k("sync", "/nowhere"), 1, /\/nowhere does not exist/);
    });

    it("watch prints the events and stops after --count", CASE, async () => {
      assert.equal((await k("create", "/w", "0")).code, 0);
      const watching = k("watch", "/w", "--count", "2");
      const writer = await connect(url);
      let done = false;
      void watching.then(() => (done = true));
      for (let i = 1; !done && i < 200; i++) {
        await writer.handleRequest({ type: "setData", path: "/w", data: new TextEncoder().encode(String(i)), version: -1 });
        await new Promise((r) => setTimeout(r, 100));
      }
      await writer.close();
      const r = await watching;
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.lines, ["NodeDataChanged /w", "NodeDataChanged /w"]);
      const children = k("watch", "/w", "--children", "--count", "1", "--json");
      const creator = await connect(url);
      let seen = false;
      void children.then(() => (seen = true));
      for (let i = 0; !seen && i < 100; i++) {
        await creator.handleRequest({ type: "create", path: `/w/c${i}`, data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent });
        await new Promise((r) => setTimeout(r, 100));
      }
      await creator.close();
      assert.deepEqual(JSON.parse((await children).stdout), { event: "NodeChildrenChanged", path: "/w" });
    });
  });
}

describe("kmeta bad input: one line, a non-zero exit", () => {
  const url = storeUrls("bad").zk;
  before(async () => void (await (await openStore(connect, url)).close()));
  after(async () => {
    await dropChroot(connect, url);
    await dropChroot(connect, `${url}-copy`);
  });

  it("unknown commands and flags, missing arguments, bad values: exit 2", CASE, async () => {
    assertOneLine(await kmeta(["frobnicate"]), 2, /^kmeta: unknown command "frobnicate"/);
    assertOneLine(await kmeta(["--frob", "ls"]), 2, /^kmeta: unknown flag "--frob"/);
    assertOneLine(await kmeta(["--store", url, "ls", "/", "--frob"]), 2, /^kmeta ls: unknown flag "--frob"$/);
    assertOneLine(await kmeta(["--store", url, "get"]), 2, /^kmeta get: missing arguments; usage: kmeta get PATH$/);
    assertOneLine(await kmeta(["--store", url, "ls", "/", "/x"]), 2, /unexpected argument "\/x"/);
    assertOneLine(await kmeta(["--store", url, "rm", "/x", "--version", "latest"]), 2, /--version wants a non-negative integer, got "latest"/);
    assertOneLine(await kmeta(["--store", url, "get", "relative"]), 2, /a path starts with "\/"/);
    assertOneLine(await kmeta(["--store", "redis://x", "ls"]), 2, /^kmeta ls: --store: /);
    assertOneLine(await kmeta(["migrate", "--to", url]), 2, /migrate needs --from URL/);
    assertOneLine(await kmeta(["--store", url, "kafka", "partitions"]), 2, /unknown subcommand "partitions"/);
    assertOneLine(await kmeta(["diff", url, url, "--path", "/nowhere"]), 1, /^kmeta diff: [AB]: \/nowhere does not exist \(NoNode\)$/);
    assertOneLine(await kmeta(["migrate", "--from", url, "--to", `${url}-copy`, "--path", "/nowhere"]), 1, /^kmeta migrate: \/nowhere does not exist \(NoNode\)$/);
    assertOneLine(await kmeta(["serve", "--frobnicate"]), 2, /unknown flag "--frobnicate"/);
  });

  it("no store given: a clear line; KMETA_STORE is used when set", CASE, async () => {
    assertOneLine(await kmeta(["ls", "/"]), 2, /^kmeta ls: no store: pass --store URL or set KMETA_STORE/);
    const r = await kmeta(["ls", "/"], { env: { KMETA_STORE: url } });
    assert.equal(r.code, 0, r.stderr);
  });

  it("an unreachable store: exit 3 naming it", CASE, async () => {
    assertOneLine(await kmeta(["--store", "zk://127.0.0.1:1", "--timeout", "1000", "ls", "/"]), 3, /^kmeta ls: cannot reach zk:\/\/127\.0\.0\.1:1: .*refused/);
    assertOneLine(await kmeta(["--timeout", "1000", "diff", url, "etcd://127.0.0.1:1"]), 3, /cannot reach etcd:\/\/127\.0\.0\.1:1/);
  });

  it("invalid JSON in a Kafka znode: exit 1 naming the znode", CASE, async () => {
    const client = await openStore(connect, url);
    await client.handleRequests([
      { type: "create", path: "/brokers", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent },
      { type: "create", path: "/brokers/topics", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent },
      { type: "create", path: "/brokers/topics/broken", data: new TextEncoder().encode("{not json"), acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent },
    ]);
    await client.close();
    assertOneLine(await kmeta(["--store", url, "kafka", "topics"]), 1, /^kmeta kafka: Invalid data in "\/brokers\/topics\/broken": /);
    assertOneLine(await kmeta(["--store", url, "kafka", "describe", "nothere"]), 1, /topic "nothere" does not exist/);
  });

  it("serve and demo still run behind the dispatcher", CASE, async () => {
    const demo = await kmeta(["demo"]);
    assert.equal(demo.code, 0, demo.stderr);
    assert.match(demo.stdout, /with a stale version: BadVersion/);
    const served = await kmeta(["serve", "--listen", "127.0.0.1:0"], { onStop: (stop) => setTimeout(stop, 50) });
    assert.equal(served.code, 0);
    assert.match(served.stderr, /^kmeta serve: listening on 127\.0\.0\.1:\d+ \(store memory:\/\/\)\n/);
    assert.match((await kmeta(["--version"])).stdout, /^kmeta \d+\.\d+\.\d+/);
  });
});

describe("kmeta kafka on a simulated cluster (ZooKeeper)", () => {
  const url = storeUrls("kafka").zk;
  let cluster: Awaited<ReturnType<typeof simulatedCluster>>;
  before(async () => void (cluster = await simulatedCluster(connect, url, { topics: 4, partitions: 3 })));
  after(async () => {
    await cluster.close();
    await dropChroot(connect, url);
  });
  const k = (...args: string[]) => kmeta(["--store", url, "kafka", ...args]);

  it("brokers, controller: the live brokers and the elected controller", CASE, async () => {
    const brokers = await k("brokers");
    assert.equal(brokers.code, 0, brokers.stderr);
    assert.match(brokers.lines[0]!, /^ID\s+ENDPOINTS\s+RACK\s+EPOCH\s+REGISTERED$/);
    assert.equal(brokers.lines.length, 3, "two brokers survive the fail-over");
    const json = JSON.parse((await k("brokers", "--json")).stdout);
    assert.equal(json.length, 2);
    for (const b of json) assert.deepEqual(b.endpoints, [`PLAINTEXT://127.0.0.1:${9092 + b.id}`]);
    assert.equal(json.filter((b: { controller: boolean }) => b.controller).length, 1);
    const controller = JSON.parse((await k("controller", "--json")).stdout);
    assert.equal(controller.epoch, 2, "the fail-over moved the epoch on");
    assert.ok(json.some((b: { id: number }) => b.id === controller.controller));
    assert.match((await k("controller")).lines[0]!, /^controller: broker \d, elected \d{4}-/);
  });

  it("topics, describe, configs, isr", CASE, async () => {
    const topics = await k("topics");
    assert.deepEqual(topics.lines.slice(1).map((l) => l.split(/\s+/)[0]), ["sim-0", "sim-1", "sim-2", "sim-3"]);
    const describe = await k("describe", "sim-0");
    assert.match(describe.lines[0]!, /^Topic: sim-0\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 3\tConfigs: cleanup\.policy=compact,retention\.ms=86400000$/);
    assert.match(describe.lines[1]!, /^\tTopic: sim-0\tPartition: 0\tLeader: \d\tReplicas: 0,1,2\tIsr: [\d,]+\tElr: N\/A\tLastKnownElr: N\/A$/);
    const d = JSON.parse((await k("describe", "sim-0", "--json")).stdout);
    assert.equal(d.partitions.length, 3);
    assert.deepEqual(d.configs, { "cleanup.policy": "compact", "retention.ms": "86400000" });
    assert.deepEqual((await k("configs", "topics")).lines, ["TYPE    NAME   CONFIGS", "topics  sim-0  cleanup.policy=compact,retention.ms=86400000", "topics  sim-1  min.insync.replicas=2"]);
    const isr = JSON.parse((await k("isr", "--json")).stdout);
    assert.equal(isr.length, 12);
    const under = JSON.parse((await k("isr", "--under-replicated", "--json")).stdout);
    assert.ok(under.length > 0 && under.every((p: { isr: number[]; replicas: number[] }) => p.isr.length < p.replicas.length), "the dead broker left the ISRs");
  });
});

/** Migrates a fresh simulated cluster from one store to another and back, diffing each copy. */
function roundTrip(first: "zk" | "etcd" | "memory", second: "zk" | "etcd" | "memory") {
  describe(`kmeta migrate ${first} -> ${second} -> ${first}, then diff`, () => {
    const a = storeUrls(`mig-${first}`)[first], b = storeUrls(`mig-${second}`)[second], c = storeUrls(`back-${first}`)[first];
    let cluster: Awaited<ReturnType<typeof simulatedCluster>>;
    before(async () => void (cluster = await simulatedCluster(connect, a, { topics: 20, partitions: 5 })));
    after(async () => {
      await cluster.close();
      for (const u of [a, b, c]) if (!u.startsWith("memory:")) await dropChroot(connect, u);
    });

    it("copies everything but ephemerals; diff finds zero differences both ways", CASE, async () => {
      const there = await kmeta(["migrate", "--from", a, "--to", b]);
      assert.equal(there.code, 0, there.stderr);
      assert.match(there.lines[0]!, /^copied \d+ znodes under \/ from /);
      assert.match(there.stdout, /skipped 3 ephemeral znodes \(they live with their sessions\): \/controller, \/brokers\/ids\/\d, \/brokers\/ids\/\d/);
      const diff = await kmeta(["diff", a, b]);
      assert.equal(diff.code, 0, diff.stdout);
      assert.match(diff.lines.at(-1)!, /^equal: \d+ znodes under \/; ephemeral znodes not compared: A 3, B 0$/);
      await cluster.close(); // the brokers stop, as before a real migration back
      const back = await kmeta(["migrate", "--from", b, "--to", c, "--json"]);
      assert.equal(back.code, 0, back.stderr);
      assert.deepEqual(JSON.parse(back.stdout).ephemerals, []);
      for (const [x, y] of [[a, c], [b, c]]) {
        const r = await kmeta(["diff", x!, y!, "--json"]);
        assert.equal(r.code, 0, r.stdout);
        const report = JSON.parse(r.stdout);
        assert.equal(report.equal, true);
        assert.deepEqual(report.differences, []);
      }
    });

    it("keeps ACLs, binary data and sequence counters", CASE, async () => {
      assert.deepEqual((await kmeta(["--store", c, "acl", "/kmeta-test/locked"])).lines, ["world:anyone:r"]);
      assert.deepEqual((await kmeta(["--store", c, "ls", "/kmeta-test/locked"])).lines, ["child"], "created under a read-only parent");
      assert.deepEqual((await kmeta(["--store", b, "get", "/kmeta-test/container/item"])).lines, ["000102ff"]);
      for (const url of [a, b, c]) {
        assert.deepEqual((await kmeta(["--store", url, "create", "/kmeta-test/seq-", "-s"])).lines, ["Created /kmeta-test/seq-0000000004"], url);
        const next = await kmeta(["--store", url, "create", "/config/changes/config_change_", "-s"]);
        assert.deepEqual(next.lines, ["Created /config/changes/config_change_0000000002"], url);
      }
    });
  });
}
roundTrip("zk", "etcd");
roundTrip("etcd", "zk");
roundTrip("memory", "zk");

describe("kmeta migrate into a non-empty target, --dry-run, --path, and diff finding differences", () => {
  const { zk: a, etcd: b } = storeUrls("target");
  let cluster: Awaited<ReturnType<typeof simulatedCluster>>;
  before(async () => void (cluster = await simulatedCluster(connect, a, { topics: 3, partitions: 2 })));
  after(async () => {
    await cluster.close();
    await dropChroot(connect, a);
    await dropChroot(connect, b);
  });

  it("a dry run writes nothing; a subtree copy copies only it", CASE, async () => {
    const dry = await kmeta(["migrate", "--from", a, "--to", b, "--dry-run"]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.lines[0]!, /^would copy \d+ znodes/);
    assertOneLine(await kmeta(["--store", b, "ls", "/brokers"]), 1, /NoNode|does not exist/);
    const sub = await kmeta(["migrate", "--from", a, "--to", b, "--path", "/brokers/topics"]);
    assert.equal(sub.code, 0, sub.stderr);
    assert.deepEqual((await kmeta(["--store", b, "ls", "/"])).lines, ["brokers"]);
    assert.equal((await kmeta(["diff", a, b, "--path", "/brokers/topics"])).code, 0);
  });

  it("refuses a target with other data unless --force, which makes it a copy", CASE, async () => {
    assert.equal((await kmeta(["--store", b, "set", "/brokers/topics/sim-0", "{}"])).code, 0);
    assert.equal((await kmeta(["--store", b, "create", "/extra", "x"])).code, 0);
    const diff = await kmeta(["diff", a, b, "--path", "/brokers/topics"]);
    assert.equal(diff.code, 1);
    assert.match(diff.lines[0]!, /^data differs: \/brokers\/topics\/sim-0 \(A "\{\\"partitions\\".*\.\.\." \(\d+ bytes\), B "\{\}" \(2 bytes\)\)$/);
    assert.match(diff.lines.at(-1)!, /^different: 1 differences in/);
    const whole = await kmeta(["diff", a, b]);
    assert.equal(whole.code, 1);
    assert.ok(whole.lines.includes("only in B: /extra"), whole.stdout);
    assert.ok(whole.lines.some((l) => /^only in A: \/config \(with \d+ znodes under it\)$/.test(l)), whole.stdout);
    assertOneLine(await kmeta(["migrate", "--from", a, "--to", b]), 1, /^kmeta migrate: the target is not empty and not a partial copy of the source: .*--force replaces what is there$/);
    const forced = await kmeta(["migrate", "--from", a, "--to", b, "--force"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.lines[1]!, /data set 1, .* deleted 1/);
    assert.equal((await kmeta(["diff", a, b])).code, 0);
  });
});

describe("kmeta migrate, interrupted (SIGKILL), continued by a re-run", () => {
  const { zk: a, etcd: b } = storeUrls("resume");
  let cluster: Awaited<ReturnType<typeof simulatedCluster>>;
  before(async () => void (cluster = await simulatedCluster(connect, a, { topics: 100, partitions: 10 })));
  after(async () => {
    await cluster.close();
    await dropChroot(connect, a);
    await dropChroot(connect, b);
  });

  it("the partial copy differs, the re-run continues without --force and converges", CASE, async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "runtimes/node/cli/kmeta.ts", "migrate", "--from", a, "--to", b], { stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // Kill it once the topics are written: the partitions and their states (most of the tree) are not.
    const watcher = await openStore(connect, b);
    let killed = false;
    for (let i = 0; i < 1200 && !killed; i++) {
      const r = await watcher.handleRequest({ type: "exists", path: "/brokers/topics/sim-0" });
      if (r.resultCode === 0) killed = child.kill("SIGKILL");
      else await new Promise((r) => setTimeout(r, 25));
    }
    await watcher.close();
    assert.ok(killed, "the migration was interrupted");
    assert.equal(await exited, null, "killed by the signal");
    const partial = await kmeta(["diff", a, b, "--json"]);
    assert.equal(partial.code, 1, "the interrupted copy is not complete");
    // Missing znodes, and ACLs not set yet (a read-only parent is open until its children exist).
    assert.ok(JSON.parse(partial.stdout).differences.every((d: { what: string }) => d.what === "only in A" || d.what === "ACL"), partial.stdout);
    const again = await kmeta(["migrate", "--from", a, "--to", b]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /the target holds [\d,]+ znodes of the source already: continuing/);
    const diff = await kmeta(["diff", a, b]);
    assert.equal(diff.code, 0, diff.stdout);
  });
});
