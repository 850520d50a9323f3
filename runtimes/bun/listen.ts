/// <reference path="./_bun.d.ts" />
// Listen on Bun.listen (TLS through its `tls` option); accepted sockets become ServerChannels.
import type { Listen } from "../../core/transport.ts";
import { hostPort, serverChannel } from "../common/channel_util.ts";
import { type BunChannel, createChannel } from "./tcp.ts";

/** Listens for ZooKeeper clients (or metrics scrapers) on Bun. */
export const listen: Listen = (options, onChannel) => {
  // Bun.listen's handlers serve every socket: each socket's channel is found here.
  const channels = new Map<Bun.Socket, BunChannel>();
  const open = new Set<Promise<void>>();
  const tls = options.tls;
  let listener: Bun.TCPSocketListener;
  try {
    listener = Bun.listen({
      hostname: options.host,
      port: options.port,
      tls: tls && {
        cert: tls.cert,
        key: tls.key,
        ca: tls.ca,
        requestCert: tls.ca !== undefined,
        rejectUnauthorized: tls.requireClientCert ?? false,
      },
      socket: {
        open(socket) {
          const { remoteAddress, remotePort } = socket;
          let ended!: () => void;
          const done = new Promise<void>((resolve) => (ended = resolve));
          open.add(done);
          const channel = createChannel(hostPort(remoteAddress, remotePort), () => {
            channels.delete(socket);
            open.delete(done);
            ended();
          });
          channel.attach(socket);
          channels.set(socket, channel);
          onChannel(serverChannel(channel.api, remoteAddress, remotePort));
        },
        data: (socket, data) => channels.get(socket)?.push(data),
        drain: (socket) => channels.get(socket)?.drain(),
        end: (socket) => socket.end(), // the peer is done; `close` follows and ends `incoming`
        error: (socket, e) => channels.get(socket)?.fail(e),
        close: (socket, e) => channels.get(socket)?.finish(e),
      },
    });
  } catch (e) {
    // Bun's message names the host only ("Failed to listen at 127.0.0.1"); its code says why.
    const code = (e as { code?: string }).code ?? "failed";
    return Promise.reject(new Error(`${(e as Error).message}:${options.port} (${code})`, { cause: e }));
  }
  return Promise.resolve({
    host: listener.hostname,
    port: listener.port,
    // As node:net's close: stops accepting, then waits for the accepted connections to end.
    async close() {
      listener.stop();
      await Promise.all(open);
    },
  });
};
