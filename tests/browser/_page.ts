// What the browser runs: the `./web` entry's connect(), nothing assembled by hand (the test bundles
// this file for platform "browser", so any node: import fails the bundle). Two clients share one
// chroot: A creates and reads a node, B's setData fires A's watch, and when A closes its session B
// sees A's ephemeral node go. Also: what the entry refuses in a browser, and memory://.
import { connect, CreateMode, ErrorCode, type KafkaMetastore, KeeperError, OPEN_ACL_UNSAFE } from "../../runtimes/web/mod.ts";

export interface ScenarioResult {
  steps: string[];
  data: string;
  changed: string;
  ephemeralSeenByB: boolean;
  ephemeralAfterClose: number;
  stateAfterClose: string;
  /** KeeperError codes of connect() calls the browser entry must refuse. */
  refused: { zk: number | string; grpc: number | string; tls: number | string };
  memoryChildren: string[];
  userAgent: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) resolve();
      else if (performance.now() - start > ms) reject(new Error(`Timed out after ${ms} ms waiting for ${what}`));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

/** The KeeperError code `opening` rejects with, or what else happened. */
async function refusal(opening: Promise<KafkaMetastore>): Promise<number | string> {
  try {
    await (await opening).close();
    return "connected";
  } catch (e) {
    return e instanceof KeeperError ? e.code : String(e);
  }
}

/** `etcd` is the gateway's host:port (plain http). */
async function scenario(etcd: string): Promise<ScenarioResult> {
  const steps: string[] = [];
  const chroot = `/kmeta-test-browser-${crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36)}`;
  const options = { sessionTimeoutMs: 6000, connectionTimeoutMs: 10_000 };
  const admin = await connect(`etcd://${etcd}`, options);
  const made = await admin.handleRequest({ type: "create", path: chroot, data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent });
  if (made.resultCode !== ErrorCode.Ok) throw new Error(`create ${chroot} failed: ${made.resultCode}`);
  const a = await connect(`etcd://${etcd}${chroot}`, options);
  const b = await connect(`etcd://${etcd}${chroot}`, options);
  steps.push(`sessions ${a.sessionId.toString(16)} and ${b.sessionId.toString(16)} connected under ${chroot}`);
  try {
    const created = await a.handleRequests([
      { type: "create", path: "/browser", data: enc.encode("hello"), acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent },
      { type: "create", path: "/browser/a-ephemeral", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Ephemeral },
    ]);
    if (created.some((r) => r.resultCode !== 0)) throw new Error(`create failed: ${created.map((r) => r.resultCode)}`);
    steps.push("A created /browser and an ephemeral child");

    let changed = 0;
    a.registerZNodeChangeHandler({ path: "/browser", handleDataChange: () => void changed++ });
    const read = await a.handleRequest({ type: "getData", path: "/browser" });
    if (read.resultCode !== 0) throw new Error(`getData failed: ${read.resultCode}`);
    const data = dec.decode(read.data ?? new Uint8Array(0));
    steps.push(`A read "${data}" and armed a data watch`);

    const set = await b.handleRequest({ type: "setData", path: "/browser", data: enc.encode("world"), version: -1 });
    if (set.resultCode !== 0) throw new Error(`setData failed: ${set.resultCode}`);
    await waitFor(() => changed === 1, 5000, "A's handleDataChange");
    const after = await a.handleRequest({ type: "getData", path: "/browser" });
    steps.push("B's setData fired A's watch");

    const seen = await b.handleRequest({ type: "exists", path: "/browser/a-ephemeral" });
    await a.close();
    steps.push(`A closed (state ${a.connectionState})`);
    const gone = await b.handleRequest({ type: "exists", path: "/browser/a-ephemeral" });
    steps.push(`B sees A's ephemeral: before close ${seen.resultCode}, after ${gone.resultCode}`);

    const refused = {
      zk: await refusal(connect("zk://127.0.0.1:2181")),
      grpc: await refusal(connect(`etcd://${etcd}`, { ...options, etcd: { transport: "grpc" } })),
      tls: await refusal(connect(`etcds://${etcd}`, { ...options, etcd: { tls: { ca: "-----BEGIN CERTIFICATE-----" } } })),
    };
    steps.push(`refused zk:// (${refused.zk}), the gRPC transport (${refused.grpc}) and TLS options (${refused.tls})`);

    const memory = await connect("memory://browser");
    await memory.handleRequest({ type: "create", path: "/m", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent });
    const listed = await memory.handleRequest({ type: "getChildren", path: "/", registerWatch: false });
    await memory.close();
    steps.push("memory:// works");
    return {
      steps,
      data,
      changed: dec.decode(after.data ?? new Uint8Array(0)),
      ephemeralSeenByB: seen.resultCode === 0,
      ephemeralAfterClose: gone.resultCode,
      stateAfterClose: a.connectionState,
      refused,
      memoryChildren: listed.children ?? [],
      // The repo type-checks without the DOM lib; this file only ever runs in a browser.
      userAgent: (globalThis as unknown as { navigator: { userAgent: string } }).navigator.userAgent,
    };
  } finally {
    await a.close();
    await b.close();
    await admin.handleRequests([
      { type: "delete", path: `${chroot}/browser`, version: -1 },
      { type: "delete", path: chroot, version: -1 },
    ]);
    await admin.close();
  }
}

(globalThis as { kmetaScenario?: typeof scenario }).kmetaScenario = scenario;
