// A loopback TCP proxy whose connections a test can cut, to break HTTP/2 sessions on purpose.
import net from "node:net";

export interface TcpProxy {
  readonly port: number;
  /** Destroys every open connection (both sides); new connections are still accepted. */
  cut(): void;
  /** Stops forwarding on open connections without closing them: a silently dead network path. */
  freeze(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(listenPort: number, target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const pairs = new Set<[net.Socket, net.Socket]>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => s.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    pairs.add([client, upstream]);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listenPort, "127.0.0.1", resolve);
  });
  return {
    port: listenPort,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    freeze: () => {
      for (const [a, b] of pairs) {
        a.unpipe(b);
        b.unpipe(a);
        // Keep reading and dropping, so neither side sees back-pressure or a close.
        a.on("data", () => {});
        b.on("data", () => {});
      }
      pairs.clear();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
