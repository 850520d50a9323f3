// A loopback TCP proxy whose connections a test can cut or freeze, to break HTTP/2 sessions and
// HTTP/1.1 connections on purpose.
import net from "node:net";

export interface TcpProxy {
  readonly port: number;
  /** Destroys every open connection (both sides); new connections are still accepted. */
  cut(): void;
  /**
   * Stops forwarding on open connections without closing them: a silently dead network path. With
   * `match`, only on connections whose latest HTTP/1.1 request line (e.g. "POST /v3/watch HTTP/1.1")
   * it accepts; the others keep working.
   */
  freeze(match?: (requestLine: string) => boolean): void;
  close(): Promise<void>;
}

export async function startTcpProxy(listenPort: number, target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; requestLine: string }>();
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
    const pair = { client, upstream, requestLine: "" };
    pairs.add(pair);
    // A chunk that opens a request starts with its method (keep-alive connections carry several).
    client.on("data", (chunk: Uint8Array) => {
      const head = new TextDecoder().decode(chunk.subarray(0, 200));
      if (/^[A-Z]+ \S+ HTTP\/1\.1\r\n/.test(head)) pair.requestLine = head.slice(0, head.indexOf("\r\n"));
    });
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
    freeze: (match) => {
      for (const pair of pairs) {
        if (match && !match(pair.requestLine)) continue;
        const { client: a, upstream: b } = pair;
        a.unpipe(b);
        b.unpipe(a);
        // Keep reading and dropping, so neither side sees back-pressure or a close.
        a.on("data", () => {});
        b.on("data", () => {});
        pairs.delete(pair);
      }
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
