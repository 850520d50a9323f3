// One client under test in its own process, driven by bench/zk_peers.ts and bench/etcd.ts over
// stdin/stdout (one JSON command per line, one JSON reply per line). Runs on Node (via tsx), Deno and
// Bun, so every column of a table is one long-lived process: reps stay interleaved, JIT state carries
// over between reps as it would in a server, and process.cpuUsage() is that client's CPU alone.
//
//   worker.ts CLIENT TARGET      CLIENT: ours | nzc | native | etcd3   TARGET: zk://h:p or etcd://h:p
import { createRequire } from "node:module";
import process from "node:process";
import { createInterface } from "node:readline";
import type { KafkaMetastore, Request, Response, ZkOp } from "../core/mod.ts";
import { CreateMode, createEtcdStore, createMetastore, OPEN_ACL_UNSAFE } from "../core/mod.ts";
import { systemClock } from "../runtimes/common/system_clock.ts";
import { createGrpcEtcdApi } from "../runtimes/common/etcd/grpc_api.ts";
import { depthOf, KeyLayout } from "../core/etcd/keys.ts";
import { type Command, DATA, median, pool, type Reply } from "./common.ts";

const [CLIENT = "ours", TARGET = "zk://127.0.0.1:21810"] = process.argv.slice(2);
/** Sessions seeding the fail-over tree in parallel. */
const SEEDERS = 4;
/** Puts per Txn of the etcd-writes ceiling: as many as the store's create batches carry (README: limits). */
const CREATES_PER_TXN = 126;
/** Sessions (and shared parents) of the many-sessions workload. */
const MANY_SESSIONS = 10;
/** Partitions per seeding Multi: 2 nodes each, so a Multi stays within etcd's 128 ops per Txn. */
const PARTITIONS_PER_MULTI = 16;
const g = globalThis as unknown as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
const RUNTIME = g.Deno ? `Deno ${g.Deno.version.deno}` : g.Bun ? `Bun ${g.Bun.version}` : `Node ${process.versions.node}`;

/** The calls the workloads make; every client under test is adapted to this. */
interface BenchClient {
  create(path: string, data: Uint8Array): Promise<void>;
  getData(path: string): Promise<Uint8Array>;
  delete(path: string): Promise<void>;
  /** ours and nzc only (bench/server.ts's watch fan-out). */
  setData?(path: string, data: Uint8Array): Promise<void>;
  /** ours and nzc only: reads `path` arming a one-shot data watch that calls `fired`. */
  watchData?(path: string, fired: () => void): Promise<void>;
  /** Deletes a whole subtree (not timed). */
  deleteTree(root: string): Promise<void>;
  /** Ours only: one handleRequests batch (Kafka's way of reading many nodes). */
  batch?(requests: Request[]): Promise<Response[]>;
  /**
   * Ours only: a session per parent opened beside this one (each its own client, or on etcd with
   * `shared` all of one store), then (timed by `time`) each creating `n` nodes at once, round-robin
   * under all the parents.
   */
  manySessions?(parents: string[], n: number, shared: boolean, time: (work: () => Promise<unknown>) => Promise<Reply>): Promise<Reply>;
  /** Ours only: creates each group of (path, data) as one Multi, groups in order per session. */
  seed?(groups: [string, Uint8Array][][]): Promise<void>;
  close(): Promise<void>;
}

const fail = (what: string, r: { resultCode: number }): never => {
  throw new Error(`${what} -> result code ${r.resultCode}`);
};

/** Our client on TARGET; for etcd under a key prefix of the run's own (ETCD_PREFIX). */
async function openOursRaw(): Promise<KafkaMetastore> {
  if (TARGET.startsWith("etcd://")) {
    const client = createMetastore({ store: openEtcdStore(), clock: systemClock, ownsStore: true });
    await client.waitUntilConnected(10_000);
    return client;
  }
  const mod = g.Deno ? await import("../runtimes/deno/mod.ts") : g.Bun ? await import("../runtimes/bun/mod.ts") : await import("../runtimes/node/mod.ts");
  return await mod.connect(TARGET);
}
function openEtcdStore() {
  const api = createGrpcEtcdApi({ endpoints: [`http://${TARGET.slice("etcd://".length)}`] });
  return createEtcdStore({ api, clock: systemClock, prefix: ETCD_PREFIX, ...MAX_TXN_OPS });
}

/** `n` clients of their own. */
async function openEach(n: number): Promise<{ sessions: KafkaMetastore[]; close(): Promise<void> }> {
  const sessions = await Promise.all(Array.from({ length: n }, () => openOursRaw()));
  return { sessions, close: async () => void (await Promise.all(sessions.map((c) => c.close()))) };
}

/** `n` sessions of one etcd store, as a `kmeta serve` holds its clients'; `close` closes them and the store. */
async function openSharedEtcd(n: number): Promise<{ sessions: KafkaMetastore[]; close(): Promise<void> }> {
  const store = openEtcdStore();
  const sessions = Array.from({ length: n }, () => createMetastore({ store, clock: systemClock, ownsStore: false }));
  await Promise.all(sessions.map((c) => c.waitUntilConnected(10_000)));
  return { sessions, close: async () => void (await Promise.all(sessions.map((c) => c.close())), await store.close?.()) };
}

// For an etcd started with a higher --max-txn-ops: the store's maxTxnOps to match.
const MAX_TXN_OPS = process.env.KMETA_BENCH_MAX_TXN_OPS ? { maxTxnOps: Number(process.env.KMETA_BENCH_MAX_TXN_OPS) } : {};
// A prefix of its own per run, so the bench's 100k+ keys go with one range delete at the end.
const ETCD_PREFIX = process.env.KMETA_BENCH_PREFIX ?? "kmeta-bench/";

async function openOurs(): Promise<BenchClient> {
  const client = await openOursRaw();
  let dropPrefix: (() => Promise<void>) | undefined;
  if (TARGET.startsWith("etcd://")) {
    const prefix = ETCD_PREFIX;
    const api = createGrpcEtcdApi({ endpoints: [`http://${TARGET.slice("etcd://".length)}`] });
    dropPrefix = async () => {
      // After the client closed (its session key lives under the prefix too).
      const key = new TextEncoder().encode(prefix);
      const rangeEnd = key.slice();
      rangeEnd[rangeEnd.length - 1]!++;
      await api.txn({ compare: [], success: [{ deleteRange: { key, rangeEnd } }], failure: [] });
      await api.close();
    };
  }
  const one = async (request: Request): Promise<Response> => {
    const r = await client.handleRequest(request);
    if (r.resultCode !== 0) fail(`${request.type} ${"path" in request ? request.path : ""}`, r);
    return r;
  };
  const self: BenchClient = {
    create: async (path, data) => void (await one({ type: "create", path, data, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent })),
    getData: async (path) => {
      const r = await one({ type: "getData", path });
      return (r.type === "getData" ? r.data : null) ?? new Uint8Array(0);
    },
    delete: async (path) => void (await one({ type: "delete", path, version: -1 })),
    setData: async (path, data) => void (await one({ type: "setData", path, data, version: -1 })),
    watchData: async (path, fired) => {
      client.registerZNodeChangeHandler({ path, handleDataChange: fired });
      await one({ type: "getData", path });
    },
    deleteTree: async (root) => {
      if (dropPrefix) return; // the whole prefix goes at close
      await deleteTreeVia(self, root, async (path) => {
        const r = await client.handleRequest({ type: "getChildren", path, registerWatch: false });
        return r.resultCode === 0 ? r.children : [];
      });
    },
    batch: (requests) => client.handleRequests(requests),
    seed: async (groups) => {
      // Each group is one Multi (parents first); SEEDERS sessions share the groups, since a session
      // on etcd runs its writes one after another.
      const seeders = await Promise.all(Array.from({ length: SEEDERS }, () => openOursRaw()));
      let next = 0;
      await Promise.all(
        seeders.map(async (c) => {
          while (next < groups.length) {
            const ops: ZkOp[] = groups[next++]!.map(([path, data]) => ({ type: "create", path, data, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent }));
            const r = await c.handleRequest({ type: "multi", ops });
            if (r.resultCode !== 0) fail(`multi at ${ops[0]!.path}`, r);
          }
        }),
      );
      await Promise.all(seeders.map((c) => c.close()));
    },
    manySessions: async (parents, n, shared, time) => {
      const { sessions, close } = shared && TARGET.startsWith("etcd://") ? await openSharedEtcd(parents.length) : await openEach(parents.length);
      try {
        return await time(() =>
          Promise.all(sessions.map(async (c, s) => {
            const replies = await Promise.all(Array.from({ length: n }, (_, i) =>
              c.handleRequest({ type: "create", path: `${parents[i % parents.length]}/s${s}-${i}`, data: DATA, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent })));
            for (const r of replies) if (r.resultCode !== 0) fail(`session ${s} create`, r);
          }))
        );
      } finally {
        await close();
      }
    },
    close: async () => {
      await client.close();
      await dropPrefix?.();
    },
  };
  return self;
}

/** Post-order delete, each level's siblings 100 in flight. */
async function deleteTreeVia(c: BenchClient, root: string, children: (path: string) => Promise<string[]>): Promise<void> {
  const kids = await children(root);
  await pool(kids.length, 100, (i) => deleteTreeVia(c, `${root}/${kids[i]}`, children));
  await c.delete(root).catch(() => {});
}

// --- node-zookeeper-client 1.1.3 and zookeeper 7.3.0 (untyped: the few calls made, typed here) ---
type Cb<T = void> = (e: Error | null, value?: T) => void;
interface NzcClient {
  once(event: "connected", fn: () => void): void;
  connect(): void;
  close(): void;
  create(path: string, data: Uint8Array, mode: number, cb: Cb): void;
  getData(path: string, cb: Cb<Uint8Array>): void;
  getData(path: string, watcher: () => void, cb: Cb<Uint8Array>): void;
  setData(path: string, data: Uint8Array, version: number, cb: Cb): void;
  getChildren(path: string, cb: Cb<string[]>): void;
  remove(path: string, version: number, cb: Cb): void;
}
const hostsOf = (target: string) => target.replace(/^[a-z]+:\/\//, "");
const call = <T>(fn: (cb: Cb<T>) => void) => new Promise<T>((res, rej) => fn((e, v) => (e ? rej(e) : res(v as T))));
const buf = (d: Uint8Array) => Buffer.from(d.buffer, d.byteOffset, d.byteLength);

async function openNzc(): Promise<BenchClient> {
  const nzc = createRequire(import.meta.url)("node-zookeeper-client") as {
    createClient(connect: string, o: { sessionTimeout: number; retries: number }): NzcClient;
  };
  const c = nzc.createClient(hostsOf(TARGET), { sessionTimeout: 30_000, retries: 0 });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("node-zookeeper-client: no session in 10 s")), 10_000);
    c.once("connected", () => (clearTimeout(timer), resolve()));
    c.connect();
  });
  const self: BenchClient = {
    create: (path, data) => call((cb) => c.create(path, buf(data), 0, cb)),
    getData: (path) => call((cb) => c.getData(path, cb)),
    delete: (path) => call((cb) => c.remove(path, -1, cb)),
    setData: (path, data) => call((cb) => c.setData(path, buf(data), -1, cb)),
    watchData: async (path, fired) => void (await call<Uint8Array>((cb) => c.getData(path, fired, cb))),
    deleteTree: (root) => deleteTreeVia(self, root, (p) => call<string[]>((cb) => c.getChildren(p, cb)).catch(() => [])),
    close: () => Promise.resolve(c.close()),
  };
  return self;
}

interface NativeZk {
  once(event: "connect", fn: () => void): void;
  init(o: object): void;
  close(): void;
  create(path: string, data: Uint8Array, flags: number): Promise<string>;
  get(path: string, watch: boolean): Promise<[unknown, Uint8Array]>;
  get_children(path: string, watch: boolean): Promise<string[]>;
  delete_(path: string, version: number): Promise<void>;
}
async function openNative(): Promise<BenchClient> {
  type NativeModule = { new (o: object): NativeZk; constants: { ZOO_LOG_LEVEL_ERROR: number; ZOO_PERSISTENT: number } };
  let ZooKeeper: NativeModule;
  try {
    ZooKeeper = createRequire(import.meta.url)("zookeeper") as NativeModule;
  } catch (e) {
    // A devDependency built by node-gyp: a checkout installed without it (or where the build failed) lacks it.
    throw new Error(`the native "zookeeper" binding is not installed (npm install zookeeper@7.3.0 builds it): ${(e as Error).message.split("\n")[0]}`);
  }
  const c = new ZooKeeper({ connect: hostsOf(TARGET), timeout: 30_000, debug_level: ZooKeeper.constants.ZOO_LOG_LEVEL_ERROR, host_order_deterministic: false });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("zookeeper (native): no session in 10 s")), 10_000);
    c.once("connect", () => (clearTimeout(timer), resolve()));
    c.init({});
  });
  const self: BenchClient = {
    create: async (path, data) => void (await c.create(path, buf(data), ZooKeeper.constants.ZOO_PERSISTENT)),
    getData: async (path) => (await c.get(path, false))[1],
    delete: (path) => c.delete_(path, -1),
    deleteTree: (root) => deleteTreeVia(self, root, (p) => c.get_children(p, false).catch(() => [])),
    close: () => Promise.resolve(c.close()),
  };
  return self;
}

interface Etcd3Client {
  put(key: string): { value(v: Uint8Array): Promise<unknown> };
  get(key: string): { buffer(): Promise<Uint8Array | null> };
  delete(): { prefix(p: string): Promise<unknown> };
  close(): void;
}
function openEtcd3(): Promise<BenchClient> {
  const { Etcd3 } = createRequire(import.meta.url)("etcd3") as { Etcd3: new (o: { hosts: string }) => Etcd3Client };
  const c = new Etcd3({ hosts: `http://${hostsOf(TARGET)}` });
  // etcd has no tree: "create" is a put, a subtree is a key prefix.
  return Promise.resolve({
    create: async (path, data) => void (await c.put(path).value(buf(data))),
    getData: async (path) => {
      const v = await c.get(path).buffer();
      if (!v) throw new Error(`etcd3: ${path} missing`);
      return v;
    },
    delete: async (path) => void (await c.delete().prefix(path)),
    deleteTree: async (root) => void (await c.delete().prefix(root)),
    close: () => Promise.resolve(c.close()),
  });
}

const open = { ours: openOurs, nzc: openNzc, native: openNative, etcd3: openEtcd3 }[CLIENT] ?? (() => Promise.reject(new Error(`unknown client ${CLIENT}`)));
const client = await open();
/** Sessions opened by "sessions", held idle until "release". */
const held: BenchClient[] = [];
/** How long watch-fanout waits for its notifications. */
const FANOUT_TIMEOUT_MS = 30_000;

/** Opens `n` more clients at once; if any fails, closes the others and throws its error. */
async function openMany(n: number): Promise<BenchClient[]> {
  const settled = await Promise.allSettled(Array.from({ length: n }, () => open()));
  const opened = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = settled.find((s) => s.status === "rejected");
  if (!failed) return opened;
  await Promise.allSettled(opened.map((c) => c.close()));
  throw new Error(`${n - opened.length} of ${n} sessions failed: ${failed.reason instanceof Error ? failed.reason.message : String(failed.reason)}`);
}

/** `n` other sessions each hold one data watch on `path`; one setData fires them all. */
async function watchFanout(path: string, n: number): Promise<Reply> {
  if (!client.setData) throw new Error(`${CLIENT} has no setData here`);
  const watchers = await openMany(n);
  try {
    const delays: number[] = [];
    let t0 = 0;
    let done = () => {};
    const all = new Promise<void>((resolve) => (done = resolve));
    await Promise.all(watchers.map((w) => w.watchData!(path, () => delays.push(performance.now() - t0) === n && done())));
    t0 = performance.now();
    await client.setData(path, DATA);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, FANOUT_TIMEOUT_MS)));
    await Promise.race([all, late]);
    clearTimeout(timer);
    if (delays.length < n) throw new Error(`${delays.length} of ${n} notifications in ${FANOUT_TIMEOUT_MS} ms`);
    return { medianMs: median(delays), maxMs: Math.max(...delays) };
  } finally {
    await Promise.allSettled(watchers.map((w) => w.close()));
  }
}

const readSet = (root: string, n: number) => Array.from({ length: n }, (_, i) => `${root}/r/n${String(i).padStart(6, "0")}`);

/** Times `run` (wall and this process's CPU). */
async function timed(n: number, run: () => Promise<unknown>): Promise<Reply> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, opsPerSec: n / (ms / 1000), cpuMsPer10k: ((cpu.user + cpu.system) / 1000) * (10_000 / n) };
}

/** Creates `paths` (parents before children: pass them level by level) with `limit` in flight. */
const createAll = (paths: string[], limit: number, data = DATA) => pool(paths.length, limit, (i) => client.create(paths[i]!, data));

async function handle(cmd: Command): Promise<Reply> {
  const { root } = cmd;
  switch (cmd.cmd) {
    case "hello":
      return { runtime: RUNTIME };
    case "prepare": {
      // The read set: N 100-byte nodes under root/r, created once per run.
      const empty = new Uint8Array(0);
      await client.create(root, empty);
      await client.create(`${root}/r`, empty);
      await client.create(`${root}/w`, empty); // the watch-fanout node
      const paths = readSet(root, cmd.n);
      if (!client.seed) return timed(cmd.n, () => createAll(paths, 100));
      // Ours: Multis of 32 creates (an etcd session runs its writes one after another).
      const groups = Array.from({ length: Math.ceil(paths.length / 32) }, (_, i) => paths.slice(32 * i, 32 * i + 32).map((p): [string, Uint8Array] => [p, DATA]));
      return timed(cmd.n, () => client.seed!(groups));
    }
    case "create": {
      // N creates under a fresh parent, all issued at once (pipelined); removed afterwards, untimed.
      const parent = `${root}/c${cmd.tag}`;
      await client.create(parent, new Uint8Array(0));
      const paths = Array.from({ length: cmd.n }, (_, i) => `${parent}/n${String(i).padStart(6, "0")}`);
      const sample = await timed(cmd.n, () => Promise.all(paths.map((p) => client.create(p, DATA))));
      if (cmd.keep !== true) await client.deleteTree(parent);
      return sample;
    }
    case "fenced": {
      // Kafka's controller writes: N Multis, each a check of the controller epoch znode and a
      // setData of one partition state (the read set's nodes), all issued at once.
      if (!client.batch) throw new Error(`${CLIENT} has no handleRequests`);
      const epoch = `${root}/controller_epoch`;
      await client.create(epoch, new Uint8Array(0)).catch(() => {});
      const paths = readSet(root, cmd.n);
      return timed(cmd.n, () =>
        Promise.all(paths.map(async (path) => {
          const [r] = await client.batch!([{ type: "multi", ops: [{ type: "check", path: epoch, version: 0 }, { type: "setData", path, data: DATA, version: -1 }] }]);
          if (r?.resultCode !== 0) fail("fenced multi", r ?? { resultCode: -1 });
        }))
      );
    }
    case "set": {
      // N setData (100 B) of the read set's nodes, all issued at once.
      if (!client.setData) throw new Error(`${CLIENT} has no setData here`);
      const paths = readSet(root, cmd.n);
      return timed(cmd.n, () => Promise.all(paths.map((p) => client.setData!(p, DATA))));
    }
    case "delete": {
      // N deletes under a fresh parent, all issued at once; the creates before them are not timed.
      const parent = `${root}/d${cmd.tag}`;
      await client.create(parent, new Uint8Array(0));
      const paths = Array.from({ length: cmd.n }, (_, i) => `${parent}/n${String(i).padStart(6, "0")}`);
      await Promise.all(paths.map((p) => client.create(p, DATA)));
      const sample = await timed(cmd.n, () => Promise.all(paths.map((p) => client.delete(p))));
      await client.delete(parent);
      return sample;
    }
    case "mix": {
      // N writes issued at once: a create, a setData and a delete of each of N/3 nodes under a fresh
      // parent, in that order; each is Ok only if the session applies its requests in order.
      if (!client.setData) throw new Error(`${CLIENT} has no setData here`);
      const parent = `${root}/x${cmd.tag}`;
      await client.create(parent, new Uint8Array(0));
      const paths = Array.from({ length: Math.floor(cmd.n / 3) }, (_, i) => `${parent}/n${String(i).padStart(6, "0")}`);
      const sample = await timed(3 * paths.length, () => Promise.all(paths.flatMap((p) => [client.create(p, DATA), client.setData!(p, DATA), client.delete(p)])));
      await client.delete(parent);
      return sample;
    }
    case "many-sessions": {
      // MANY_SESSIONS sessions writing at once, each n creates round-robin under as many shared
      // parents, so every Txn races the other sessions' on the parents' counters.
      if (!client.manySessions) throw new Error(`${CLIENT} has no sessions of its own here`);
      const parents = Array.from({ length: MANY_SESSIONS }, (_, k) => `${root}/m${cmd.tag}-${k}`);
      for (const p of parents) await client.create(p, new Uint8Array(0));
      return client.manySessions(parents, cmd.n, cmd.shared === true, (work) => timed(MANY_SESSIONS * cmd.n, work));
    }
    case "get-all": {
      const paths = readSet(root, cmd.n);
      return timed(cmd.n, () => Promise.all(paths.map((p) => client.getData(p))));
    }
    case "get-10": {
      const paths = readSet(root, cmd.n);
      return timed(cmd.n, () => pool(paths.length, 10, (i) => client.getData(paths[i]!)));
    }
    case "get-batch": {
      if (!client.batch) throw new Error(`${CLIENT} has no handleRequests`);
      const requests: Request[] = readSet(root, cmd.n).map((path) => ({ type: "getData", path }));
      return timed(cmd.n, async () => {
        const rs = await client.batch!(requests);
        for (const r of rs) if (r.type !== "getData" || r.data?.length !== 100) fail("getData", r);
      });
    }
    case "seed-failover": {
      // Kafka's topic layout, /brokers/topics/<t>/partitions/<p>/state: topic and partitions nodes
      // pipelined, then Multis of PARTITIONS_PER_MULTI partitions (the partition node and its state).
      if (!client.seed) throw new Error(`${CLIENT} cannot seed`);
      const { topics, partitions } = cmd;
      const empty = new Uint8Array(0);
      const state = new TextEncoder().encode('{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2,3]}');
      const ts = Array.from({ length: topics }, (_, t) => `${root}/brokers/topics/t${t}`);
      const groups: [string, Uint8Array][][] = [];
      for (const t of ts) {
        for (let p0 = 0; p0 < partitions; p0 += PARTITIONS_PER_MULTI) {
          const group: [string, Uint8Array][] = [];
          for (let p = p0; p < Math.min(partitions, p0 + PARTITIONS_PER_MULTI); p++) group.push([`${t}/partitions/${p}`, empty], [`${t}/partitions/${p}/state`, state]);
          groups.push(group);
        }
      }
      return timed(2 * topics + 2 * topics * partitions, async () => {
        for (const p of [root, `${root}/brokers`, `${root}/brokers/topics`]) await client.create(p, empty).catch(() => {});
        await client.seed!(ts.map((t) => [[t, empty], [`${t}/partitions`, empty]]));
        await client.seed!(groups);
      });
    }
    case "etcd-writes": {
      // The etcd server's own pace for the write path's shape: n creates as Txns of `perTxn`
      // (CREATES_PER_TXN) puts, each guarded as absent, one after another (etcd may reorder Txns in
      // flight together). With one put per Txn: etcd's commit latency, a Txn at a time.
      const api = createGrpcEtcdApi({ endpoints: [`http://${TARGET.slice("etcd://".length)}`] });
      const keys = new KeyLayout(`${ETCD_PREFIX}raw/`);
      try {
        return await timed(cmd.n, async () => {
          const perTxn = cmd.perTxn ?? CREATES_PER_TXN;
          for (let at = 0; at < cmd.n; at += perTxn) {
            const put = Array.from({ length: Math.min(perTxn, cmd.n - at) }, (_, i) => keys.node(`/c${cmd.tag}/n${at + i}`));
            const r = await api.txn({
              compare: put.map((key) => ({ key, target: "create", result: "equal", operand: 0n })),
              success: put.map((key) => ({ put: { key, value: DATA } })),
              failure: [],
            });
            if (!r.succeeded) throw new Error("etcd-writes: a guard failed");
          }
        });
      } finally {
        await api.close();
      }
    }
    case "etcd-range": {
      // The etcd server's own pace for the fail-over read: every partition state's node key in one range.
      const api = createGrpcEtcdApi({ endpoints: [`http://${TARGET.slice("etcd://".length)}`] });
      const topics = `${root}/brokers/topics`;
      // .../topics/<t>/partitions/<p>/state: four levels below.
      const range = new KeyLayout(ETCD_PREFIX).levelRange(topics, depthOf(topics) + 4);
      let reads = 0;
      try {
        const sample = await timed(1, async () => {
          const [found] = (await api.txn({ compare: [], success: [{ range }], failure: [] })).responses;
          reads = found && "range" in found ? found.range.kvs.length : 0;
        });
        return { ...sample, reads };
      } finally {
        await api.close();
      }
    }
    case "failover": {
      // What a new controller reads: every topic's partition list, then every partition's state,
      // each as one handleRequests batch (window: maxInFlightRequests, 10 by default).
      if (!client.batch) throw new Error(`${CLIENT} has no handleRequests`);
      const topicsRoot = `${root}/brokers/topics`;
      let states = 0;
      const sample = await timed(1, async () => {
        const children = (r: Response | undefined, what: string): string[] => {
          if (r?.type !== "getChildren" || r.resultCode !== 0) return fail(`getChildren ${what}`, r ?? { resultCode: -1 });
          return r.children;
        };
        const [top] = await client.batch!([{ type: "getChildren", path: topicsRoot, registerWatch: false }]);
        const topics = children(top, topicsRoot);
        const lists = await client.batch!(topics.map((t) => ({ type: "getChildren", path: `${topicsRoot}/${t}/partitions`, registerWatch: false })));
        const paths = lists.flatMap((r, i) => children(r, topics[i]!).map((p) => `${topicsRoot}/${topics[i]}/partitions/${p}/state`));
        const data = await client.batch!(paths.map((path) => ({ type: "getData", path })));
        for (const r of data) if (r.resultCode !== 0) fail("getData", r);
        states = data.length;
      });
      return { ...sample, reads: states };
    }
    case "sessions": {
      // Opened all at once and held idle (bench/server.ts reads the server's memory meanwhile).
      const t0 = performance.now();
      held.push(...(await openMany(cmd.n)));
      return { ms: performance.now() - t0 };
    }
    case "release":
      await Promise.allSettled(held.splice(0).map((c) => c.close()));
      return {};
    case "watch-fanout":
      if (!client.watchData) throw new Error(`${CLIENT} has no watches here`);
      return watchFanout(`${root}/w`, cmd.n);
    case "cleanup":
      await client.deleteTree(root);
      return {};
    case "close":
      await client.close();
      return {};
  }
}

const lines = createInterface({ input: process.stdin });
const write = (reply: object) => process.stdout.write(`${JSON.stringify(reply)}\n`);
write({ ready: true, runtime: RUNTIME });
for await (const line of lines) {
  if (!line.trim()) continue;
  const cmd = JSON.parse(line) as Command;
  try {
    write(await handle(cmd));
  } catch (e) {
    write({ error: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
  if (cmd.cmd === "close") break;
}
process.exit(0);
