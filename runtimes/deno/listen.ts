// Listen on Deno's own sockets (Deno.listen / Deno.listenTls); accepted sockets become ServerChannels.
import type { Listen } from "../../core/transport.ts";
import { hostPort, serverChannel } from "../common/channel_util.ts";
import { listen as nodeListen } from "../node/listen.ts";
import { createChannel } from "./tcp.ts";

/**
 * Listens for ZooKeeper clients (or metrics scrapers) on Deno. Deno.listenTls can neither ask for
 * nor verify client certificates (Deno 2.9), so a TLS listener with a CA is Deno's node:tls, which can.
 */
export const listen: Listen = async (options, onChannel) => {
  if (options.tls?.ca !== undefined) return await nodeListen(options, onChannel);
  const where = { hostname: options.host, port: options.port };
  const listener = options.tls ? Deno.listenTls({ ...where, cert: options.tls.cert, key: options.tls.key }) : Deno.listen(where);
  const open = new Set<Promise<void>>();
  let closed = false;
  const accepting = (async () => {
    while (!closed) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        // Closing the listener rejects the pending accept; any other failure (a reset before
        // accept, too many open files) is one client's, so accepting goes on.
        if (closed) return;
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
      const { hostname, port } = conn.remoteAddr;
      let ended!: () => void;
      const done = new Promise<void>((resolve) => (ended = resolve));
      open.add(done);
      const channel = createChannel(conn, hostPort(hostname, port), () => {
        open.delete(done);
        ended();
      });
      onChannel(serverChannel(channel, hostname, port));
    }
  })();
  return {
    host: listener.addr.hostname,
    port: listener.addr.port,
    // As node:net's close: stops accepting, then waits for the accepted connections to end.
    async close() {
      closed = true;
      listener.close();
      await accepting;
      await Promise.all(open);
    },
  };
};
