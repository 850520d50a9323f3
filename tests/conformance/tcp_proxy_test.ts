// Runs on Node, Deno and Bun (node:net only); the ZooKeeper check needs KMETA_ZK=host:port.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import process from "node:process";
import { startProxy, type TcpProxy } from "./tcp_proxy.ts";

/** Connects to the proxy; resolves with the socket once connected, rejects with the error code. */
function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port }, () => resolve(s));
    s.once("error", (e: NodeJS.ErrnoException) => reject(new Error(e.code ?? e.message)));
  });
}

/** Sends `text` and collects what comes back within `ms` (or until the peer closes). */
function exchange(s: net.Socket, text: string, ms = 300): Promise<{ reply: string; error?: string; closed: boolean }> {
  return new Promise((resolve) => {
    let reply = "";
    let error: string | undefined;
    const done = (closed: boolean) => {
      clearTimeout(timer);
      s.removeAllListeners("data");
      resolve({ reply, error, closed });
    };
    const timer = setTimeout(() => done(false), ms);
    // A complete echo needs no waiting out `ms`.
    s.on("data", (d: Uint8Array) => {
      reply += new TextDecoder().decode(d);
      if (reply === text) done(false);
    });
    s.on("error", (e: NodeJS.ErrnoException) => (error = e.code));
    s.once("close", () => done(true));
    s.write(text);
  });
}

describe("startProxy()", () => {
  let echo: net.Server;
  let proxy: TcpProxy;
  const clients = new Set<net.Socket>();
  const open = async () => {
    const s = await connect(proxy.port);
    clients.add(s);
    return s;
  };

  before(async () => {
    echo = net.createServer((s) => {
      clients.add(s);
      s.on("error", () => {});
      s.pipe(s);
    });
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    proxy = await startProxy("127.0.0.1", (echo.address() as net.AddressInfo).port);
  });
  after(async () => {
    await proxy.close();
    for (const s of clients) s.destroy();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it("forwards bytes both ways", async () => {
    const s = await open();
    assert.equal((await exchange(s, "hello", 5000)).reply, "hello");
    s.destroy();
  });

  it("cut() resets live connections and refuses new ones; restore() lets them through again", async () => {
    const s = await open();
    assert.equal((await exchange(s, "before", 5000)).reply, "before");
    proxy.cut();
    const broken = await exchange(s, "during", 1000);
    assert.equal(broken.closed, true, "the live connection was closed");
    // The reset shows as ECONNRESET on read, or EPIPE when the write hits it first (Deno).
    assert.ok(broken.error === "ECONNRESET" || broken.error === "EPIPE", `error ${broken.error}`);
    const t0 = performance.now();
    await assert.rejects(open(), /ECONNREFUSED/);
    assert.ok(performance.now() - t0 < 500, "a new connection fails fast");
    await proxy.restore();
    assert.equal((await exchange(await open(), "after", 5000)).reply, "after");
  });

  it("cut(\"blackhole\") drops bytes on live and new connections until restore()", async () => {
    const s = await open();
    assert.equal((await exchange(s, "before", 5000)).reply, "before");
    proxy.cut("blackhole");
    assert.deepEqual(await exchange(s, "during", 300), { reply: "", error: undefined, closed: false });
    const fresh = await open(); // accepted, then silent
    assert.deepEqual(await exchange(fresh, "new", 300), { reply: "", error: undefined, closed: false });
    await proxy.restore();
    assert.equal((await exchange(s, "late", 200)).reply, "", "a blackholed connection stays dead");
    assert.equal((await exchange(await open(), "after", 5000)).reply, "after");
  });

  it("forwards a ZooKeeper `ruok`", async () => {
    const zk = process.env.KMETA_ZK;
    assert.ok(zk, "KMETA_ZK (host:port of a test ZooKeeper) is not set");
    const i = zk.lastIndexOf(":");
    const zkProxy = await startProxy(zk.slice(0, i), Number(zk.slice(i + 1)));
    try {
      const s = await connect(zkProxy.port);
      const result = await exchange(s, "ruok", 2000);
      assert.deepEqual(result, { reply: "imok", error: undefined, closed: true });
    } finally {
      await zkProxy.close();
    }
  });

  it("close() stops listening", async () => {
    const p = await startProxy("127.0.0.1", (echo.address() as net.AddressInfo).port);
    await p.close();
    await assert.rejects(connect(p.port), /ECONNREFUSED/);
  });
});
