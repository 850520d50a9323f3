/**
 * Fault test F-etcd-leader (reliability.md §7.2, checks C1, C2, C4, C5, C6): a client connected to
 * all three members of a loopback etcd 3.4 cluster runs a mixed load (creates, setData, getData,
 * multi, an armed watch, an ephemeral) while the leader is killed with SIGKILL. Written once; each
 * runtime's `etcd_cluster_test.ts` passes its own `connect` and the cluster's ports, which must be
 * that runtime's alone (scripts/servers/start-etcd-cluster.sh, via ETCD_CLIENT_PORTS/ETCD_PEER_PORTS).
 *
 * Two cases: the leader is the member the client talks to (its connection dies: fail-over), and
 * the leader is another member (the client's member loses its leader: an election under its feet).
 * @module
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { type ConnectOptions, CreateMode, ErrorCode, type KafkaMetastore, OPEN_ACL_UNSAFE, type Request, type Response } from "../../core/mod.ts";
import { createGrpcEtcdApi } from "../../runtimes/common/etcd/grpc_api.ts";
import { killHard, requireTools, runScript, tempDir } from "../etcd/_servers.ts";

/** What a runtime hands the suite. */
export interface EtcdClusterRuntime {
  name: string;
  connect: (url: string, options?: ConnectOptions) => Promise<KafkaMetastore>;
  /** The three members' client and peer ports; this runtime's alone. */
  ports: { client: readonly [number, number, number]; peer: readonly [number, number, number] };
}

/** Each case takes about 10 s (plus a restart); a hang fails instead of stalling the run. */
const TEST_TIMEOUT_MS = 55_000;
const REQUEST_TIMEOUT_MS = 3000;
const SESSION_TIMEOUT_MS = 12_000;
const RECOVERY_MS = 5000;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** This runtime's cluster: its temp dir, ports and the members' current pids. */
interface Cluster {
  readonly clientPorts: readonly number[];
  pids: number[];
  /** Starts the members that are not running (all of them the first time); resolves when all are healthy. */
  start(): Promise<void>;
  /** Stops every member and removes the temp dir; safe to call when nothing was started. */
  stop(): Promise<void>;
}

function cluster(rt: EtcdClusterRuntime): Cluster {
  let base = "";
  const env = { ETCD_CLIENT_PORTS: rt.ports.client.join(" "), ETCD_PEER_PORTS: rt.ports.peer.join(" ") };
  const c: Cluster = {
    clientPorts: rt.ports.client,
    pids: [],
    async start() {
      if (!base) {
        requireTools("etcd");
        base = tempDir(`etcd-cluster-${rt.name}`);
      }
      const out = await runScript("start-etcd-cluster.sh", [base], env);
      c.pids = out.trim().split("\n").map(Number);
      assert.equal(c.pids.length, 3, `expected 3 pids, got ${out}`);
    },
    async stop() {
      if (!base) return;
      // All members at once, SIGKILL after 1 s (the data is thrown away): a member can take ~5 s to
      // exit on SIGTERM (its leader transfer waits for peers that are stopping too), more than
      // Bun's 5 s hook timeout, which ignores `{ timeout }` on hooks.
      await Promise.all([1, 2, 3].map((i) => runScript("stop.sh", [`${base}/n${i}`], { STOP_TIMEOUT: "1" }).catch(() => {})));
      rmSync(base, { recursive: true, force: true });
      base = "";
    },
  };
  return c;
}

/** Index (0..2) of the current leader, asked of every live member until they agree on one. */
async function leaderIndex(cluster: Cluster): Promise<number> {
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    const ids: bigint[] = [];
    let leader = 0n;
    for (const port of cluster.clientPorts) {
      const api = createGrpcEtcdApi({ endpoints: [`http://127.0.0.1:${port}`], requestTimeoutMs: 1000 });
      try {
        const s = await api.status();
        ids.push(s.header.memberId);
        if (s.leader !== 0n) leader = s.leader;
      } catch {
        ids.push(-1n);
      } finally {
        await api.close();
      }
    }
    const i = ids.indexOf(leader);
    if (leader !== 0n && i >= 0) return i;
    await sleep(100);
  }
  throw new Error("no etcd leader within 15 s");
}

interface Op {
  kind: "create" | "setData" | "getData" | "multi";
  value?: string;
  path?: string;
  start: number;
  end: number;
  code: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await cond())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Kills the leader under a loaded client and checks the outcome. `onLeader`: order the client's
 * endpoints so that it talks to the leader (true) or to a follower (false).
 */
async function leaderKill(rt: EtcdClusterRuntime, cluster: Cluster, onLeader: boolean): Promise<void> {
  const connect = rt.connect;
  const leader = await leaderIndex(cluster);
  const others = [0, 1, 2].filter((i) => i !== leader);
  const order = onLeader ? [leader, ...others] : [...others, leader];
  const hosts = (idx: number[]) => idx.map((i) => `127.0.0.1:${cluster.clientPorts[i]}`).join(",");
  const options = { sessionTimeoutMs: SESSION_TIMEOUT_MS, connectionTimeoutMs: 10_000, etcd: { requestTimeoutMs: REQUEST_TIMEOUT_MS } };
  const client = await connect(`etcd://${hosts(order)}`, options);
  // The observer changes the watched node during the outage, through a member that survives.
  const observer = await connect(`etcd://${hosts(others)}`, options);
  const root = `/f-${Math.random().toString(36).slice(2, 8)}`;
  const ops: Op[] = [];
  let stop = false;
  let expiries = 0;
  const states: string[] = [];
  try {
    client.registerStateChangeHandler({ name: "t", beforeInitializingSession: () => void expiries++ });
    const sessionId = client.sessionId;
    const mk = (path: string, mode: CreateMode = CreateMode.Persistent, data: Uint8Array | null = null): Request => ({ type: "create", path, data, acl: OPEN_ACL_UNSAFE, mode });
    for (const r of await client.handleRequests([mk(root), mk(`${root}/c`), mk(`${root}/m`), mk(`${root}/reg`), mk(`${root}/watched`), mk(`${root}/eph`, CreateMode.Ephemeral)])) {
      assert.equal(r.resultCode, ErrorCode.Ok);
    }
    let fired = 0;
    client.registerZNodeChangeHandler({ path: `${root}/watched`, handleDataChange: () => fired++ });
    assert.equal((await client.handleRequest({ type: "getData", path: `${root}/watched` })).resultCode, ErrorCode.Ok);
    const stateTimer = setInterval(() => {
      if (states.at(-1) !== client.connectionState) states.push(client.connectionState);
    }, 10);

    const run = async (op: Omit<Op, "start" | "end" | "code">, request: Request): Promise<Response> => {
      const start = performance.now();
      const r = await client.handleRequest(request);
      ops.push({ ...op, start, end: performance.now(), code: r.resultCode });
      return r;
    };
    const load = (async () => {
      for (let i = 0; !stop; i++) {
        await run({ kind: "create", path: `${root}/c/n${i}` }, mk(`${root}/c/n${i}`));
        await run({ kind: "setData", value: `v${i}` }, { type: "setData", path: `${root}/reg`, data: enc.encode(`v${i}`), version: -1 });
        await run({ kind: "getData" }, { type: "getData", path: `${root}/reg` });
        await run({ kind: "multi", path: `${root}/m/n${i}` }, {
          type: "multi",
          ops: [
            { type: "create", path: `${root}/m/n${i}`, data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent },
            { type: "setData", path: `${root}/reg`, data: enc.encode(`m${i}`), version: -1 },
          ],
        });
        await sleep(5);
      }
    })();

    await sleep(1000);
    const killedAt = performance.now();
    killHard(cluster.pids[leader]!);
    // The watched node changes while the cluster elects a new leader (the observer retries until it lands).
    const changeAt = performance.now();
    for (;;) {
      const r = await observer.handleRequest({ type: "setData", path: `${root}/watched`, data: enc.encode("changed"), version: 0 });
      if (r.resultCode === ErrorCode.Ok) break;
      // A ConnectionLoss may have applied the write after all: then the version moved.
      if (r.resultCode === ErrorCode.BadVersion) break;
      assert.equal(r.resultCode, ErrorCode.ConnectionLoss, `observer setData: ${r.resultCode}`);
      assert.ok(performance.now() - changeAt < 15_000, "the observer could not write within 15 s");
      await sleep(50);
    }
    await sleep(RECOVERY_MS + 1000);
    stop = true;
    await load;
    clearInterval(stateTimer);

    const after = ops.filter((o) => o.end > killedAt);
    const firstOk = after.find((o) => o.code === ErrorCode.Ok && o.kind !== "getData" && o.start > killedAt);
    const failed = ops.filter((o) => o.code !== ErrorCode.Ok);
    const summary = `${ops.length} ops, ${failed.length} failed (${[...new Set(failed.map((o) => o.code))]}), ` +
      `first write OK ${firstOk ? Math.round(firstOk.end - killedAt) : "never"} ms after the kill, ` +
      `slowest op ${Math.round(Math.max(...ops.map((o) => o.end - o.start)))} ms, states ${states.join(">")}`;
    console.log(`[${rt.name}: leader kill, client on ${onLeader ? "the leader" : "a follower"}] ${summary}`);

    // C5: failures are typed (ConnectionLoss: outcome unknown) and come within the request timeout + 1 s.
    for (const o of failed) assert.equal(o.code, ErrorCode.ConnectionLoss, `${o.kind} failed with ${o.code}: ${summary}`);
    const slowest = Math.max(...ops.map((o) => o.end - o.start));
    assert.ok(slowest <= REQUEST_TIMEOUT_MS + 1000, `an op took ${Math.round(slowest)} ms: ${summary}`);
    // C6: writes succeed again within 5 s of the kill, and keep succeeding.
    assert.ok(firstOk && firstOk.end - killedAt <= RECOVERY_MS, `no write succeeded within ${RECOVERY_MS} ms: ${summary}`);
    const tail = ops.filter((o) => o.start > killedAt + RECOVERY_MS);
    assert.ok(tail.length > 0 && tail.every((o) => o.code === ErrorCode.Ok), `ops still failing after ${RECOVERY_MS} ms: ${summary}`);

    // C4: the session survived: same id, never expired, its ephemeral still there.
    assert.equal(client.connectionState, "CONNECTED");
    assert.equal(client.sessionId, sessionId);
    assert.equal(expiries, 0, "the session expired");
    const eph = await observer.handleRequest({ type: "exists", path: `${root}/eph` });
    assert.equal(eph.stat?.ephemeralOwner, sessionId, "the ephemeral is gone or has another owner");

    // C2: the watch armed before the kill fired exactly once.
    await waitUntil(() => fired >= 1, 5000, "the armed watch to fire");
    await sleep(500);
    assert.equal(fired, 1, "the watch fired more than once");

    // C1: every acknowledged write is there; the register holds the last acknowledged value or a later indeterminate one.
    for (const o of ops.filter((o) => (o.kind === "create" || o.kind === "multi") && o.code === ErrorCode.Ok)) {
      const r = await observer.handleRequest({ type: "exists", path: o.path! });
      assert.ok(r.stat, `acknowledged ${o.kind} of ${o.path} is lost`);
    }
    const writes = ops.filter((o) => o.kind === "setData" || o.kind === "multi");
    let lastOk = writes.length - 1;
    while (lastOk >= 0 && writes[lastOk]!.code !== ErrorCode.Ok) lastOk--;
    const value = (o: Op) => (o.kind === "setData" ? o.value! : `m${o.path!.split("/n").at(-1)}`);
    const allowed = new Set(writes.slice(Math.max(0, lastOk)).filter((o, i) => i === 0 || o.code !== ErrorCode.Ok).map(value));
    const final = dec.decode((await observer.handleRequest({ type: "getData", path: `${root}/reg` })).data ?? new Uint8Array());
    assert.ok(allowed.has(final), `register holds ${final}, expected one of ${[...allowed]}`);
  } finally {
    stop = true;
    await client.close();
    await observer.close();
    // Bring the killed member back for the next case.
    await cluster.start();
  }
}

/** Registers the kill-leader cases for one runtime, against a cluster on `rt.ports` that the suite starts and stops. */
export function runEtcdClusterFaults(rt: EtcdClusterRuntime): void {
  const c = cluster(rt);
  let started = false;
  // Started inside the first case rather than in a before hook, so it runs under the case's timeout
  // (Bun's hooks have a 5 s default); every case restarts the member it killed in its finally.
  const ready = async () => {
    if (!started) {
      started = true;
      await c.start();
    }
  };

  describe(`${rt.name}: etcd cluster (client ports ${rt.ports.client.join(",")}): leader killed under load`, () => {
    after(() => c.stop(), { timeout: 30_000 });

    it("client on the leader: fails over, no acknowledged write lost, watch once, session kept", { timeout: TEST_TIMEOUT_MS }, async () => {
      await ready();
      await leaderKill(rt, c, true);
    });

    it("client on a follower: rides out the election the same way", { timeout: TEST_TIMEOUT_MS }, async () => {
      await ready();
      await leaderKill(rt, c, false);
    });
  });
}
