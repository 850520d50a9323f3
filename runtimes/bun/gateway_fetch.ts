/// <reference path="./_bun.d.ts" />
// etcd's JSON gateway over TLS on Bun: its fetch takes TLS options (CA, client certificate, server
// name) with each request, as `init.tls`.
import type { TlsFetch } from "../common/etcd_store_factory.ts";

/** A fetch presenting `tls`. */
export const tlsFetch: TlsFetch = (tls) => {
  const options = { ...tls };
  return { fetch: (url, init) => fetch(url, { ...init, tls: options }) };
};
