// etcd's JSON gateway over TLS on Deno: its fetch takes a private CA and a client certificate
// through a Deno.HttpClient, one per etcd client, closed with it.
import { ErrorCode, KeeperError } from "../../core/errors.ts";
import type { TlsFetch } from "../common/etcd_store_factory.ts";

/**
 * A fetch presenting `tls`. HTTP/1.1 only, as on every other runtime: each watch then has its own
 * connection, which an abort drops and the watch probe can judge on its own; over HTTP/2 every call
 * would share one connection, and a silently dead one would stall them all.
 * @throws {KeeperError} BadArguments for a serverName (Deno checks the URL's host) or a cert without its key.
 */
export const tlsFetch: TlsFetch = (tls) => {
  if (tls.serverName !== undefined) {
    throw new KeeperError(
      ErrorCode.BadArguments,
      `Deno's fetch verifies the URL's host only: etcd.tls.serverName "${tls.serverName}" needs the gRPC transport`,
    );
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new KeeperError(ErrorCode.BadArguments, "etcd.tls needs cert and key together");
  }
  const options: Deno.CreateHttpClientOptions = { http1: true, http2: false };
  // Added to the system's roots (node:tls's `ca`, on the gRPC transport, replaces them).
  if (tls.ca !== undefined) options.caCerts = [tls.ca];
  const client = tls.cert !== undefined && tls.key !== undefined
    ? Deno.createHttpClient({ ...options, cert: tls.cert, key: tls.key })
    : Deno.createHttpClient(options);
  return {
    fetch: (url, init) => fetch(url, { ...init, client }),
    release: () => client.close(),
  };
};
