// The etcd:// store factory behind every entry's connect(): etcd's gRPC API (where the entry brings
// that transport) or its JSON gateway over fetch, under the ZooKeeper semantics of core/etcd.
// Imports nothing from node:: the gRPC transport comes in as a parameter, so the browser entry uses
// this file without it (etcd_stores.ts is the one with gRPC).
import type { Clock } from "../../core/clock.ts";
import type { EtcdFetch, StoreFactory } from "../../core/connect.ts";
import type { EtcdApi } from "../../core/etcd/api.ts";
import { createEtcdStore } from "../../core/etcd/etcd_store.ts";
import { ErrorCode, KeeperError } from "../../core/errors.ts";
import type { TlsOptions } from "../../core/transport.ts";
import { hostPort } from "./channel_util.ts";
import { createGatewayEtcdApi, type GatewayEtcdApiOptions } from "./etcd/gateway_api.ts";
import type { GrpcEtcdApiOptions } from "./etcd/grpc_api.ts";
import { reportingEtcdApi } from "./etcd/connect_errors.ts";

/** A fetch that presents `tls` (trusted CA, client certificate); `release` frees what it holds. */
export type TlsFetch = (tls: TlsOptions) => { fetch: EtcdFetch; release?: () => void };

/** What a runtime entry brings for etcd. */
export interface EtcdTransports {
  /** The transport `etcd.transport` defaults to. */
  defaultTransport: "grpc" | "gateway";
  /** The gRPC transport, where the runtime has node:http2. */
  grpc?: (options: GrpcEtcdApiOptions) => EtcdApi;
  /** How this runtime's fetch takes TLS options, where it can. */
  tlsFetch?: TlsFetch;
  /** Without `tlsFetch`: what to do instead, for the BadArguments message. */
  noTlsFetch: string;
}

function badArguments(message: string): KeeperError {
  return new KeeperError(ErrorCode.BadArguments, message);
}

/** True when `tls` asks for more than https with the system's trust. */
function customTls(tls: TlsOptions | undefined): boolean {
  return tls !== undefined && (tls.ca !== undefined || tls.cert !== undefined || tls.key !== undefined || tls.serverName !== undefined);
}

/** The fetch for the gateway transport: the caller's, the runtime's TLS-aware one, or the global one. */
function gatewayFetch(etcd: { tls?: TlsOptions; fetch?: EtcdFetch }, transports: EtcdTransports): Partial<GatewayEtcdApiOptions> {
  if (etcd.fetch) {
    if (customTls(etcd.tls)) {
      throw badArguments("Pass either etcd.fetch or etcd.tls options: the fetch given makes its own TLS connections");
    }
    return { fetch: etcd.fetch };
  }
  if (!customTls(etcd.tls)) return {};
  if (!transports.tlsFetch) throw badArguments(`etcd TLS options over the gateway transport need a fetch that takes them: ${transports.noTlsFetch}`);
  return transports.tlsFetch(etcd.tls!);
}

/**
 * `etcd://h1:2379,h2:2379/chroot` -> a store over those endpoints (plain HTTP), keys under "kmeta/";
 * `etcds://` or `options.etcd.tls` -> https with those TLS options; `options.etcd.username` -> etcd auth.
 * @throws {KeeperError} BadArguments for a transport this runtime lacks or options it cannot honour.
 */
export function etcdStoreFactory(clock: Clock, transports: EtcdTransports): StoreFactory {
  return (target, options) => {
    const etcd = options.etcd ?? {};
    const { transport = transports.defaultTransport, requestTimeoutMs, username, password } = etcd;
    const tls = etcd.tls ?? (target.tls ? {} : undefined);
    const scheme = tls ? "https" : "http";
    const endpoints = target.hosts.map((h) => `${scheme}://${hostPort(h.host, h.port)}`);
    let api: EtcdApi;
    if (transport === "gateway") {
      api = createGatewayEtcdApi({ endpoints, requestTimeoutMs, username, password, ...gatewayFetch(etcd, transports) });
    } else if (etcd.fetch) {
      throw badArguments('etcd.fetch is for the gateway transport: set etcd.transport to "gateway"');
    } else if (!transports.grpc) {
      throw badArguments('etcd\'s gRPC transport needs node:http2, which this runtime does not have: use transport "gateway"');
    } else {
      api = transports.grpc({ endpoints, requestTimeoutMs, tls, username, password });
    }
    const report = options.onConnectionError;
    return createEtcdStore({ api: report ? reportingEtcdApi(api, endpoints, report) : api, clock, random: Math.random });
  };
}
