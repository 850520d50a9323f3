/**
 * Fault tests F3 and F7 (reliability.md §7.2) for the etcd store over gRPC, each against a one-member
 * etcd 3.4 the suite starts on its own ports, with the client behind a loopback TCP proxy:
 * - F3: the client is cut off while another writes ~1,000 revisions and compacts past them; on
 *   reconnect its watch stream finds its history gone, and the armed watches must still fire exactly
 *   once from the current state (checks C2, plus the session surviving);
 * - F7: the proxy resets the client's connections at random moments under a mixed load (checks C1,
 *   C2, C4, C5, C6).
 * Written once for any runtime's `connect`; runtimes/node/etcd_proxy_faults_test.ts runs it on Node.
 * @module
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { codeName, type ConnectOptions, CreateMode, ErrorCode, type KafkaMetastore, type Request, type Response } from "../../core/mod.ts";
import { createGrpcEtcdApi } from "../../runtimes/common/etcd/grpc_api.ts";
import { assertCode, bytes, create, sleep, waitFor } from "../conformance/helpers.ts";
import { startProxy } from "../conformance/tcp_proxy.ts";
import { requireTools, runScript, stopAll, tempDir } from "../etcd/_servers.ts";
import { Scope } from "./scope.ts";
import { Stalls } from "./stalls.ts";

/** What a runtime hands the suite. */
export interface EtcdProxyFaultsRuntime {
  name: string;
  connect: (url: string, options?: ConnectOptions) => Promise<KafkaMetastore>;
  /** The member's client and peer ports; this runtime's alone. */
  ports: { client: number; peer: number };
}

const TEST_TIMEOUT_MS = 40_000;
const SESSION_TIMEOUT_MS = 10_000;
/**
 * F3's client A is cut off for as long as B's ~1,000 writes take: ~2 s on an idle machine, 18-23 s
 * beside a CPU hog on a busy one (etcd's own pace). Its session must outlive the cut by far, so what
 * F3 judges is the catch-up, not the load.
 */
const F3_SESSION_TIMEOUT_MS = 60_000;
const F3_TEST_TIMEOUT_MS = 120_000;
const REQUEST_TIMEOUT_MS = 2000;
/** C6: after the link is back, what was missed arrives within this. */
const RECOVERY_MS = 5000;
/** How long F7's proxy keeps dropping connections. */
const CHAOS_MS = 8000;
const dec = new TextDecoder();
const text = (r: { data?: Uint8Array | null }) => (r.data ? dec.decode(r.data) : undefined);

/** One etcd member in a temp dir, started on first use, stopped by its pid file. */
function etcdMember(ports: EtcdProxyFaultsRuntime["ports"]) {
  let dir = "";
  return {
    endpoint: `127.0.0.1:${ports.client}`,
    async start(): Promise<void> {
      if (dir) return;
      requireTools("etcd");
      dir = tempDir(`etcd-proxy-faults-${ports.client}`);
      await runScript("start-etcd.sh", [dir], { ETCD_CLIENT_PORT: String(ports.client), ETCD_PEER_PORT: String(ports.peer) });
    },
    async stop(): Promise<void> {
      if (dir) await stopAll([dir], dir);
      dir = "";
    },
  };
}

/** One operation of F7's load and its outcome. */
interface Op {
  kind: "create" | "sequential" | "getData" | "setData" | "multi";
  /** The node it creates (a sequential create's once acknowledged). */
  path?: string;
  /** The register it writes, and the value. */
  register?: string;
  value?: string;
  /** A sequential create's call id, stored as its data. */
  call?: string;
  start: number;
  end: number;
  code: number;
}

/** A small seeded PRNG (mulberry32), so a run's fault schedule can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What client A saw, in the order it saw it: handler calls and read replies. */
interface Seen {
  seq: number;
  at: number;
  kind: "event" | "reply";
  /** "data /f3/d1", "deleted /f3/d2", … for events; the request for replies. */
  what: string;
  path: string;
  /** For replies: the code and what the node looked like. */
  code?: number;
  value?: string;
}

export function runEtcdProxyFaults(rt: EtcdProxyFaultsRuntime): void {
  const member = etcdMember(rt.ports);
  const options: ConnectOptions = {
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    connectionTimeoutMs: 10_000,
    etcd: { requestTimeoutMs: REQUEST_TIMEOUT_MS },
  };
  /** A fresh root, client A (with `aOptions`) behind a proxy to the member and client B straight to it, all in `scope`. */
  const clients = async (scope: Scope, tag: string, aOptions: ConnectOptions = {}) => {
    await member.start();
    const [host, port] = member.endpoint.split(":") as [string, string];
    const proxy = scope.add(await startProxy(host, Number(port)));
    return {
      root: `/${tag}-${Math.random().toString(36).slice(2, 8)}`,
      proxy,
      a: scope.add(await rt.connect(`etcd://127.0.0.1:${proxy.port}`, { ...options, ...aOptions })),
      b: scope.add(await rt.connect(`etcd://${member.endpoint}`, options)),
    };
  };

  describe(`${rt.name}: etcd behind a faulty link (own etcd on ${member.endpoint})`, () => {
    after(() => member.stop(), { timeout: 20_000 });

    const f3 = "F3 compaction while disconnected: armed watches fire once from the current state, nothing leaks";
    it(f3, { timeout: F3_TEST_TIMEOUT_MS }, async () => {
      await using scope = new Scope();
      let handlerErrors = 0;
      const { root, proxy, a, b } = await clients(scope, "f3", {
        sessionTimeoutMs: F3_SESSION_TIMEOUT_MS,
        onHandlerError: () => void handlerErrors++,
      });
      const admin = scope.add(createGrpcEtcdApi({ endpoints: [member.endpoint] }));

      // Data watches (getData), child watches (getChildren), exists watches on missing nodes and on
      // existing ones; some of each change while A is away, the others do not.
      const data = ["d1", "d2", "d3", "d4"].map((n) => `${root}/${n}`);
      const parents = ["p1", "p2", "p3"].map((n) => `${root}/${n}`);
      const missing = ["e1", "e2"].map((n) => `${root}/${n}`);
      const present = ["x1", "x2"].map((n) => `${root}/${n}`);
      await expectOk(b.handleRequests([
        create(root),
        ...[...data, ...present].map((p) => create(p, bytes("v0"))),
        ...parents.map((p) => create(p)),
        create(`${parents[1]}/old`),
      ]));
      await expectOk(a.handleRequests([create(`${root}/eph`, null, CreateMode.Ephemeral)]));

      const seen: Seen[] = [];
      const note = (s: Omit<Seen, "seq" | "at">) => seen.push({ ...s, seq: seen.length, at: performance.now() });
      const event = (what: string, path: string) => () => note({ kind: "event", what: `${what} ${path}`, path });
      for (const path of [...data, ...missing, ...present]) {
        a.registerZNodeChangeHandler({
          path,
          handleCreation: event("created", path),
          handleDeletion: event("deleted", path),
          handleDataChange: event("data", path),
        });
      }
      for (const path of parents) a.registerZNodeChildChangeHandler({ path, handleChildChange: event("child", path) });
      let expiries = 0;
      a.registerStateChangeHandler({ name: "f3", beforeInitializingSession: () => void expiries++ });
      const reads: Extract<Request, { type: "getData" | "getChildren" | "exists" }>[] = [
        ...data.map((path) => ({ type: "getData" as const, path })),
        ...parents.map((path) => ({ type: "getChildren" as const, path, registerWatch: true })),
        ...[...missing, ...present].map((path) => ({ type: "exists" as const, path })),
      ];
      const armed = await a.handleRequests(reads);
      assert.deepEqual(armed.map((r) => codeName(r.resultCode)), reads.map((r) => codeName(missing.includes(r.path) ? ErrorCode.NoNode : ErrorCode.Ok)));
      const session = a.sessionId;

      // Cut A off: its connections are reset and new ones refused until restore().
      proxy.cut("reset");
      const cutAt = performance.now();
      // B changes some watched nodes between ~1,000 revisions of writes outside the namespace.
      const fillerKey = new TextEncoder().encode(`kmeta-test-filler${root}`);
      const filler = async (n: number) => {
        for (let i = 0; i < n; i += 25) {
          await Promise.all(Array.from({ length: Math.min(25, n - i) }, () => admin.put({ key: fillerKey, value: new Uint8Array(8) })));
        }
      };
      const changes: [Request, string][] = [
        [{ type: "setData", path: data[0]!, data: bytes("v1"), version: -1 }, `data ${data[0]}`],
        [{ type: "delete", path: data[1]!, version: -1 }, `deleted ${data[1]}`],
        [create(`${parents[0]}/new`), `child ${parents[0]}`],
        [{ type: "delete", path: `${parents[1]}/old`, version: -1 }, `child ${parents[1]}`],
        [create(missing[0]!, bytes("born")), `created ${missing[0]}`],
        [{ type: "setData", path: present[0]!, data: bytes("v1"), version: -1 }, `data ${present[0]}`],
      ];
      const first = (await admin.range({ key: fillerKey })).header.revision;
      for (const [request] of changes) {
        await filler(160);
        await expectOk(b.handleRequests([request]));
      }
      await filler(100);
      // Compacted past every change: the namespace's history since A was cut off is gone.
      const { header } = await admin.range({ key: fillerKey });
      await admin.compact(header.revision, true);
      const cutMs = performance.now() - cutAt;
      assert.ok(cutMs < F3_SESSION_TIMEOUT_MS - 10_000, `B's writes took ${Math.round(cutMs)} ms, too close to A's session timeout`);
      assert.equal(seen.length, 0, "nothing reaches a client that is cut off");

      await proxy.restore();
      const restoredAt = performance.now();
      // Right away, A reads every watched node until it gets an answer: no reply may show a change
      // before the change's event was delivered.
      await Promise.all(reads.map(async (request) => {
        for (;;) {
          const r = await a.handleRequest(request.type === "getChildren" ? { ...request, registerWatch: false } : request);
          const value = r.type === "getChildren" ? r.children.slice().sort().join(",") : r.type === "getData" ? text(r) : undefined;
          note({ kind: "reply", what: request.type, path: request.path, code: r.resultCode, value });
          if (r.resultCode !== ErrorCode.ConnectionLoss) return;
          await sleep(50);
        }
      }));
      const expected = changes.map(([, what]) => what);
      await waitFor(() => seen.filter((s) => s.kind === "event").length >= expected.length, RECOVERY_MS, "the missed events");
      const recoveredMs = performance.now() - restoredAt;
      await sleep(1000); // anything extra would show up now
      const events = seen.filter((s) => s.kind === "event");
      const log = seen.map((s) => `${Math.round(s.at - restoredAt)} ms ${s.kind} ${s.what} ${s.kind === "reply" ? `${s.path} ${codeName(s.code!)} ${s.value ?? ""}` : ""}`).join("\n  ");
      console.log(`[${rt.name}: F3] A cut off ${Math.round(cutMs)} ms while B wrote ${header.revision - first} revisions and compacted; ` +
        `${events.length} events within ${Math.round(recoveredMs)} ms of the link's return`);

      // C2: every changed node fired once with the right type, unchanged ones nothing.
      assert.deepEqual(events.map((e) => e.what).sort(), expected.slice().sort(), log);
      // Every reply is Ok, NoNode or ConnectionLoss (nothing about compaction), and none shows a
      // change before its event.
      const changed = new Set(changes.map(([, what]) => what.split(" ")[1]));
      for (const r of seen.filter((s) => s.kind === "reply")) {
        assert.ok([ErrorCode.Ok, ErrorCode.NoNode, ErrorCode.ConnectionLoss].includes(r.code as never), `reply ${codeName(r.code!)}`);
        if (r.code === ErrorCode.ConnectionLoss || !changed.has(r.path)) continue;
        const fired = events.find((e) => e.path === r.path);
        assert.ok(fired && fired.seq < r.seq, `a reply showed ${r.path} changed before its event:\n  ${log}`);
      }
      // The replies after the events show the new state.
      const last = (path: string) => seen.filter((s) => s.kind === "reply" && s.path === path).at(-1)!;
      assert.equal(last(data[0]!).value, "v1");
      assert.equal(last(data[1]!).code, ErrorCode.NoNode);
      assert.equal(last(data[2]!).value, "v0");
      assert.equal(last(parents[0]!).value, "new");
      assert.equal(last(parents[1]!).value, "");
      assert.equal(last(missing[0]!).code, ErrorCode.Ok);
      assert.equal(last(missing[1]!).code, ErrorCode.NoNode);
      // The resumed stream carries new changes: one more on a watched node fires once.
      await expectOk(b.handleRequests([{ type: "setData", path: data[2]!, data: bytes("v2"), version: -1 }]));
      await waitFor(() => seen.some((s) => s.what === `data ${data[2]}`), RECOVERY_MS, "the event of a change after the catch-up");
      await sleep(300);
      assert.equal(seen.filter((s) => s.kind === "event").length, expected.length + 1, "one more event, once");
      // The session survived: same id, no expiry, its ephemeral still its own; no handler threw.
      assert.equal(a.sessionId, session);
      assert.equal(expiries, 0, "the session expired");
      assert.equal(handlerErrors, 0);
      const eph = await b.handleRequest({ type: "exists", path: `${root}/eph` });
      assert.equal(eph.stat?.ephemeralOwner, session);
    });

    const f7 = "F7 connections dropped at random under load: Ok or ConnectionLoss in time, no acknowledged write lost, " +
      "at most one node per sequential create, watches once, session kept";
    it(f7, { timeout: TEST_TIMEOUT_MS }, async () => {
      await using scope = new Scope();
      const { root, proxy, a, b } = await clients(scope, "f7");
      const watched = ["w0", "w1", "w2"].map((n) => `${root}/${n}`);
      await expectOk(b.handleRequests([
        create(root),
        ...["c", "s", "m", "r0", "r1"].map((n) => create(`${root}/${n}`)),
        ...watched.map((p) => create(p, bytes("old"))),
      ]));
      await expectOk(a.handleRequests([create(`${root}/eph`, null, CreateMode.Ephemeral)]));
      const session = a.sessionId;
      let expiries = 0;
      a.registerStateChangeHandler({ name: "f7", beforeInitializingSession: () => void expiries++ });
      // A's handlers log when they run; replies are logged too, to check events come before newer data.
      const seen: { kind: "event" | "new" | "old"; path: string; seq: number }[] = [];
      for (const path of watched) {
        a.registerZNodeChangeHandler({ path, handleDataChange: () => seen.push({ kind: "event", path, seq: seen.length }) });
      }
      await expectOk(a.handleRequests(watched.map((path) => ({ type: "getData" as const, path }))));

      const ops: Op[] = [];
      using stalls = new Stalls();
      const run = async <R extends Request>(op: Omit<Op, "start" | "end" | "code">, request: R) => {
        const start = performance.now();
        const r = await a.handleRequest(request);
        ops.push({ ...op, start, end: performance.now(), code: r.resultCode });
        return r;
      };
      let stop = false;
      const worker = async (w: number) => {
        const reg = `${root}/r${w}`;
        for (let i = 0; !stop; i++) {
          const id = `${w}-${i}`;
          await run({ kind: "create", path: `${root}/c/n${id}` }, create(`${root}/c/n${id}`));
          const seq = await run({ kind: "sequential", call: id }, create(`${root}/s/q-`, bytes(id), CreateMode.PersistentSequential));
          if (seq.resultCode === ErrorCode.Ok) ops.find((o) => o.call === id && o.kind === "sequential")!.path = seq.name!;
          // CAS on this worker's register: read its version, write with it.
          const cur = await run({ kind: "getData" }, { type: "getData", path: reg });
          if (cur.resultCode === ErrorCode.Ok) {
            await run({ kind: "setData", register: reg, value: `s${id}` }, { type: "setData", path: reg, data: bytes(`s${id}`), version: cur.stat!.version });
          }
          await run({ kind: "multi", path: `${root}/m/n${id}`, register: reg, value: `m${id}` }, {
            type: "multi",
            ops: [create(`${root}/m/n${id}`), { type: "setData", path: reg, data: bytes(`m${id}`), version: -1 }],
          });
          const path = watched[i % watched.length]!;
          const r = await run({ kind: "getData" }, { type: "getData", path });
          if (r.resultCode === ErrorCode.Ok) seen.push({ kind: text(r) === "new" ? "new" : "old", path, seq: seen.length });
          // A disconnected session answers ConnectionLoss without any I/O: a loop that never waited
          // would starve the timers that reconnect it.
          await sleep(ops.at(-1)!.code === ErrorCode.Ok ? 1 : 20);
        }
      };
      const load = Promise.all([worker(0), worker(1)]);

      // The faults: every 150-600 ms (a fixed seed) the proxy resets A's connections; reconnects go through.
      const random = mulberry32(7);
      const chaosStart = performance.now();
      let drops = 0;
      let lastDropAt = 0;
      let nextChange = 0;
      while (performance.now() - chaosStart < CHAOS_MS) {
        await sleep(150 + Math.floor(random() * 450));
        proxy.drop();
        drops++;
        lastDropAt = performance.now();
        // B changes one watched node every ~2 s, in the middle of it all.
        if (nextChange < watched.length && performance.now() - chaosStart > 1500 + 2000 * nextChange) {
          await expectOk(b.handleRequests([{ type: "setData", path: watched[nextChange++]!, data: bytes("new"), version: -1 }]));
        }
      }
      const chaosMs = performance.now() - chaosStart;
      await sleep(1000); // the link settles: the load runs on a quiet link
      stop = true;
      await load;

      const failed = ops.filter((o) => o.code !== ErrorCode.Ok);
      // Bounds count this process's running time: a busy machine's stalls are not the client's.
      const slowest = ops.reduce((m, o) => Math.max(m, stalls.running(o.start, o.end)), 0);
      const back = ops.find((o) => o.code === ErrorCode.Ok && o.kind !== "getData" && o.start > lastDropAt);
      const summary = `${ops.length} ops in ${Math.round(chaosMs)} ms with ${drops} drops, ${failed.length} failed ` +
        `(${[...new Set(failed.map((o) => codeName(o.code)))].join(",") || "none"}), slowest ${Math.round(slowest)} ms running, ` +
        `first write OK ${back ? Math.round(back.end - lastDropAt) : "never"} ms after the last drop, ` +
        `longest stall ${Math.round(stalls.longest())} ms`;
      console.log(`[${rt.name}: F7] ${summary}`);

      // C5: every op ends in time with Ok or ConnectionLoss.
      for (const o of failed) assert.equal(codeName(o.code), codeName(ErrorCode.ConnectionLoss), `${o.kind}: ${summary}`);
      assert.ok(slowest <= REQUEST_TIMEOUT_MS + 1000, `an op took ${Math.round(slowest)} ms: ${summary}`);
      // C6: back within 5 s of the last drop, and then no more failures.
      assert.ok(back && stalls.running(lastDropAt, back.end) <= RECOVERY_MS, `no write succeeded within ${RECOVERY_MS} ms of the last drop: ${summary}`);
      assert.ok(ops.filter((o) => o.start > back.end).every((o) => o.code === ErrorCode.Ok), `failures after recovery: ${summary}`);
      assert.ok(failed.length > 0 && drops > 10, `the faults must hit something: ${summary}`);

      // C1: every acknowledged create is there; count the indeterminate ones that took effect.
      const creates = ops.filter((o) => o.kind === "create" || o.kind === "multi" || (o.kind === "sequential" && o.code === ErrorCode.Ok));
      const found = await b.handleRequests(creates.map((o) => ({ type: "exists" as const, path: o.path! })));
      creates.forEach((o, i) => {
        if (o.code === ErrorCode.Ok) assertCode(found[i]!, ErrorCode.Ok, `acknowledged ${o.kind} ${o.path}`);
      });
      let applied = creates.filter((o, i) => o.code !== ErrorCode.Ok && found[i]!.resultCode === ErrorCode.Ok).length;
      // At most one node per sequential create call (its data names the call); an acknowledged call's
      // node is the one it was told.
      const names = (await b.handleRequest({ type: "getChildren", path: `${root}/s`, registerWatch: false })).children;
      const calls = await b.handleRequests(names.map((name) => ({ type: "getData" as const, path: `${root}/s/${name}` })));
      const byCall = new Map<string, string[]>();
      names.forEach((name, i) => {
        const call = text(calls[i] as { data: Uint8Array | null })!;
        byCall.set(call, [...(byCall.get(call) ?? []), `${root}/s/${name}`]);
      });
      for (const o of ops.filter((o) => o.kind === "sequential")) {
        const nodes = byCall.get(o.call!) ?? [];
        assert.ok(nodes.length <= 1, `sequential create ${o.call} made ${nodes.join(", ")}`);
        if (o.code === ErrorCode.Ok) assert.deepEqual(nodes, [o.path], `sequential create ${o.call}`);
        else applied += nodes.length;
      }
      // Each register's version counts its applied writes: every acknowledged one, and at most the
      // indeterminate ones besides. It holds the last acknowledged value or a later indeterminate one.
      for (const reg of [`${root}/r0`, `${root}/r1`]) {
        const writes = ops.filter((o) => o.register === reg);
        const acked = writes.filter((o) => o.code === ErrorCode.Ok).length;
        const final = await b.handleRequest({ type: "getData", path: reg });
        const version = final.stat!.version;
        assert.ok(version >= acked && version <= writes.length, `${reg} version ${version}, ${acked} acknowledged of ${writes.length} writes`);
        const lastOk = writes.map((o) => o.code).lastIndexOf(ErrorCode.Ok);
        const allowed = [lastOk >= 0 ? writes[lastOk]!.value : undefined, ...writes.slice(lastOk + 1).map((o) => o.value)];
        assert.ok(allowed.includes(text(final)), `${reg} holds ${text(final)}, expected one of ${allowed.join(", ")}`);
      }
      console.log(`[${rt.name}: F7] ${applied} creates, sequential creates and multis reported ConnectionLoss but took effect`);

      // C2: each watch armed before the faults fired once, before any reply showing the new value.
      await waitFor(() => seen.filter((s) => s.kind === "event").length >= watched.length, RECOVERY_MS, "the armed watches to fire");
      await sleep(300);
      for (const path of watched) {
        const events = seen.filter((s) => s.kind === "event" && s.path === path);
        assert.equal(events.length, 1, `${path}: ${events.length} events`);
        const early = seen.find((s) => s.kind === "new" && s.path === path && s.seq < events[0]!.seq);
        assert.equal(early, undefined, `a reply showed ${path}'s new value before its event`);
      }
      // C4: the session never expired; its ephemeral is still its own.
      assert.equal(expiries, 0, "the session expired");
      assert.equal(a.sessionId, session);
      assert.equal((await b.handleRequest({ type: "exists", path: `${root}/eph` })).stat?.ephemeralOwner, session);
    });
  });
}

async function expectOk(responses: Promise<Response[]>): Promise<void> {
  for (const r of await responses) assert.equal(r.resultCode, ErrorCode.Ok, `${r.type} ${r.path}: ${codeName(r.resultCode)}`);
}
