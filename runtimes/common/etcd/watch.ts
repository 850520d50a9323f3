// WatchStream over one bidi Watch.Watch call. A pump reads the call from the moment it opens and
// buffers responses, so watches are registered at once even before the caller starts iterating.
import type * as api from "../../../core/etcd/api.ts";
import { GrpcCode } from "../../../core/etcd/api.ts";
import { EtcdError } from "../../../core/errors.ts";
import { PushQueue } from "./_queue.ts";
import { fromWatchResponse, toWatchCreate, type WatchRequestInit } from "./convert.ts";
import type { EndpointPool } from "./endpoints.ts";
import { handshakeFailed, neverSent, toEtcdError } from "./errors.ts";
import { TokenAuth } from "./auth.ts";

/**
 * Opens a watch stream on the pool's current endpoint. Watch ids: etcd 3.4 honours a client-chosen
 * `watchId` on create (the store should always pick one); without one the server numbers watches
 * 0, 1, 2… per stream in the order of the creates.
 * @param onClose called once when the stream ends for any reason (the API forgets it then).
 * @param auth the token goes in the stream's headers, so it is fetched before the stream opens. etcd
 * checks it on each create and answers a stale one with a create response that is cancelled with
 * "invalid auth token": that token is reported refused, and the caller's next stream gets a new one.
 */
export function openWatchStream(
  pool: EndpointPool,
  onClose: (stream: api.WatchStream) => void,
  auth?: TokenAuth,
): api.WatchStream {
  const out = new PushQueue<api.WatchResponse>();
  const abort = new AbortController();
  // Every request since the stream opened, until the first response proves the server has it:
  // if the connection could not even be made, they are replayed on the next endpoint.
  let unconfirmed: WatchRequestInit[] | undefined = [];
  let requests = new PushQueue<WatchRequestInit>();
  let closed = false;

  const send = (request: WatchRequestInit): void => {
    if (closed) throw new EtcdError(GrpcCode.Cancelled, "Watch stream is closed");
    unconfirmed?.push(request);
    requests.push(request);
  };

  const finish = (error?: EtcdError): void => {
    if (closed) return;
    closed = true;
    abort.abort();
    requests.end();
    out.end(error);
    onClose(stream);
  };

  const pump = async (): Promise<void> => {
    for (let attempt = 1;; attempt++) {
      let token = "";
      try {
        token = auth ? await auth.token() : "";
      } catch (e) {
        return finish(toEtcdError(e));
      }
      if (closed) return;
      const endpoint = pool.current();
      try {
        for await (const r of endpoint.watch.watch(requests, { signal: abort.signal, headers: TokenAuth.headers(token) })) {
          unconfirmed = undefined;
          if (r.canceled && /invalid auth token/.test(r.cancelReason)) auth?.refused(token);
          out.push(fromWatchResponse(r));
        }
        // etcd never ends a watch stream by itself; treat a clean end like a lost connection.
        return finish(new EtcdError(GrpcCode.Unavailable, `Watch stream to "${endpoint.url}" ended`));
      } catch (e) {
        if (closed) return;
        const err = toEtcdError(e);
        if (err.grpcCode === GrpcCode.Unavailable) pool.failed(endpoint);
        if (unconfirmed !== undefined && (neverSent(err) || handshakeFailed(err)) && attempt < pool.size) {
          requests = new PushQueue();
          for (const r of unconfirmed) requests.push(r);
          continue;
        }
        return finish(err);
      }
    }
  };

  const stream: api.WatchStream = {
    create: (request) => send(toWatchCreate(request)),
    cancel: (watchId) => send({ requestUnion: { case: "cancelRequest", value: { watchId } } }),
    responses: out,
    close: () => finish(),
  };
  void pump();
  return stream;
}
