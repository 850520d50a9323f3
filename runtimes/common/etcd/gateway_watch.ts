// WatchStream over etcd's JSON gateway: one long POST to /v3/watch per created watch, whose response
// streams `{"result":…}` objects until the POST is aborted (the gateway answers only once a request
// body has ended, so a POST cannot carry a later cancel_request: cancelling aborts it). Each open
// watch holds one HTTP/1.1 connection, and nothing pings it: a quiet watch is probed
// (core/etcd/watch_liveness.ts) and resumed from its last delivered revision when its connection
// turns out to be dead.
import type * as api from "../../../core/etcd/api.ts";
import { GrpcCode } from "../../../core/etcd/api.ts";
import { EtcdError } from "../../../core/errors.ts";
import {
  decodeRange,
  decodeWatchResponse,
  encodeWatchCreate,
  encodeWatchProbe,
  errorFromResponse,
} from "../../../core/etcd/gateway_json.ts";
import { type LivenessOptions, type ProbeResult, WatchLiveness } from "../../../core/etcd/watch_liveness.ts";
import { PushQueue } from "./_queue.ts";
import { isStaleTokenReason } from "./auth.ts";
import { type Call, GatewayHttp, handshakeFailed, neverSent } from "./gateway_http.ts";

/** One created watch and the POST now carrying it. */
interface Watch {
  readonly id: bigint;
  readonly request: api.WatchCreateRequest;
  call: Call;
  cancelled: boolean;
}

/** The highest revision among a response's events (0 for none). */
function lastEventRevision(r: api.WatchResponse): bigint {
  let revision = 0n;
  for (const e of r.events) if (e.kv.modRevision > revision) revision = e.kv.modRevision;
  return revision;
}

/**
 * Opens a watch stream on `http`'s endpoints. `liveness` undefined: no probes. A broken POST ends the
 * whole stream with Unavailable (as a broken gRPC stream does); a dead one found by the probe does
 * not: it is aborted and sent again from its last delivered revision, invisibly to the reader.
 * @param onClose called once when the stream ends for any reason.
 */
export function openGatewayWatch(
  http: GatewayHttp,
  liveness: LivenessOptions | undefined,
  onClose: (stream: api.WatchStream) => void,
): api.WatchStream {
  const out = new PushQueue<api.WatchResponse>();
  const watches = new Map<bigint, Watch>();
  let nextId = 0n;
  let done = false;

  const finish = (error?: EtcdError): void => {
    if (done) return;
    done = true;
    for (const w of watches.values()) {
      w.cancelled = true;
      http.stop(w.call, "cancelled");
    }
    watches.clear();
    out.end(error);
    onClose(stream);
  };

  /** Whether a key of the range changed after `afterRevision`, through the unary path (token, fail-over). */
  async function probe(w: Watch, afterRevision: bigint): Promise<ProbeResult> {
    try {
      const r = await http.unary(true, "/v3/kv/range", encodeWatchProbe(w.request, afterRevision), GatewayHttp.json(decodeRange));
      return r.kvs.length > 0 ? "changed" : "unchanged";
    } catch (e) {
      const code = (e as EtcdError).grpcCode;
      // No etcd answered: the watch's own connection is most likely gone too. Anything else (a
      // refused permission…) says nothing about the watch.
      return code === GrpcCode.Unavailable || code === GrpcCode.DeadlineExceeded ? "unreachable" : "unchanged";
    }
  }

  /** Runs watch `w` until it is cancelled or breaks; a break ends the whole stream. */
  async function pump(w: Watch): Promise<void> {
    // The start revision of the next POST: the caller's, then the resume point.
    let from = w.request.startRevision;
    let resumed = false;
    let reauthenticated = false;
    for (let attempt = 1;;) {
      if (done || w.cancelled) return;
      const call = w.call;
      const url = http.endpoints.current();
      let token = "";
      try {
        if (http.auth.enabled) token = await http.auth.token();
      } catch (e) {
        return finish(e instanceof EtcdError ? e : http.failure(e, call, url, "/v3/auth/authenticate"));
      }
      if (done || w.cancelled) return;
      // Bounds the wait for the response to start; a started watch may then idle for ever.
      const startTimer = setTimeout(() => http.stop(call, "timeout"), http.timeoutMs);
      let alive: WatchLiveness | undefined;
      let probeTimer: ReturnType<typeof setTimeout> | undefined;
      let retryWithNewToken = false;
      const schedule = (): void => {
        clearTimeout(probeTimer);
        const due = alive?.deadline();
        if (due !== undefined) probeTimer = setTimeout(check, Math.max(0, due - performance.now()));
      };
      const check = (): void => {
        if (!alive || call.stop) return;
        const action = alive.tick(performance.now());
        if (action?.kind === "resume") {
          from = action.fromRevision;
          http.stop(call, "restart");
          return;
        }
        if (action?.kind === "probe") {
          const probed = alive;
          void probe(w, action.afterRevision).then((result) => {
            if (call.stop || alive !== probed) return;
            probed.probed(performance.now(), action.afterRevision, result);
            check();
          });
        }
        schedule();
      };
      try {
        const body = encodeWatchCreate({ ...w.request, startRevision: from, watchId: w.id });
        const response = await http.post(url, "/v3/watch", body, call, token);
        clearTimeout(startTimer);
        if (!response.ok) throw errorFromResponse(response.status, await response.text());
        const canceled = await http.readObjects(response, (json) => {
          const r = decodeWatchResponse(json);
          if (done || call.stop) return false;
          if (r.created) {
            if (r.canceled && isStaleTokenReason(r.cancelReason)) {
              http.auth.refused(token);
              // etcd forgot the token: this watch was never made, so make it again (once) with a new one.
              if (!reauthenticated) {
                reauthenticated = retryWithNewToken = true;
                return false;
              }
            } else reauthenticated = false;
            if (liveness) {
              // Without a start revision etcd watches from after the revision in this header.
              alive = new WatchLiveness(liveness, performance.now(), from ? from - 1n : r.header.revision);
              schedule();
            }
            // A resumed POST is the same watch to the reader: its second `created` is not news.
            if (resumed && !r.canceled) return true;
          } else alive?.heard(performance.now(), lastEventRevision(r));
          // Each POST carries one watch, so its answers are its own; progress notifications keep -1.
          if (r.watchId !== -1n || r.created || r.canceled) r.watchId = w.id;
          out.push(r);
          // Cancelled by etcd (e.g. a compacted start revision): nothing more comes, but the
          // gateway keeps the response open.
          return !r.canceled;
        });
        if (done || w.cancelled) return;
        if (retryWithNewToken || call.stop === "restart") {
          // A restart follows a created answer the reader has seen; a token retry comes before it.
          if (!retryWithNewToken) resumed = true;
          http.stop(call, "restart");
          w.call = http.begin();
          continue;
        }
        if (canceled) {
          watches.delete(w.id);
          http.stop(call, "cancelled");
          return;
        }
        // etcd never ends a watch by itself; treat a clean end like a lost connection.
        return finish(new EtcdError(GrpcCode.Unavailable, `Watch stream to "${url}" ended`));
      } catch (e) {
        clearTimeout(startTimer);
        if (done || w.cancelled || call.stop === "cancelled" || call.stop === "closed") return;
        if (call.stop === "restart") {
          resumed = true;
          w.call = http.begin();
          continue;
        }
        const err = http.failure(e, call, url, "/v3/watch");
        const tls = handshakeFailed(err);
        if (err.grpcCode === GrpcCode.Unavailable || tls) {
          http.endpoints.failed(url);
          // Nothing reached etcd: the next endpoint may take it.
          if ((tls || neverSent(e)) && attempt++ < http.endpoints.size) {
            w.call = http.begin();
            continue;
          }
        }
        return finish(err);
      } finally {
        clearTimeout(probeTimer);
        alive = undefined;
        http.end(call);
      }
    }
  }

  const stream: api.WatchStream = {
    create(request) {
      if (done || http.closed) throw new EtcdError(GrpcCode.Cancelled, "Watch stream is closed");
      let id = request.watchId;
      if (id === undefined) {
        // As etcd numbers watches on one gRPC stream: 0, 1, 2… in create order, skipping ids in use.
        while (watches.has(nextId)) nextId++;
        id = nextId++;
      }
      const w: Watch = { id, request, call: http.begin(), cancelled: false };
      watches.set(id, w);
      void pump(w).finally(() => {
        http.end(w.call);
        if (watches.get(id) === w) watches.delete(id);
      });
    },
    cancel(watchId) {
      if (done) throw new EtcdError(GrpcCode.Cancelled, "Watch stream is closed");
      const w = watches.get(watchId);
      if (!w) return;
      watches.delete(watchId);
      w.cancelled = true;
      http.stop(w.call, "cancelled");
      // etcd confirms a cancel_request with a canceled response; the gateway cannot send one, so
      // the stream answers in its place.
      out.push({
        header: { clusterId: 0n, memberId: 0n, revision: 0n, raftTerm: 0n },
        watchId,
        created: false,
        canceled: true,
        compactRevision: 0n,
        cancelReason: "",
        events: [],
      });
    },
    responses: out,
    close: () => finish(),
  };
  return stream;
}
