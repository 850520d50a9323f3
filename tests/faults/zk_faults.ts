/**
 * Fault tests against a real ZooKeeper 3.8 that the suite starts, stops and restarts itself (issue 3):
 * a restart within the session timeout, an outage past it, unreachable hosts, and Kafka's
 * ZooKeeperClientTest #29 with the server going down. Written once; each runtime's
 * `zk_faults_test.ts` passes its own `connect` and ports.
 * @module
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { codeName, type ConnectOptions, CreateMode, ErrorCode, isKeeperError, type KafkaMetastore, type Response } from "../../core/mod.ts";
import { assertCode, bytes, calls, create, sleep, waitFor } from "../conformance/helpers.ts";
import { startProxy } from "../conformance/tcp_proxy.ts";
import { runChild } from "./child.ts";
import { Scope } from "./scope.ts";
import { Stalls } from "./stalls.ts";
import { zkServer } from "./zk_server.ts";

/** What a runtime hands the suite. */
export interface ZkFaultsRuntime {
  name: string;
  connect: (url: string, options?: ConnectOptions) => Promise<KafkaMetastore>;
  /** ZooKeeper listens here and the suite's proxy on the next port; the pair must be this runtime's alone. */
  basePort: number;
  /** File URL of the runtime's mod.ts, imported by a child process of this runtime. */
  moduleUrl: string;
  /** Command and leading arguments that run a TypeScript file under this runtime. */
  runScript: readonly string[];
}

/** 1 s ticks let session timeouts range over 2-20 s (2 to 20 ticks): expiry fits in a test, a restart fits in a session. */
const TICK_MS = 1000;
/**
 * The restart test's session: the longest the server allows, as the JVM's restart (and what the test
 * does before the client is let back) takes several seconds on a busy machine, and it must fit.
 */
const RESTART_SESSION_TIMEOUT_MS = 20 * TICK_MS;
/**
 * The outage test's session: the server is down longer than this, and after its restart the session
 * lives this long again, which is how long a second client has to see its ephemeral still there.
 */
const OUTAGE_SESSION_TIMEOUT_MS = 6 * TICK_MS;
/** Every test finishes well within this; a hang fails instead of stalling the run. */
const TEST_TIMEOUT_MS = 90_000;
const CHILD_SCRIPT = fileURLToPath(new URL("./connect_probe.ts", import.meta.url));

export function runZkFaults(rt: ZkFaultsRuntime): void {
  const server = zkServer(rt.basePort, TICK_MS);
  const proxyPort = rt.basePort + 1;
  const direct = `zk://127.0.0.1:${server.port}`;

  describe(`${rt.name}: ZooKeeper faults (real server on ${server.port})`, () => {
    after(() => server.dispose());

    const unreachable = "unreachable host: OperationTimeout in ~1 s, nothing left running; a dead+live host list connects";
    it(unreachable, { timeout: TEST_TIMEOUT_MS }, async () => {
      await server.start();
      const dead = proxyPort; // nothing listens there outside the proxy tests (checked next)
      await assertRefused(dead);
      // Upper bounds count this process's running time: a busy machine's stalls are not the client's.
      using stalls = new Stalls();

      const t0 = performance.now();
      await assert.rejects(
        rt.connect(`zk://127.0.0.1:${dead}`, { connectionTimeoutMs: 500 }),
        (e) => isKeeperError(e, ErrorCode.OperationTimeout),
      );
      const took = performance.now() - t0, running = stalls.running(t0, performance.now());
      assert.ok(took >= 450 && running < 1500, `connect() rejected after ${Math.round(took)} ms (${Math.round(running)} running), expected about 500`);

      // A retry loop, timer or socket left behind would keep the process alive: the same call in a
      // child process of this runtime must let it exit by itself, right after reporting.
      const child = await runChild(rt.runScript, [CHILD_SCRIPT, rt.moduleUrl, `zk://127.0.0.1:${dead}`], 60_000);
      assert.equal(child.exitCode, 0, `child exited with ${child.exitCode}: ${child.stderr}`);
      const report = JSON.parse(child.line) as { code?: number; ms?: number };
      assert.equal(report.code, ErrorCode.OperationTimeout, `child reported ${child.line}`);
      assert.ok(report.ms! < 1500, `child's connect() rejected after ${report.ms} ms of running time`);
      assert.ok(child.exitAfterLineMs < 1500, `child took ${child.exitAfterLineMs} ms to exit after connect() rejected`);

      // Hosts are shuffled per session, so a few rounds put the dead host first at least sometimes.
      for (let round = 0; round < 3; round++) {
        const t = performance.now();
        const hosts = `127.0.0.1:${dead},127.0.0.1:${server.port}`;
        const c = await rt.connect(`zk://${hosts}`, { sessionTimeoutMs: 4000, connectionTimeoutMs: 5000 });
        try {
          const ms = stalls.running(t, performance.now());
          assert.ok(ms < 3000, `round ${round}: connected after ${Math.round(ms)} ms of running time`);
          assertCode(await c.handleRequest({ type: "exists", path: "/" }), ErrorCode.Ok);
        } finally {
          await c.close();
        }
      }
    });

    const restart = "restart within the session timeout: same session and ephemeral, pending requests get ConnectionLoss, " +
      "armed watches fire once for changes made meanwhile";
    it(restart, { timeout: TEST_TIMEOUT_MS }, async () => {
      await server.start();
      await using scope = new Scope();
      const proxy = scope.add(await startProxy("127.0.0.1", server.port, { listenPort: proxyPort }));
      const a = scope.add(await rt.connect(`zk://127.0.0.1:${proxy.port}`, { sessionTimeoutMs: RESTART_SESSION_TIMEOUT_MS }));
      await expectOk(a.handleRequests([
        create("/s1"),
        create("/s1/watched", bytes("v0")),
        create("/s1/parent"),
        create("/s1/eph", null, CreateMode.Ephemeral),
      ]));
      const log = calls();
      a.registerZNodeChangeHandler({ path: "/s1/watched", handleDataChange: log.hit("data"), handleDeletion: log.hit("deleted") });
      a.registerZNodeChildChangeHandler({ path: "/s1/parent", handleChildChange: log.hit("child") });
      await expectOk(a.handleRequests([
        { type: "getData", path: "/s1/watched" },
        { type: "getChildren", path: "/s1/parent", registerWatch: true },
      ]));
      const session = a.sessionId;

      // Requests in flight when the server dies: the proxy swallows them first, so no reply can win
      // the race with the SIGTERM; the server's end closing then reaches the client through the proxy.
      proxy.cut("blackhole");
      const pending = a.handleRequests([
        { type: "getData", path: "/s1" },
        { type: "exists", path: "/s1/eph" },
        { type: "getChildren", path: "/s1", registerWatch: false },
      ]);
      await sleep(100);
      await server.stop();
      const lost = await within(pending, 5000, "the requests pending at the cut to fail");
      assert.deepEqual(lost.map((r) => codeName(r.resultCode)), lost.map(() => codeName(ErrorCode.ConnectionLoss)));
      // Keep the client away (refused, so it retries every 1-2 s) until the other client has changed things.
      proxy.cut("reset");
      assert.equal(a.connectionState, "CONNECTING");

      await server.start();
      const b = scope.add(await rt.connect(direct, { sessionTimeoutMs: 4000 }));
      const eph = await b.handleRequest({ type: "exists", path: "/s1/eph" });
      assertCode(eph, ErrorCode.Ok, "the ephemeral after the restart");
      assert.equal(eph.stat?.ephemeralOwner, session, "the ephemeral still belongs to the first client's session");
      await expectOk(b.handleRequests([
        { type: "setData", path: "/s1/watched", data: bytes("v1"), version: -1 },
        create("/s1/parent/c1"),
      ]));
      await sleep(200);
      assert.deepEqual(log.log, [], "no event reaches a disconnected client");

      await proxy.restore();
      await a.waitUntilConnected(10_000);
      assert.equal(a.sessionId, session, "the session survived the restart");
      // SetWatches on reconnect re-arms the watches; the server fires them for changes past our zxid.
      await waitFor(() => log.count("data") === 1 && log.count("child") === 1, 5000, "the armed watches to fire after the reconnect");
      await sleep(500);
      assert.deepEqual([...log.log].sort(), ["child", "data"], "each armed watch fired exactly once");
      const data = await a.handleRequest({ type: "getData", path: "/s1/watched" });
      assert.equal(new TextDecoder().decode(data.data ?? new Uint8Array()), "v1");
      const mine = await a.handleRequest({ type: "exists", path: "/s1/eph" });
      assert.equal(mine.stat?.ephemeralOwner, session);
    });

    const outage = "outage past the session timeout: SessionExpired handling, before/after handlers in order, " +
      "a new session, old ephemerals gone, client usable";
    it(outage, { timeout: TEST_TIMEOUT_MS }, async () => {
      await server.start();
      await using scope = new Scope();
      const proxy = scope.add(await startProxy("127.0.0.1", server.port, { listenPort: proxyPort }));
      const a = scope.add(await rt.connect(`zk://127.0.0.1:${proxy.port}`, { sessionTimeoutMs: OUTAGE_SESSION_TIMEOUT_MS }));
      await expectOk(a.handleRequests([create("/s2"), create("/s2/eph", null, CreateMode.Ephemeral)]));
      const oldSession = a.sessionId;
      const handlerLog: string[] = [];
      let sessionBefore: bigint | undefined;
      let reRegistered: Promise<Response> | undefined;
      a.registerStateChangeHandler({
        name: "faults",
        beforeInitializingSession: () => {
          handlerLog.push("before");
          sessionBefore = a.sessionId;
        },
        // As Kafka re-registers its broker znode here: the new session may still be connecting
        // (Kafka's reinitialize does not wait either), so the request waits for it.
        afterInitializingSession: () => {
          handlerLog.push("after");
          reRegistered = a.handleRequest(create("/s2/eph", null, CreateMode.Ephemeral));
        },
      });

      proxy.cut("reset");
      await server.stop();
      await sleep(OUTAGE_SESSION_TIMEOUT_MS + 500); // longer than the session timeout, server down
      // ZooKeeper keeps sessions in its snapshot and log, and a restarted server gives each the full
      // timeout again; the client stays cut off until that timeout has run out on the running server.
      await server.start();
      const restartedAt = Date.now();
      const b = scope.add(await rt.connect(direct, { sessionTimeoutMs: 4000 }));
      const kept = await b.handleRequest({ type: "exists", path: "/s2/eph" });
      assert.equal(kept.stat?.ephemeralOwner, oldSession, "right after the restart the server still holds the session");
      const during = await within(a.handleRequest({ type: "getData", path: "/s2" }), 5000, "a request during the outage to fail");
      assertCode(during, ErrorCode.ConnectionLoss, "a request while cut off");
      assert.equal(a.connectionState, "CONNECTING", "the client does not declare expiry by itself");
      await pollUntil(
        async () => (await b.handleRequest({ type: "exists", path: "/s2/eph" })).resultCode === ErrorCode.NoNode,
        15_000,
        "the server to expire the session and delete its ephemeral",
      );
      const goneAfter = Date.now() - restartedAt;
      // Bounded, with room for a busy machine: the server expires it a timeout (and its ticks) after loading it.
      assert.ok(goneAfter < OUTAGE_SESSION_TIMEOUT_MS + 2 * TICK_MS + 6000, `the ephemeral went ${goneAfter} ms after the restart`);
      assert.equal(handlerLog.length, 0, "nothing re-initialises while the client cannot hear of the expiry");

      await proxy.restore();
      // Queued on the old session before the reconnect tells it of the expiry.
      const across = a.handleRequest({ type: "getData", path: "/s2" });
      await waitFor(() => handlerLog.length === 2, 10_000, "re-initialisation");
      assert.deepEqual(handlerLog, ["before", "after"]);
      assert.equal(sessionBefore, oldSession, "beforeInitializingSession runs while the expired session is current");
      const acrossCode = (await across).resultCode;
      assert.ok(
        acrossCode === ErrorCode.SessionExpired || acrossCode === ErrorCode.ConnectionLoss,
        `a request queued on the expired session got ${codeName(acrossCode)}`,
      );
      await a.waitUntilConnected(10_000);
      assert.notEqual(a.sessionId, oldSession, "a new session");
      const created = await within(reRegistered!, 10_000, "the create made by afterInitializingSession");
      assertCode(created, ErrorCode.Ok, "create on the new session");
      const now = await b.handleRequest({ type: "exists", path: "/s2/eph" });
      assert.equal(now.stat?.ephemeralOwner, a.sessionId, "the ephemeral now belongs to the new session");
      assertCode(await a.handleRequest({ type: "getData", path: "/s2" }), ErrorCode.Ok, "the client works on the new session");
    });

    const kafka29 = "Kafka #29 with the server stopping: maxInFlight=2 batches see ConnectionLoss within 30 s, only ConnectionLoss after it";
    it(kafka29, { timeout: TEST_TIMEOUT_MS }, async () => {
      await server.start();
      await using scope = new Scope();
      const a = scope.add(await rt.connect(direct, { sessionTimeoutMs: 8000, maxInFlightRequests: 2 }));
      assertCode(await a.handleRequest(create("/s4", bytes("x"))), ErrorCode.Ok);
      const session = a.sessionId;
      const batch = Array.from({ length: 10 }, () => ({ type: "getData" as const, path: "/s4" }));
      const checkBatch = (rs: Response[], n: number): boolean => {
        const codes = rs.map((r) => r.resultCode);
        const first = codes.indexOf(ErrorCode.ConnectionLoss);
        const end = first < 0 ? codes.length : first;
        assert.ok(codes.slice(0, end).every((c) => c === ErrorCode.Ok), `batch ${n} before the loss: ${codes.map(codeName)}`);
        assert.ok(codes.slice(end).every((c) => c === ErrorCode.ConnectionLoss), `batch ${n} after the loss: ${codes.map(codeName)}`);
        return first >= 0;
      };

      const stopping = server.stop();
      const deadline = Date.now() + 30_000;
      let batches = 0;
      let lossSeen = false;
      while (!lossSeen && Date.now() < deadline) lossSeen = checkBatch(await a.handleRequests(batch), batches++);
      await stopping;
      assert.ok(lossSeen, `no ConnectionLoss within 30 s (${batches} batches)`);
      // With the server down, a whole batch fails: the first two wait for a connect that fails, the rest are never sent.
      for (let i = 0; i < 2; i++) {
        const rs = await within(a.handleRequests(batch), 5000, "a batch while the server is down");
        checkBatch(rs, batches++);
        assertCode(rs[0]!, ErrorCode.ConnectionLoss, "the first request while the server is down");
      }

      await server.start();
      await a.waitUntilConnected(10_000);
      assert.equal(a.sessionId, session, "the session survives the restart");
      assert.deepEqual((await a.handleRequests(batch)).map((r) => codeName(r.resultCode)), batch.map(() => codeName(ErrorCode.Ok)));
    });
  });
}

async function expectOk(responses: Promise<Response[]>): Promise<void> {
  for (const r of await responses) assertCode(r, ErrorCode.Ok);
}

/** `promise`, or a failure naming `what` after `ms`: a hung request must fail the test, not stall it. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function pollUntil(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`Timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** Fails unless a TCP connect to 127.0.0.1:`port` is refused. */
function assertRefused(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      reject(new Error(`127.0.0.1:${port} accepts connections; the unreachable-host test needs it closed`));
    });
    socket.once("error", () => resolve());
  });
}
