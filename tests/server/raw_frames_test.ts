// What client libraries hide, judged with raw frames on real ZooKeeper 3.8 and on `kmeta serve` in
// the same test: each scenario must give both servers' answers the same shape (codes, event order,
// stats), so any difference is ours.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { dial } from "../../runtimes/node/tcp.ts";
import type { ByteChannel } from "../../core/transport.ts";
import { createFrameDecoder } from "../../core/zk/frames.ts";
import { decodeReply, encodeRequest, type ZkWireRequest } from "../../core/zk/records.ts";
import { decodeConnectResponse, encodeConnectRequest, type ConnectResponse } from "../../core/zk/records_session.ts";
import { OpCode, Xid } from "../../core/zk/opcodes.ts";
import { OPEN_ACL_UNSAFE } from "../../core/api/acl.ts";
import { EventType } from "../../core/api/events.ts";
import { ErrorCode } from "../../core/errors.ts";
import { etcdStoreArgs, startTestServer, zkStoreArgs } from "./serve.ts";

/** One raw connection: frames out, decoded replies in, matched by xid as a client would. */
class RawClient {
  readonly #channel: ByteChannel;
  readonly #frames: Uint8Array[] = [];
  #waiting: (() => void) | undefined;
  #ended = false;
  readonly #pending = new Map<number, number>();
  #xid = 1;

  private constructor(channel: ByteChannel) {
    this.#channel = channel;
    const decoder = createFrameDecoder({ maxFrameBytes: 4 << 20 });
    void (async () => {
      try {
        for await (const chunk of channel.incoming) {
          this.#frames.push(...decoder.push(chunk));
          this.#waiting?.();
        }
      } catch { /* reset */ }
      this.#ended = true;
      this.#waiting?.();
    })();
  }

  static async open(hostPort: string): Promise<RawClient> {
    const [host, port] = hostPort.split(":");
    return new RawClient(await dial(host!, Number(port), { timeoutMs: 5000 }));
  }

  async #next(): Promise<Uint8Array | undefined> {
    const deadline = Date.now() + 8000;
    while (this.#frames.length === 0 && !this.#ended) {
      if (Date.now() > deadline) throw new Error("no frame within 8 s");
      await new Promise<void>((resolve) => {
        this.#waiting = resolve;
        setTimeout(resolve, 200);
      });
    }
    return this.#frames.shift();
  }

  async connect(sessionId = 0n, passwd: Uint8Array = new Uint8Array(16), lastZxidSeen = 0n): Promise<ConnectResponse | undefined> {
    this.#channel.write(encodeConnectRequest({ protocolVersion: 0, lastZxidSeen, timeoutMs: 10000, sessionId, passwd, readOnly: false }));
    const frame = await this.#next();
    return frame && decodeConnectResponse(frame);
  }

  send(request: ZkWireRequest, xid = this.#xid++): void {
    this.#pending.set(xid, request.type);
    this.#channel.write(encodeRequest(xid, request));
  }

  /** The next frame, decoded; undefined once the server closed the connection. */
  async reply(): Promise<ReturnType<typeof decodeReply> | undefined> {
    const frame = await this.#next();
    if (!frame) return undefined;
    const xid = new DataView(frame.buffer, frame.byteOffset).getInt32(0);
    return decodeReply(frame, this.#pending.get(xid) as OpCode | undefined);
  }

  /** A request frame of op code `type` with no body (for op codes no record describes). */
  sendHeaderOnly(type: number, xid = this.#xid++): void {
    this.#pending.set(xid, OpCode.Delete); // any op whose reply is a header alone
    const frame = new Uint8Array(12);
    const view = new DataView(frame.buffer);
    view.setInt32(0, 8);
    view.setInt32(4, xid);
    view.setInt32(8, type);
    this.#channel.write(frame);
  }

  close(): void {
    this.#channel.close();
  }
}

const targets: { name: string; hostPort: () => string }[] = [];
let server: Awaited<ReturnType<typeof startTestServer>>;
let etcdServer: Awaited<ReturnType<typeof startTestServer>>;
let zkServer: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  server = await startTestServer();
  etcdServer = await startTestServer(etcdStoreArgs("raw-frames"));
  zkServer = await startTestServer(zkStoreArgs());
});
after(() => Promise.all([server.stop(), etcdServer.stop(), zkServer.stop()]));
targets.push({
  name: "real ZooKeeper",
  hostPort: () => {
    if (!process.env.KMETA_ZK) throw new Error("KMETA_ZK is not set: give the host:port of a ZooKeeper 3.8");
    return process.env.KMETA_ZK;
  },
});
targets.push({ name: "kmeta serve (memory)", hostPort: () => server.hostPort });
targets.push({ name: "kmeta serve (etcd)", hostPort: () => etcdServer.hostPort });
targets.push({ name: "kmeta serve (zk pass-through)", hostPort: () => zkServer.hostPort });

const root = () => `/raw-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const create = (path: string, flags = 0): ZkWireRequest => ({ type: OpCode.Create2, path, data: new Uint8Array([1]), acl: OPEN_ACL_UNSAFE, flags });

for (const target of targets) {
  describe(`raw frames: ${target.name}`, () => {
    it("create2 answers the created path and its stat; a ping answers at once", async () => {
      const c = await RawClient.open(target.hostPort());
      const hello = await c.connect();
      assert.ok(hello && hello.timeoutMs === 10000 && hello.sessionId !== 0n && hello.readOnly === false);
      const path = root();
      c.send(create(path));
      const created = await c.reply();
      assert.equal(created?.header.err, 0);
      assert.ok(created?.body?.type === OpCode.Create2);
      assert.equal(created.body.path, path);
      assert.equal(created.body.stat.czxid, created.header.zxid);
      assert.equal(created.body.stat.dataLength, 1);
      c.send({ type: OpCode.Ping }, Xid.Ping);
      const pong = await c.reply();
      assert.deepEqual([pong?.header.xid, pong?.header.err], [Xid.Ping, 0]);
      c.close();
    });

    it("a fired watch is notified once, before the reply of the write that fired it", async () => {
      const c = await RawClient.open(target.hostPort());
      await c.connect();
      const path = root();
      c.send(create(path));
      await c.reply();
      c.send({ type: OpCode.GetData, path, watch: true });
      await c.reply();
      c.send({ type: OpCode.Exists, path, watch: true }); // the same data watch: still one event
      await c.reply();
      c.send({ type: OpCode.SetData, path, data: new Uint8Array([2]), version: -1 });
      const first = await c.reply();
      assert.equal(first?.header.xid, Xid.Notification);
      assert.ok(first?.body?.type === OpCode.Notification);
      assert.deepEqual([first.body.event.type, first.body.event.path, first.body.event.state], [EventType.NodeDataChanged, path, 3]);
      assert.equal(first.header.zxid, -1n);
      const set = await c.reply();
      assert.equal(set?.header.err, 0);
      c.send({ type: OpCode.SetData, path, data: new Uint8Array([3]), version: -1 });
      const again = await c.reply();
      assert.notEqual(again?.header.xid, Xid.Notification, "a one-shot watch fired twice");
      c.close();
    });

    it("setWatches catches up on changes after the client's zxid, re-arms the rest", async () => {
      const a = await RawClient.open(target.hostPort());
      await a.connect();
      const path = root();
      a.send(create(path));
      const made = await a.reply();
      a.send(create(`${path}/kept`));
      await a.reply();
      a.send({ type: OpCode.SetData, path, data: new Uint8Array([9]), version: -1 });
      await a.reply();
      const b = await RawClient.open(target.hostPort());
      await b.connect();
      b.send({
        type: OpCode.SetWatches,
        relativeZxid: made!.header.zxid,
        dataWatches: [path, `${path}/gone`],
        existWatches: [`${path}/kept`, `${path}/later`],
        childWatches: [path],
      }, Xid.SetWatches);
      const events: [number, string][] = [];
      for (;;) {
        const r = await b.reply();
        if (r?.header.xid === Xid.SetWatches) {
          assert.equal(r.header.err, 0);
          break;
        }
        assert.ok(r?.body?.type === OpCode.Notification);
        events.push([r.body.event.type, r.body.event.path]);
      }
      assert.deepEqual(events.sort(), [
        [EventType.NodeCreated, `${path}/kept`],
        [EventType.NodeDataChanged, path],
        [EventType.NodeDeleted, `${path}/gone`],
        [EventType.NodeChildrenChanged, path],
      ].sort());
      a.send(create(`${path}/later`));
      await a.reply();
      const created = await b.reply();
      assert.ok(created?.body?.type === OpCode.Notification);
      assert.deepEqual([created.body.event.type, created.body.event.path], [EventType.NodeCreated, `${path}/later`]);
      a.close();
      b.close();
    });

    it("a wrong password is answered with timeout 0 and the connection closes; the session lives", async () => {
      const a = await RawClient.open(target.hostPort());
      const hello = (await a.connect())!;
      const b = await RawClient.open(target.hostPort());
      const refused = await b.connect(hello.sessionId, new Uint8Array(16).fill(7));
      assert.deepEqual([refused?.timeoutMs, refused?.sessionId], [0, 0n]);
      assert.equal(await b.reply(), undefined, "the refused connection stays open");
      const c = await RawClient.open(target.hostPort());
      const resumed = await c.connect(hello.sessionId, hello.passwd!);
      assert.equal(resumed?.sessionId, hello.sessionId);
      assert.equal(await a.reply(), undefined, "the first connection of a resumed session stays open");
      c.close();
    });

    it("a client that has seen a later zxid is refused without an answer", async () => {
      const c = await RawClient.open(target.hostPort());
      assert.equal(await c.connect(0n, new Uint8Array(16), 1n << 60n), undefined);
    });

    it("closeSession removes the session's ephemerals, notifying its own watches first", async () => {
      const c = await RawClient.open(target.hostPort());
      await c.connect();
      const path = root();
      c.send(create(path));
      await c.reply();
      c.send(create(`${path}/e`, 1));
      await c.reply();
      c.send({ type: OpCode.GetChildren, path, watch: true });
      await c.reply();
      c.send({ type: OpCode.CloseSession });
      const event = await c.reply();
      assert.ok(event?.body?.type === OpCode.Notification);
      assert.deepEqual([event.body.event.type, event.body.event.path], [EventType.NodeChildrenChanged, path]);
      const closed = await c.reply();
      assert.equal(closed?.header.err, 0);
      assert.equal(await c.reply(), undefined);
      const d = await RawClient.open(target.hostPort());
      await d.connect();
      d.send({ type: OpCode.GetChildren, path, watch: false });
      const children = await d.reply();
      assert.ok(children?.body?.type === OpCode.GetChildren);
      assert.deepEqual(children.body.children, []);
      d.close();
    });

    it("persistent watches stay; recursive ones cover the subtree without child events", async () => {
      const c = await RawClient.open(target.hostPort());
      await c.connect();
      const path = root();
      c.send(create(path));
      await c.reply();
      c.send({ type: OpCode.AddWatch, path, mode: 1 });
      assert.equal((await c.reply())?.header.err, 0);
      const b = await RawClient.open(target.hostPort());
      await b.connect();
      b.send({ type: OpCode.AddWatch, path, mode: 0 });
      assert.equal((await b.reply())?.header.err, 0);
      const events = async (client: RawClient, until: number) => {
        const seen: [number, string][] = [];
        for (;;) {
          const r = await client.reply();
          if (r?.body?.type !== OpCode.Notification) {
            assert.equal(r?.header.err, 0);
            if (--until === 0) return seen;
            continue;
          }
          seen.push([r.body.event.type, r.body.event.path]);
        }
      };
      c.send(create(`${path}/a`));
      c.send({ type: OpCode.SetData, path: `${path}/a`, data: null, version: -1 });
      c.send({ type: OpCode.Delete, path: `${path}/a`, version: -1 });
      c.send({ type: OpCode.SetData, path, data: null, version: -1 });
      assert.deepEqual(await events(c, 4), [
        [EventType.NodeCreated, `${path}/a`],
        [EventType.NodeDataChanged, `${path}/a`],
        [EventType.NodeDeleted, `${path}/a`],
        [EventType.NodeDataChanged, path],
      ]);
      b.send({ type: OpCode.Sync, path });
      assert.deepEqual(await events(b, 1), [
        [EventType.NodeChildrenChanged, path],
        [EventType.NodeChildrenChanged, path],
        [EventType.NodeDataChanged, path],
      ]);
      // 3.8's WatcherType knows Children, Data and Any only: the persistent types are refused.
      b.send({ type: OpCode.CheckWatches, path, watcherType: 4 });
      assert.equal((await b.reply())?.header.err, ErrorCode.MarshallingError, "checkWatches Persistent");
      b.send({ type: OpCode.RemoveWatches, path, watcherType: 5 });
      assert.equal((await b.reply())?.header.err, ErrorCode.MarshallingError, "removeWatches PersistentRecursive");
      b.send({ type: OpCode.CheckWatches, path, watcherType: 2 });
      assert.equal((await b.reply())?.header.err, 0, "checkWatches Data finds the persistent watch");
      b.send({ type: OpCode.RemoveWatches, path, watcherType: 3 });
      assert.equal((await b.reply())?.header.err, 0, "removeWatches Any");
      const after: (number | undefined)[] = [];
      for (const [type, watcherType] of [[17, 1], [17, 2], [18, 1], [17, 1], [18, 2]] as const) {
        b.send({ type, path, watcherType });
        after.push((await b.reply())?.header.err);
      }
      // Measured on 3.8.0: checks see a persistent watch, removals by Children or Data do not take it,
      // and Any answers OK while it stays.
      assert.deepEqual(after, [0, 0, ErrorCode.NoWatcher, 0, ErrorCode.NoWatcher]);
      c.close();
      b.close();
    });

    it("getEphemerals, getAllChildrenNumber, whoAmI and multiRead answer as 3.6+ servers do", async () => {
      const c = await RawClient.open(target.hostPort());
      await c.connect();
      const path = root();
      c.send(create(path));
      c.send(create(`${path}/e1`, 1));
      c.send(create(`${path}/p`));
      c.send(create(`${path}/p/e2`, 1));
      for (let i = 0; i < 4; i++) await c.reply();
      c.send({ type: OpCode.GetEphemerals, prefixPath: path });
      const eph = await c.reply();
      assert.ok(eph?.body?.type === OpCode.GetEphemerals);
      assert.deepEqual(eph.body.ephemerals.sort(), [`${path}/e1`, `${path}/p/e2`]);
      c.send({ type: OpCode.GetAllChildrenNumber, path });
      const count = await c.reply();
      assert.ok(count?.body?.type === OpCode.GetAllChildrenNumber);
      assert.equal(count.body.totalNumber, 3);
      c.send({ type: OpCode.WhoAmI });
      const who = await c.reply();
      assert.ok(who?.body?.type === OpCode.WhoAmI);
      assert.deepEqual(who.body.clientInfo, [{ authScheme: "ip", user: "127.0.0.1" }]);
      c.send({ type: OpCode.MultiRead, ops: [{ type: OpCode.GetData, path, watch: false }, { type: OpCode.GetChildren, path: `${path}/none`, watch: false }] });
      const multi = await c.reply();
      assert.ok(multi?.body?.type === OpCode.MultiRead);
      assert.deepEqual(multi.body.results.map((r) => r.type), [OpCode.GetData, OpCode.Error]);
      assert.deepEqual(multi.body.results[1], { type: OpCode.Error, err: ErrorCode.NoNode });
      c.close();
    });

    it("an unknown op code is answered Unimplemented, then the connection closes", async () => {
      const c = await RawClient.open(target.hostPort());
      await c.connect();
      c.sendHeaderOnly(99);
      const r = await c.reply();
      assert.equal(r?.header.err, ErrorCode.Unimplemented);
      assert.equal(await c.reply(), undefined);
    });
  });
}
