// Where memory and etcd once differed from ZooKeeper 3.8 (issue 10), each judged on the real server
// in the same test: ZooKeeper's own nodes, ACL checks and ids, getAcl's redaction, digest
// credentials, size limits, the chroot's edges, and a loop that awaits nothing but the store.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type ACL,
  CREATOR_ALL_ACL,
  ErrorCode,
  type KafkaMetastore,
  type MetastoreOptions,
  OPEN_ACL_UNSAFE,
  type Request,
} from "../../core/mod.ts";
import { digestId } from "../../core/tree/credentials.ts";
import type { ConformanceTarget, Namespace } from "./target.ts";
import { assertCode, bytes, create, withClient } from "./helpers.ts";

const world = (perms: number): ACL => ({ perms, id: { scheme: "world", id: "anyone" } });
const digest = (perms: number, userPassword: string): ACL => ({ perms, id: { scheme: "digest", id: digestId(userPassword) } });
const withAcl = (path: string, acl: readonly ACL[], mode = 0): Request => ({ type: "create", path, data: null, acl, mode: mode as 0 });

function openRoot(ns: Namespace, options?: MetastoreOptions): Promise<KafkaMetastore> {
  if (!ns.openRoot) throw new Error("This target cannot open a client at the store's root");
  return ns.openRoot(options);
}

function openAt(ns: Namespace, chroot: string, options?: MetastoreOptions): Promise<KafkaMetastore> {
  if (!ns.openAt) throw new Error("This target cannot open a client under a chroot");
  return ns.openAt(chroot, options);
}

/** The stats a fresh ZooKeeper 3.8 reports for its own nodes (measured). */
const SYSTEM_STATS: Record<string, { cversion: number; aversion: number; numChildren: number }> = {
  "/zookeeper": { cversion: -2, aversion: 0, numChildren: 2 },
  "/zookeeper/quota": { cversion: 0, aversion: 0, numChildren: 0 },
  "/zookeeper/config": { cversion: 0, aversion: -1, numChildren: 0 },
};

/**
 * [scheme, id, valid] as 3.8's providers judge them (measured): digest ids split on ":" into
 * exactly two parts (Java drops trailing empty parts), ip ids are IPv4 with Integer.parseInt octets
 * and bits. x509 is left out: a server knows it only when TLS is configured.
 */
const IDS: [string, string, boolean][] = [
  ["digest", "a:b", true],
  ["digest", ":b", true],
  ["digest", "a:", false],
  ["digest", "a:b:c", false],
  ["digest", ":", false],
  ["digest", "a::", false],
  ["digest", "::b", false],
  ["digest", "", false],
  ["ip", "1.2.3.4", true],
  ["ip", "1.2.3.4/8", true],
  ["ip", "1.2.3.4/0", true],
  ["ip", "1.2.3.4/+8", true],
  ["ip", "1.2.3.4/08", true],
  ["ip", "+1.2.3.4", true],
  ["ip", "01.2.3.4", true],
  ["ip", "-0.1.2.3", true],
  ["ip", "1.2.3.4/33", false],
  ["ip", "1.2.3.4/-1", false],
  ["ip", "1.2.3.4/", false],
  ["ip", "1.2.3", false],
  ["ip", "1.2.3.4.5", false],
  ["ip", "1..2.3", false],
  ["ip", "256.1.1.1", false],
  ["ip", " 1.2.3.4", false],
  ["ip", "::1", false],
  ["ip", "fe80::1/64", false],
  ["ip", "", false],
  ["world", "anyone", true],
  ["world", "x", false],
  ["super", "", false],
  ["sasl", "u", false],
  ["key", "k", false],
];

/** The frame of a create of `path` with `n` bytes of data and OPEN_ACL_UNSAFE, as ZooKeeper's client sends it. */
function createFrameBytes(path: string, n: number): number {
  return 8 + (4 + path.length) + (4 + n) + (4 + 4 + (4 + 5) + (4 + 6)) + 4;
}
const MAX_FRAME = 0xfffff;
/**
 * The longest name etcd's default --max-request-bytes (1.5 MiB) lets through a node's whole life
 * (measured; README): a delete carries the name more often than a create, which takes up to ~520,000.
 */
const ETCD_MAX_NAME = 220_000;
/** A name no etcd create takes. */
const ETCD_REFUSED_NAME = 530_000;
/**
 * The most creates under one parent a Multi on etcd's default --max-txn-ops (128) carries (measured;
 * README): one compare per name beside the parent's two, when the names are read as one range.
 */
const ETCD_MAX_MULTI_CREATES = 126;
/**
 * setData of distinct nodes such a Multi carries (measured; README): 42 always (each node costs three
 * reads in the snapshot's Txn), up to 127 when siblings are few enough to be read as one range (a
 * compare per node, one for their children keys); never 128.
 */
const ETCD_MULTI_SETS_FIT = 42;
const ETCD_MULTI_SETS_NEVER = 128;

export function paritySuite(target: ConformanceTarget): void {
  const etcd = target.name.includes("etcd");
  describe(`${target.name}: as ZooKeeper 3.8 where stores once differed`, () => {
    it("/zookeeper, /zookeeper/quota and /zookeeper/config refuse delete (also in a Multi) and stay, for every client", () =>
      withClient(target, async (_c, ns) => {
        const root = await openRoot(ns);
        for (const path of Object.keys(SYSTEM_STATS)) {
          assertCode(await root.handleRequest({ type: "delete", path, version: -1 }), ErrorCode.BadArguments);
          assertCode(await root.handleRequest({ type: "delete", path, version: 5 }), ErrorCode.BadArguments);
          const multi = await root.handleRequest({ type: "multi", ops: [{ type: "check", path: "/", version: -1 }, { type: "delete", path, version: -1 }] });
          assert.deepEqual(multi.results?.map((r) => r.resultCode) ?? multi.resultCode, [ErrorCode.Ok, ErrorCode.BadArguments], path);
        }
        assertCode(await root.handleRequest({ type: "delete", path: "/zookeeper/none", version: -1 }), ErrorCode.NoNode);
        // Another client of the same store (on etcd: of the same prefix) still finds them as a fresh 3.8 has them.
        const other = await openRoot(ns);
        for (const [path, expected] of Object.entries(SYSTEM_STATS)) {
          const r = await other.handleRequest({ type: "getData", path, registerWatch: false });
          assertCode(r, ErrorCode.Ok, path);
          assert.equal(r.data?.length ?? 0, 0, `${path} data`);
          const { cversion, aversion, numChildren, czxid, mzxid, version } = r.stat!;
          assert.deepEqual({ cversion, aversion, numChildren }, expected, `${path} stat`);
          assert.deepEqual([czxid, mzxid, version], [0n, 0n, 0], `${path} czxid, mzxid, version`);
        }
        const children = await other.handleRequest({ type: "getChildren", path: "/zookeeper", registerWatch: false });
        assert.deepEqual([...children.children].sort(), ["config", "quota"]);
        // Without a quota set, 3.8's quota node is static: no zookeeper_stats below it.
        const quota = await other.handleRequest({ type: "getChildren", path: "/zookeeper/quota", registerWatch: false });
        assert.deepEqual(quota.children, []);
      }));

    it("getChildren lists children as ZooKeeper's HashSet iterates them: neither in creation order nor sorted", () =>
      withClient(target, async (c) => {
        assertCode(await c.handleRequest(create("/order")), ErrorCode.Ok);
        const names = ["y", "x", "topic-10", "topic-9", "__consumer_offsets", "a", "b"];
        for (const name of names) assertCode(await c.handleRequest(create(`/order/${name}`)), ErrorCode.Ok);
        const r = await c.handleRequest({ type: "getChildren", path: "/order", registerWatch: false });
        // Measured on 3.8: seven names have grown the set to 16 buckets.
        assert.deepEqual(r.children, ["a", "b", "topic-9", "x", "y", "topic-10", "__consumer_offsets"]);
      }));

    it("create judges an invalid ACL right after the path: before the parent, its rights, the node and ephemeral parents", () =>
      withClient(target, async (c) => {
        const bad = [{ perms: 31, id: { scheme: "digest", id: "nocolon" } }];
        assertCode(await c.handleRequest(create("/p")), ErrorCode.Ok);
        assertCode(await c.handleRequest(create("/p/eph", null, 1)), ErrorCode.Ok);
        assertCode(await c.handleRequest(withAcl("/p/ro", [world(1)])), ErrorCode.Ok);
        const cases: [string, Request][] = [
          ["missing parent", withAcl("/p/none/x", bad)],
          ["existing node", withAcl("/p", bad)],
          ["ephemeral parent", withAcl("/p/eph/x", bad)],
          ["parent without CREATE", withAcl("/p/ro/x", bad)],
          ["an empty ACL under a missing parent", withAcl("/p/none/x", [])],
          ["auth without credentials under a missing parent", withAcl("/p/none/x", CREATOR_ALL_ACL)],
          ["an unknown scheme under a missing parent", withAcl("/p/none/x", [{ perms: 31, id: { scheme: "foo", id: "x" } }])],
          ["a sequential create under a missing parent", withAcl("/p/none/x", bad, 2)],
          ["setAcl of a missing node", { type: "setAcl", path: "/p/none", acl: bad, version: -1 }],
        ];
        for (const [what, request] of cases) assertCode(await c.handleRequest(request), ErrorCode.InvalidAcl, what);
      }));

    it("digest and ip ids are valid exactly where 3.8's providers take them", () =>
      withClient(target, async (c) => {
        let i = 0;
        for (const [scheme, id, valid] of IDS) {
          const r = await c.handleRequest(withAcl(`/id${i++}`, [{ perms: 31, id: { scheme, id } }]));
          assertCode(r, valid ? ErrorCode.Ok : ErrorCode.InvalidAcl, `${scheme}:${JSON.stringify(id)}`);
        }
      }));

    it("getAcl shows digest ids as user:x to a caller without ADMIN, in full to one with it", () =>
      withClient(target, async (c, ns) => {
        const secret = digest(31, "u:pw");
        const ip: ACL = { perms: 3, id: { scheme: "ip", id: "10.0.0.1" } };
        assertCode(await c.handleRequest(withAcl("/read", [world(1), secret, ip])), ErrorCode.Ok);
        assertCode(await c.handleRequest(withAcl("/admin", [world(16), secret])), ErrorCode.Ok);
        assertCode(await c.handleRequest(withAcl("/write", [world(2), secret])), ErrorCode.Ok);
        const read = await c.handleRequest({ type: "getAcl", path: "/read" });
        assert.deepEqual(read.acl, [world(1), { perms: 31, id: { scheme: "digest", id: "u:x" } }, ip]);
        assert.deepEqual((await c.handleRequest({ type: "getAcl", path: "/admin" })).acl, [world(16), secret]);
        assertCode(await c.handleRequest({ type: "getAcl", path: "/write" }), ErrorCode.NoAuth);
        // With the credentials the caller has ADMIN through the digest entry: nothing is hidden.
        const owner = await ns.open({ auth: [{ scheme: "digest", auth: "u:pw" }] });
        assert.deepEqual((await owner.handleRequest({ type: "getAcl", path: "/read" })).acl, [world(1), secret, ip]);
      }));

    it("digest credentials (connect option, addAuth) own CREATOR_ALL_ACL nodes and open digest-protected ones", () =>
      withClient(target, async (c, ns) => {
        assertCode(await c.handleRequest(withAcl("/mine", CREATOR_ALL_ACL)), ErrorCode.InvalidAcl, "CREATOR_ALL_ACL without credentials");
        const alice = await ns.open({ auth: [{ scheme: "digest", auth: "alice:pw" }] });
        assertCode(await alice.handleRequest({ type: "create", path: "/mine", data: bytes("a"), acl: CREATOR_ALL_ACL, mode: 0 }), ErrorCode.Ok);
        assert.deepEqual((await alice.handleRequest({ type: "getAcl", path: "/mine" })).acl, [digest(31, "alice:pw")]);
        assertCode(await alice.handleRequest({ type: "getData", path: "/mine", registerWatch: false }), ErrorCode.Ok);
        // Others see it exists and nothing more.
        assertCode(await c.handleRequest({ type: "exists", path: "/mine" }), ErrorCode.Ok);
        assertCode(await c.handleRequest({ type: "getData", path: "/mine", registerWatch: false }), ErrorCode.NoAuth);
        assertCode(await c.handleRequest({ type: "setData", path: "/mine", data: null, version: -1 }), ErrorCode.NoAuth);
        assertCode(await c.handleRequest(create("/mine/x")), ErrorCode.NoAuth);
        c.addAuth({ scheme: "digest", auth: "bob:pw" });
        assertCode(await c.handleRequest({ type: "getData", path: "/mine", registerWatch: false }), ErrorCode.NoAuth, "as bob");
        c.addAuth({ scheme: "digest", auth: new TextEncoder().encode("alice:pw") });
        const read = await c.handleRequest({ type: "getData", path: "/mine", registerWatch: false });
        assertCode(read, ErrorCode.Ok, "as bob and alice");
        assert.deepEqual(read.data, bytes("a"));
        // CREATOR_ALL_ACL with two identities names both, in the order they were added.
        assertCode(await c.handleRequest(withAcl("/ours", CREATOR_ALL_ACL)), ErrorCode.Ok);
        assert.deepEqual((await c.handleRequest({ type: "getAcl", path: "/ours" })).acl, [digest(31, "bob:pw"), digest(31, "alice:pw")]);
        // A node protected by an explicit digest entry, and a wrong password.
        assertCode(await alice.handleRequest(withAcl("/locked", [digest(1, "carol:secret")])), ErrorCode.Ok);
        const wrong = await ns.open({ auth: [{ scheme: "digest", auth: "carol:guess" }] });
        assertCode(await wrong.handleRequest({ type: "getData", path: "/locked", registerWatch: false }), ErrorCode.NoAuth);
        const carol = await ns.open({ auth: [{ scheme: "digest", auth: "carol:secret" }] });
        assertCode(await carol.handleRequest({ type: "getData", path: "/locked", registerWatch: false }), ErrorCode.Ok);
        assertCode(await carol.handleRequest({ type: "setData", path: "/locked", data: null, version: -1 }), ErrorCode.NoAuth);
      }));

    // Megabytes through every store: more than Bun's default 5 s per test on a busy machine.
    it("the largest request is ZooKeeper's 1 MiB frame (jute.maxbuffer) on every store, and what etcd's limits let through passes everywhere", { timeout: 120_000 }, () =>
      withClient(target, async (c) => {
        // Under a chroot the store's path is longer than the client's: 200 bytes leave room for it.
        const fits = MAX_FRAME - createFrameBytes("/big", 0) - 200;
        assertCode(await c.handleRequest(create("/big", new Uint8Array(fits))), ErrorCode.Ok, `data of ${fits} bytes`);
        const over = MAX_FRAME - createFrameBytes("/big2", 0) + 1;
        assertCode(await c.handleRequest(create("/big2", new Uint8Array(over))), ErrorCode.BadArguments, `data of ${over} bytes`);
        // A Multi is one frame: 600 kB of data in it fits, 1.2 MB does not.
        const creates = (n: number, at: string, size = 0) =>
          Array.from({ length: n }, (_, i) => ({ type: "create" as const, path: `${at}/${i}`, data: new Uint8Array(size), acl: OPEN_ACL_UNSAFE, mode: 0 as const }));
        assertCode(await c.handleRequest(create("/m")), ErrorCode.Ok);
        assertCode(await c.handleRequest({ type: "multi", ops: creates(2, "/m", 300_000) }), ErrorCode.Ok, "a Multi of 600 kB");
        assertCode(await c.handleRequest({ type: "multi", ops: creates(4, "/m", 300_000) }), ErrorCode.BadArguments, "a Multi of 1.2 MB");
        // (Codes compared bare: a failure message must not carry half a megabyte of path.)
        const name = "n".repeat(ETCD_MAX_NAME);
        assert.equal((await c.handleRequest(create(`/${name}`))).resultCode, ErrorCode.Ok, `a name of ${ETCD_MAX_NAME} characters`);
        assert.equal((await c.handleRequest({ type: "exists", path: `/${name}` })).resultCode, ErrorCode.Ok, "exists of that name");
        assert.equal((await c.handleRequest({ type: "delete", path: `/${name}`, version: -1 })).resultCode, ErrorCode.Ok, "delete of that name");
        assertCode(await c.handleRequest(create("/c1")), ErrorCode.Ok);
        assertCode(await c.handleRequest({ type: "multi", ops: creates(ETCD_MAX_MULTI_CREATES, "/c1") }), ErrorCode.Ok, `a Multi of ${ETCD_MAX_MULTI_CREATES} creates`);
        for (const r of await c.handleRequests([create("/s"), ...creates(ETCD_MULTI_SETS_FIT, "/s")])) assertCode(r, ErrorCode.Ok);
        const sets = Array.from({ length: ETCD_MULTI_SETS_FIT }, (_, i) => ({ type: "setData" as const, path: `/s/${i}`, data: null, version: -1 }));
        assertCode(await c.handleRequest({ type: "multi", ops: sets }), ErrorCode.Ok, `a Multi of ${ETCD_MULTI_SETS_FIT} setData`);
      }));

    // Where etcd documents an answer of its own, a target whose requests also go to a real ZooKeeper
    // (kmeta serve --oracle) would only count divergences: there the store's own test above stands.
    if (!(etcd && target.mirrored)) {
      it("etcd refuses, with BadArguments, names and Multis past its documented limits; ZooKeeper and memory take them", { timeout: 120_000 }, () =>
        withClient(target, async (c) => {
          const refused = etcd ? ErrorCode.BadArguments : ErrorCode.Ok;
          const long = "l".repeat(ETCD_REFUSED_NAME);
          assert.equal((await c.handleRequest(create(`/${long}`))).resultCode, refused, `a name of ${long.length} characters`);
          const creates = (n: number, at: string) =>
            Array.from({ length: n }, (_, i) => ({ type: "create" as const, path: `${at}/${i}`, data: null, acl: OPEN_ACL_UNSAFE, mode: 0 as const }));
          assertCode(await c.handleRequest(create("/c2")), ErrorCode.Ok);
          assertCode(await c.handleRequest({ type: "multi", ops: creates(ETCD_MAX_MULTI_CREATES + 1, "/c2") }), refused, `a Multi of ${ETCD_MAX_MULTI_CREATES + 1} creates`);
          for (const r of await c.handleRequests([create("/s"), ...creates(ETCD_MULTI_SETS_NEVER, "/s")])) assertCode(r, ErrorCode.Ok);
          const sets = Array.from({ length: ETCD_MULTI_SETS_NEVER }, (_, i) => ({ type: "setData" as const, path: `/s/${i}`, data: null, version: -1 }));
          assertCode(await c.handleRequest({ type: "multi", ops: sets }), refused, `a Multi of ${ETCD_MULTI_SETS_NEVER} setData`);
        }));
    }

    it("under a chroot, delete(\"/\") and a sequential create of \"/\" answer BadArguments and change nothing", () =>
      withClient(target, async (c, ns) => {
        assertCode(await c.handleRequest(create("/chroot")), ErrorCode.Ok);
        const under = await openAt(ns, "/chroot");
        assertCode(await under.handleRequest({ type: "delete", path: "/", version: -1 }), ErrorCode.BadArguments);
        assertCode(await under.handleRequest(create("/", null, 2)), ErrorCode.BadArguments);
        assertCode(await under.handleRequest(create("/", null, 3)), ErrorCode.BadArguments);
        const left = await c.handleRequest({ type: "getChildren", path: "/", registerWatch: false });
        // (An etcd namespace is a whole tree: its root also holds /zookeeper.)
        assert.deepEqual(left.children.filter((name) => name !== "zookeeper"), ["chroot"]);
      }));

    it("a create stores the data its caller passed, whatever the caller does to the buffer afterwards", () =>
      withClient(target, async (c) => {
        const data = bytes("before");
        const created = c.handleRequest(create("/buf", data));
        const multi = c.handleRequest({ type: "multi", ops: [{ type: "setData", path: "/buf", data, version: -1 }] });
        data.set(bytes("AFTER!"));
        assertCode(await created, ErrorCode.Ok);
        assertCode(await multi, ErrorCode.Ok);
        assert.deepEqual((await c.handleRequest({ type: "getData", path: "/buf", registerWatch: false })).data, bytes("before"));
      }));

    it("a session's close removes its ephemerals in one transaction: every parent gets the same pzxid", () =>
      withClient(target, async (c, ns) => {
        const parents = ["/e1", "/e2"];
        for (const p of parents) assertCode(await c.handleRequest(create(p)), ErrorCode.Ok);
        const owner = await ns.open();
        const ephemerals = parents.flatMap((p) => Array.from({ length: 10 }, (_, i) => create(`${p}/${i}`, null, 1)));
        for (const r of await owner.handleRequests(ephemerals)) assertCode(r, ErrorCode.Ok);
        const before = await c.handleRequest({ type: "exists", path: "/e1" });
        await owner.close();
        const stats = await Promise.all(parents.map((path) => c.handleRequest({ type: "exists", path })));
        assert.deepEqual(stats.map((r) => r.stat?.numChildren), [0, 0]);
        const [a, b] = stats.map((r) => r.stat!.pzxid);
        assert.equal(a, b, "the parents' pzxid");
        assert.ok(a! > before.stat!.pzxid, "the close moved the pzxid");
      }));

    it("a loop awaiting nothing but the store lets timers run", () =>
      withClient(target, async (c) => {
        let fired = false;
        setTimeout(() => (fired = true), 0);
        let requests = 0;
        while (!fired) {
          // Far more than any store needs; a store answering only in microtasks never stops.
          assert.ok(++requests < 300_000, "the timer never ran");
          await c.handleRequest({ type: "exists", path: "/" });
        }
      }));
  });
}
