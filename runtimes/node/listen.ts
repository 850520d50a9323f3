// Listen on Node: node:net, or node:tls with a certificate; accepted sockets become ServerChannels.
import * as net from "node:net";
import * as tls from "node:tls";
import type { Listen } from "../../core/transport.ts";
import { hostPort, serverChannel } from "../common/channel_util.ts";
import { socketChannel } from "./tcp.ts";

/** Listens for ZooKeeper clients (or metrics scrapers) on Node. */
export const listen: Listen = (options, onChannel) =>
  new Promise((resolve, reject) => {
    const accept = (socket: net.Socket) => {
      socket.setNoDelay(true);
      const address = socket.remoteAddress ?? "", port = socket.remotePort ?? 0;
      onChannel(serverChannel(socketChannel(socket, hostPort(address || "?", port)), address, port));
    };
    const server = options.tls
      ? tls.createServer({
        cert: options.tls.cert,
        key: options.tls.key,
        ca: options.tls.ca,
        requestCert: options.tls.ca !== undefined,
        rejectUnauthorized: options.tls.requireClientCert ?? false,
      }, accept)
      : net.createServer(accept);
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      // A failed TLS handshake or a reset before accept is the client's problem, not the server's.
      server.on("error", () => {});
      server.on("tlsClientError", () => {});
      const address = server.address() as net.AddressInfo;
      resolve({
        host: address.address,
        port: address.port,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
