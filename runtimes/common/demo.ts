// `kmeta demo`: a Kafka-style metadata session, step by step, on any store the URL names. On a
// network store it writes Kafka's real paths (a topic, a controller epoch), so it works under a
// scratch chroot of its own, removed afterwards: pointed at a live cluster it leaves nothing behind.
import {
  CreateMode,
  codeName,
  type KafkaMetastore,
  maybeThrow,
  OPEN_ACL_UNSAFE,
  type Request,
} from "../../core/mod.ts";
import type { ConnectOptions } from "../../core/connect.ts";
import { parseConnectString } from "../../core/connect_string.ts";

type Connect = (url: string, options?: ConnectOptions) => Promise<KafkaMetastore>;

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const create = (path: string, data: unknown, mode: CreateMode = CreateMode.Persistent): Request => ({
  type: "create",
  path,
  data: data === null ? null : json(data),
  acl: OPEN_ACL_UNSAFE,
  mode,
});

/** Deletes `path` and everything under it (children first). */
async function deleteTree(client: KafkaMetastore, path: string): Promise<void> {
  const { children } = await client.handleRequest({ type: "getChildren", path, registerWatch: false });
  for (const child of children) await deleteTree(client, `${path}/${child}`);
  await client.handleRequest({ type: "delete", path, version: -1 });
}

/**
 * Walks through broker registration, controller election, topic creation, watches and fencing. On
 * zk:// and etcd:// it runs under a scratch chroot (`/kmeta-demo-<random>` below the URL's own
 * chroot), which it creates and deletes again, whatever happened.
 */
export async function runDemo(connect: Connect, url: string, print: (line: string) => void): Promise<void> {
  if (parseConnectString(url).scheme === "memory") return runSteps(connect, url, print);
  const scratch = `/kmeta-demo-${Math.random().toString(36).slice(2, 10)}`;
  const parent = url.replace(/\/$/, "");
  print(`Running under the scratch chroot ${scratch} of ${url}, deleted afterwards`);
  try {
    await runSteps(connect, parent + scratch, print, { createChrootIfNecessary: true });
  } finally {
    const root = await connect(parent);
    try {
      await deleteTree(root, scratch);
      print(`\n== removed ${scratch}`);
    } finally {
      await root.close();
    }
  }
}

async function runSteps(connect: Connect, url: string, print: (line: string) => void, options: ConnectOptions = {}): Promise<void> {
  const step = (title: string) => print(`\n== ${title}`);
  const controller = await connect(url, options);
  const broker1 = await connect(url, options);
  try {
    step(`connected two sessions to ${url}`);
    print(`controller session 0x${controller.sessionId.toString(16)}, broker session 0x${broker1.sessionId.toString(16)}`);

    step("create Kafka's persistent paths in one pipelined batch");
    const roots = ["/brokers", "/brokers/ids", "/brokers/topics", "/admin", "/admin/delete_topics", "/isr_change_notification"];
    for (const r of await controller.handleRequests(roots.map((p) => create(p, null)))) {
      print(`${r.path} -> ${codeName(r.resultCode)}`);
    }

    step("elect the controller: an ephemeral /controller and /controller_epoch");
    await controller.handleRequests([
      create("/controller", { version: 1, brokerid: 0, timestamp: "0" }, CreateMode.Ephemeral),
      create("/controller_epoch", 1),
    ]);
    const epoch = maybeThrow(await controller.handleRequest({ type: "getData", path: "/controller_epoch" }));
    print(`controller_epoch zkVersion ${epoch.stat!.version}`);

    step("watch /brokers/ids, then broker 1 registers itself (ephemeral)");
    let changes = 0;
    controller.registerZNodeChildChangeHandler({ path: "/brokers/ids", handleChildChange: () => changes++ });
    await controller.handleRequest({ type: "getChildren", path: "/brokers/ids", registerWatch: true });
    const registration = { version: 5, host: "localhost", port: 9093, endpoints: ["PLAINTEXT://localhost:9093"], jmx_port: -1 };
    maybeThrow(await broker1.handleRequest(create("/brokers/ids/1", registration, CreateMode.Ephemeral)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const ids = await controller.handleRequest({ type: "getChildren", path: "/brokers/ids", registerWatch: true });
    print(`handleChildChange fired ${changes} time(s); live brokers: [${ids.children.join(", ")}]`);
    const owner = (await controller.handleRequest({ type: "exists", path: "/brokers/ids/1" })).stat!.ephemeralOwner;
    print(`/brokers/ids/1 ephemeralOwner 0x${owner.toString(16)} (broker 1's session)`);

    step("create topic 'orders' with 3 partitions and their leader state");
    const partitions = Object.fromEntries([0, 1, 2].map((p) => [p, [1]]));
    const topic = [
      create("/brokers/topics/orders", { version: 2, partitions, adding_replicas: {}, removing_replicas: {} }),
      create("/brokers/topics/orders/partitions", null),
      ...[0, 1, 2].flatMap((p) => [
        create(`/brokers/topics/orders/partitions/${p}`, null),
        create(`/brokers/topics/orders/partitions/${p}/state`, { controller_epoch: 1, leader: 1, version: 1, leader_epoch: 0, isr: [1] }),
      ]),
    ];
    const made = await controller.handleRequests(topic);
    print(`${made.filter((r) => r.resultCode === 0).length}/${made.length} znodes created, responses in request order`);

    step("fenced update: check /controller_epoch version, then set a partition state (Multi)");
    const fenced = (version: number) =>
      controller.handleRequest({
        type: "multi",
        ops: [
          { type: "check", path: "/controller_epoch", version },
          {
            type: "setData",
            path: "/brokers/topics/orders/partitions/0/state",
            data: json({ controller_epoch: 1, leader: 1, version: 1, leader_epoch: 1, isr: [1] }),
            version: -1,
          },
        ],
      });
    const ok = await fenced(epoch.stat!.version);
    print(`with the current epoch version: ${codeName(ok.resultCode)}`);
    const stale = await fenced(epoch.stat!.version + 7);
    print(`with a stale version: ${codeName(stale.resultCode)}, per op [${stale.results!.map((r) => codeName(r.resultCode)).join(", ")}]`);

    step("broker 1 shuts down: its registration disappears with its session");
    await broker1.close();
    const gone = await controller.handleRequest({ type: "exists", path: "/brokers/ids/1" });
    print(`/brokers/ids/1 -> ${codeName(gone.resultCode)}`);
  } finally {
    await broker1.close();
    await controller.close();
  }
}
