// What the browser runs: the fetch-only etcd transport, core's etcd store and the client, with no
// node: module anywhere (the test bundles this file for platform "browser"). Two clients share one
// namespace: A creates and reads a node, B's setData fires A's watch, and when A closes its session
// B sees A's ephemeral node go.
import { createMetastore, CreateMode, type KafkaMetastore, OPEN_ACL_UNSAFE } from "../../core/mod.ts";
import { createEtcdStore } from "../../core/etcd/etcd_store.ts";
import { createGatewayEtcdApi } from "../../runtimes/common/etcd/gateway_api.ts";
import { systemClock } from "../../runtimes/common/system_clock.ts";

export interface ScenarioResult {
  steps: string[];
  data: string;
  changed: string;
  ephemeralSeenByB: boolean;
  ephemeralAfterClose: number;
  stateAfterClose: string;
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

async function scenario(endpoint: string): Promise<ScenarioResult> {
  const steps: string[] = [];
  const prefix = `kmeta-test/browser-${crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36)}/`;
  const open = async (): Promise<KafkaMetastore> => {
    const store = createEtcdStore({ api: createGatewayEtcdApi({ endpoints: [endpoint] }), clock: systemClock, prefix });
    const client = createMetastore({ store, clock: systemClock, ownsStore: true }, { sessionTimeoutMs: 6000 });
    await client.waitUntilConnected(10000);
    return client;
  };
  const a = await open();
  const b = await open();
  steps.push(`sessions ${a.sessionId.toString(16)} and ${b.sessionId.toString(16)} connected`);
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
    await b.handleRequest({ type: "delete", path: "/browser", version: -1 });
    return {
      steps,
      data,
      changed: dec.decode(after.data ?? new Uint8Array(0)),
      ephemeralSeenByB: seen.resultCode === 0,
      ephemeralAfterClose: gone.resultCode,
      stateAfterClose: a.connectionState,
      // The repo type-checks without the DOM lib; this file only ever runs in a browser.
      userAgent: (globalThis as unknown as { navigator: { userAgent: string } }).navigator.userAgent,
    };
  } finally {
    await a.close();
    await b.close();
    // The namespace's own keys (the root node and the marker) go too.
    const admin = createGatewayEtcdApi({ endpoints: [endpoint] });
    const key = enc.encode(prefix);
    const end = key.slice();
    end[end.length - 1]!++;
    await admin.txn({ compare: [], success: [{ deleteRange: { key, rangeEnd: end } }], failure: [] });
    await admin.close();
  }
}

(globalThis as { kmetaScenario?: typeof scenario }).kmetaScenario = scenario;
