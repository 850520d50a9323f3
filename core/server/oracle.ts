// Cross-check mode (`kmeta serve --oracle zk://...`): every client request also goes to a real
// ZooKeeper, under a chroot of its own; the client is answered from our store, and every difference
// between the two answers (code, data, children, ACL, stat counters, watch events) is reported.
// Times, zxids and session ids differ between any two servers and are not compared.
import type { Request } from "../api/requests.ts";
import type { WatchEvent } from "../api/events.ts";
import type { SessionListener, SessionOptions, StoreReply, StoreRequest } from "../store.ts";
import { createChroot } from "../client/chroot.ts";

/** One session on the reference server (our ZooKeeper store's sessions fit). */
export interface OracleSession {
  submit(request: Request, watch: boolean): Promise<StoreReply>;
  addAuth(auth: { scheme: string; auth: Uint8Array }): void;
  close(): Promise<void>;
}

/** The reference server (our ZooKeeper store fits). */
export interface OracleStore {
  openSession(listener: SessionListener, options: SessionOptions): OracleSession;
  close?(): Promise<void>;
}

/** One divergence, as logged. */
export interface Divergence {
  sessionId: bigint;
  request: string;
  ours: string;
  reference: string;
}

/**
 * A reference session lives at least this long without traffic: it ends when ours does, and must not
 * expire on its own because the machine is busy (one request at a time makes it idle at times).
 */
const REFERENCE_TIMEOUT_MS = 40000;

/** /zookeeper and below: every ZooKeeper has them at its root, where the oracle's chroot cannot reach. */
function isSystemPath(path: string): boolean {
  return path === "/zookeeper" || path.startsWith("/zookeeper/");
}

const CLIENT_TYPES = new Set(["create", "delete", "exists", "getData", "setData", "getAcl", "setAcl", "getChildren", "multi"]);

/** Compares a server's answers with a reference ZooKeeper's. */
export class Oracle {
  readonly #store: OracleStore;
  readonly #chroot;
  readonly #report: (d: Divergence) => void;
  checks = 0;
  divergences = 0;
  /**
   * Requests reach the reference one at a time, in the order our store took them: over separate
   * connections a reference would otherwise order sessions' requests differently.
   */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(store: OracleStore, root: string, report: (d: Divergence) => void) {
    this.#store = store;
    this.#chroot = createChroot(root);
    this.#report = report;
  }

  /** The reference session shadowing one of ours. */
  open(sessionId: () => bigint, timeoutMs: number): OracleShadow {
    const theirs: string[] = [];
    const session = this.#store.openSession({
      onWatch: (event) => {
        const path = this.#fromReference(event.path);
        if (path !== undefined) theirs.push(`${event.type} ${path}`);
      },
      onSessionEvent: () => {},
    }, { sessionTimeoutMs: Math.max(timeoutMs, REFERENCE_TIMEOUT_MS) });
    return new OracleShadow(this, session, sessionId, theirs);
  }

  check(sessionId: bigint, request: Request, ours: StoreReply, reference: StoreReply): void {
    this.checks++;
    const a = JSON.stringify(normalise(ours, (n) => n));
    const b = JSON.stringify(normalise(reference, (n) => this.#fromReference(n) ?? n));
    if (a !== b) this.#diverged({ sessionId, request: describe(request), ours: a, reference: b });
  }

  #diverged(d: Divergence): void {
    this.divergences++;
    this.#report(d);
  }

  compareEvents(sessionId: bigint, ours: string[], theirs: string[]): void {
    this.checks++;
    const a = JSON.stringify([...ours].sort());
    const b = JSON.stringify([...theirs].sort());
    if (a !== b) this.#diverged({ sessionId, request: "watch events of the session", ours: a, reference: b });
  }

  /** `request` as the reference gets it: under the oracle's chroot, but ZooKeeper's own nodes are its own. */
  toReference(request: Request): Request {
    const place = <T extends { path: string }>(op: T): T => (isSystemPath(op.path) ? op : { ...op, path: this.#chroot.toStore(op.path) });
    if (request.type === "multi") return { ...request, ops: request.ops.map(place) };
    return isSystemPath(request.path) ? request : this.#chroot.request(request);
  }

  /** A reference path as our clients see it. */
  #fromReference(path: string): string | undefined {
    return isSystemPath(path) ? path : this.#chroot.fromStore(path);
  }

  /** Runs `step` after every earlier step of any session. */
  inTurn<T>(step: () => Promise<T> | T): Promise<T> {
    const run = this.#tail.then(step);
    this.#tail = run.catch(() => {});
    return run;
  }
}

/** The reference twin of one served session. */
export class OracleShadow {
  readonly #oracle: Oracle;
  readonly #session: OracleSession;
  readonly #id: () => bigint;
  readonly #theirs: string[];
  readonly #ours: string[] = [];
  #pending: Promise<unknown> = Promise.resolve();

  constructor(oracle: Oracle, session: OracleSession, id: () => bigint, theirs: string[]) {
    this.#oracle = oracle;
    this.#session = session;
    this.#id = id;
    this.#theirs = theirs;
  }

  /** Sends the request to the reference too and compares the answers once both are in. */
  shadow(request: StoreRequest, watch: boolean, ours: Promise<StoreReply>): void {
    if (!CLIENT_TYPES.has(request.type)) return;
    const r = request as Request;
    const reference = this.#oracle.inTurn(() => this.#session.submit(this.#oracle.toReference(r), watch));
    this.#pending = Promise.all([ours, reference]).then(([a, b]) => this.#oracle.check(this.#id(), r, a, b), () => {});
  }

  auth(scheme: string, auth: Uint8Array): void {
    void this.#oracle.inTurn(() => this.#session.addAuth({ scheme, auth }));
  }

  event(event: WatchEvent): void {
    this.#ours.push(`${event.type} ${event.path}`);
  }

  /** Ends the reference session once the answers in flight are compared, and compares the events seen. */
  async close(): Promise<void> {
    // Queued at once, in turn with every session's requests: this session's own are ahead of it, and
    // closing out of turn would remove ephemerals that others' earlier reads must still see.
    const closed = this.#oracle.inTurn(() => this.#session.close()).catch(() => {});
    await this.#pending;
    await closed;
    this.#oracle.compareEvents(this.#id(), this.#ours, this.#theirs);
  }
}

function normalise(reply: StoreReply, name: (n: string) => string): unknown {
  const stat = reply.stat && {
    version: reply.stat.version,
    cversion: reply.stat.cversion,
    aversion: reply.stat.aversion,
    dataLength: reply.stat.dataLength,
    numChildren: reply.stat.numChildren,
    ephemeral: reply.stat.ephemeralOwner !== 0n,
  };
  return {
    code: reply.resultCode,
    name: reply.name === undefined ? undefined : name(reply.name),
    data: reply.data === undefined ? undefined : reply.data === null ? null : [...reply.data].join(","),
    children: reply.children && [...reply.children].sort(),
    acl: reply.acl?.map((a) => `${a.perms} ${a.id.scheme}:${a.id.id}`).sort(),
    stat,
    ops: reply.opResults?.map((r) => ({ code: r.resultCode, name: r.name === undefined ? undefined : name(r.name) })),
  };
}

function describe(request: Request): string {
  return request.type === "multi"
    ? `multi [${request.ops.map((op) => `${op.type} ${op.path}`).join(", ")}]`
    : `${request.type} ${request.path}`;
}
