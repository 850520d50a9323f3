// A loopback TCP proxy that tests put between a client and its ZooKeeper to break the link on demand.
// node:net only, so it runs on Node, Deno and Bun.
//
// `cut()` models what a ZooKeeper client meets in a partition, in two flavours:
// - "reset" (default): live connections are reset (RST) on both sides and new connections are
//   refused, so the client sees ConnectionLoss at once and every reconnect fails fast. The server
//   sees its end close too; the session lives on until its timeout, as after a real partition.
// - "blackhole": nothing moves any more. Live connections stay open but bytes are dropped both ways
//   and new connections are accepted and never forwarded, so only the client's own timeouts (ping,
//   read, connect) notice. Bytes lost mid-stream cannot be replayed, so a blackholed connection
//   stays dead after `restore()`; only new connections go through again.
// `drop()` is a blip rather than a partition: live connections are reset, new ones go through.
import net from "node:net";

/** How `cut()` breaks the link; see the module comment. */
export type CutMode = "reset" | "blackhole";

/** A running proxy. */
export interface TcpProxy {
  /** The loopback port clients connect to. */
  readonly port: number;
  /** Breaks every connection through the proxy and refuses ("reset") or swallows ("blackhole") new ones. */
  cut(mode?: CutMode): void;
  /** Resets every live connection and keeps forwarding new ones (a link that drops and comes back). */
  drop(): void;
  /** Forwards new connections again; resolves once the proxy accepts them. */
  restore(): Promise<void>;
  /** Resets everything and stops listening. */
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (port `listenPort`, default any free one) to `targetHost:targetPort`. */
export async function startProxy(targetHost: string, targetPort: number, options: { listenPort?: number } = {}): Promise<TcpProxy> {
  let state: "open" | CutMode | "closed" = "open";
  const live = new Set<net.Socket>(); // every socket we own, client and upstream sides
  const track = (s: net.Socket): net.Socket => {
    live.add(s);
    s.on("close", () => live.delete(s));
    s.on("error", () => {}); // errors end in `close`; the other side is handled there
    return s;
  };
  // A reset, not a FIN: the client must see a broken link, not a server that hung up politely.
  const reset = (s: net.Socket): void => {
    // Node 20 fails to destroy a socket that already sent its FIN through resetAndDestroy, leaving
    // its handle open (the test process then never exits): reset only what is still writable.
    if (typeof s.resetAndDestroy === "function" && !s.destroyed && !s.writableEnded) s.resetAndDestroy();
    else s.destroy();
  };
  const swallow = (s: net.Socket): void => {
    s.removeAllListeners("data");
    s.unpipe();
    s.on("data", () => {});
    s.resume();
  };

  const server = net.createServer({ noDelay: true }, (client) => {
    track(client);
    if (state === "blackhole") return swallow(client);
    if (state !== "open") return reset(client);
    client.pause(); // hold early bytes (the ConnectRequest) until upstream is connected
    const upstream = track(net.connect({ host: targetHost, port: targetPort, noDelay: true }));
    upstream.once("connect", () => {
      if (state !== "open") return;
      client.pipe(upstream);
      upstream.pipe(client);
    });
    // A failure or close on one side ends the other the same way: reset for errors, FIN for a close.
    client.on("close", (hadError) => (hadError ? reset(upstream) : upstream.end()));
    upstream.on("close", (hadError) => (hadError ? reset(client) : client.end()));
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  const port = await listen(options.listenPort ?? 0);

  return {
    port,
    cut(mode = "reset") {
      if (state === "closed") return;
      if (mode === "reset") {
        // Not listening means the kernel refuses new connections: connect fails fast.
        if (server.listening) server.close();
        for (const s of live) reset(s);
      } else {
        for (const s of live) swallow(s);
      }
      state = mode;
    },
    drop() {
      for (const s of live) reset(s);
    },
    async restore() {
      if (state === "closed") return;
      if (!server.listening) await listen(port);
      state = "open";
    },
    async close() {
      const was = state;
      state = "closed";
      for (const s of live) reset(s);
      if (was !== "reset" && server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
