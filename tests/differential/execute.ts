// Runs a step sequence on one store and records what a client could observe, normalised so that
// stores may differ in session ids, zxid values and clocks but not in anything else.
import type { Request, SessionListener, Stat, Store, StoreReply, StoreSession } from "../../core/mod.ts";
import { BURST_PARENTS, ownedPaths, SESSIONS, type Step } from "./steps.ts";

/** What one step showed: the reply, then the watch events each session received by the next barrier. */
export interface Observation {
  step: number;
  reply?: unknown;
  events: string[][];
}

export interface Transcript {
  observations: Observation[];
  tree: unknown[];
}

interface Live {
  session: StoreSession;
  events: string[];
}

/** Opens sessions on `store` under `root` (an existing, empty node), runs `steps`, and returns the transcript. */
export async function execute(store: Store, root: string, steps: Step[]): Promise<Transcript> {
  const zxids = new Set<bigint>();
  const owners: bigint[] = [];
  const openOne = async (): Promise<Live> => {
    const events: string[] = [];
    let connected!: () => void;
    const up = new Promise<void>((resolve) => (connected = resolve));
    const listener: SessionListener = {
      onWatch: (e) => events.push(`${e.type} ${e.path.slice(root.length) || "/"}`),
      onSessionEvent: (e) => e === "connected" && connected(),
    };
    const session = store.openSession(listener, { sessionTimeoutMs: 20000 });
    await up;
    owners.push(session.sessionId);
    return { session, events };
  };
  const sessions: Live[] = [];
  for (let i = 0; i < SESSIONS; i++) sessions.push(await openOne());
  const abs = (p: string) => root + p;
  const rel = (p: string) => p.slice(root.length);

  const raw: { step: number; reply?: StoreReply; burst?: unknown; events: string[][] }[] = [];
  try {
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i]!;
      let reply: StoreReply | undefined;
      let burst: unknown;
      if ("burst" in s) {
        burst = await runBurst(sessions.map((l) => l.session), s.burst, abs, owners, rel);
      } else if ("close" in s) {
        await sessions[s.session]!.session.close();
        sessions[s.session] = await openOne();
      } else {
        reply = await sessions[s.session]!.session.submit(rebase(s.request, abs), s.watch);
      }
      // A read on every session is a barrier: events caused by earlier writes arrive before its reply.
      for (const live of sessions) await live.session.submit({ type: "exists", path: root }, false);
      raw.push({ step: i, reply, burst, events: sessions.map((l) => l.events.splice(0).sort()) });
    }
    const tree = await dump(sessions[0]!.session, root, rel);
    for (const r of raw) collectZxids(r.reply, zxids);
    for (const n of tree) collectZxids(n, zxids);
    const rank = new Map([...zxids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((z, i) => [z, i]));
    const norm = (v: unknown): unknown => normalise(v, rank, owners, rel);
    return {
      observations: raw.map((r) => ({ step: r.step, reply: r.burst ?? norm(r.reply), events: r.events })),
      tree: tree.map(norm),
    };
  } finally {
    for (const live of sessions) await live.session.close();
  }
}

/**
 * Submits every session's writes at once, interleaved (all sessions racing on the shared parents),
 * and returns each session's replies in order, zxids ranked among that session's own (so a
 * session's writes must show strictly increasing zxids, whatever the interleaving). Then removes
 * the owned nodes and moves each shared parent's pzxid past the burst, so what later steps see of
 * it does not depend on the interleaving either.
 */
async function runBurst(sessions: StoreSession[], writes: Request[][], abs: (p: string) => string, owners: bigint[], rel: (p: string) => string): Promise<unknown> {
  const pending: Promise<StoreReply>[][] = writes.map(() => []);
  for (let k = 0; k < Math.max(...writes.map((w) => w.length)); k++) {
    writes.forEach((w, s) => {
      if (k < w.length) pending[s]!.push(sessions[s]!.submit(rebase(w[k]!, abs), false));
    });
  }
  const replies = await Promise.all(pending.map((p) => Promise.all(p)));
  const shown = replies.map((rs) => {
    const zxids = new Set<bigint>();
    collectZxids(rs, zxids);
    const rank = new Map([...zxids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((z, i) => [z, i]));
    return normalise(rs, rank, owners, rel);
  });
  const admin = sessions[0]!;
  const owned = sessions.flatMap((_, s) => ownedPaths(s)).sort((a, b) => b.length - a.length);
  const create = (path: string): Request => ({ type: "create", path, data: null, acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }], mode: 0 });
  const cleanup = [
    ...owned.map((path): Request => ({ type: "delete", path, version: -1 })),
    ...BURST_PARENTS.flatMap((parent) => [create(`${parent}/swept`), { type: "delete", path: `${parent}/swept`, version: -1 } as Request]),
  ];
  await Promise.all(cleanup.map((r) => admin.submit(rebase(r, abs), false)));
  return shown;
}

function rebase(request: Request, abs: (p: string) => string): Request {
  if (request.type === "multi") return { ...request, ops: request.ops.map((op) => ({ ...op, path: abs(op.path) })) };
  return { ...request, path: abs(request.path) };
}

async function dump(session: StoreSession, root: string, rel: (p: string) => string): Promise<unknown[]> {
  const out: unknown[] = [];
  const walk = async (path: string) => {
    const node = await session.submit({ type: "getData", path }, false);
    const kids = await session.submit({ type: "getChildren", path, registerWatch: false }, false);
    out.push({ path: rel(path) || "/", data: node.data, stat: node.stat, acl: (await session.submit({ type: "getAcl", path }, false)).acl });
    for (const name of [...(kids.children ?? [])].sort()) await walk(`${path}/${name}`);
  };
  await walk(root);
  return out;
}

function collectZxids(value: unknown, into: Set<bigint>): void {
  if (value === null || typeof value !== "object") return;
  const stat = (value as { stat?: Stat }).stat;
  if (stat) for (const z of [stat.czxid, stat.mzxid, stat.pzxid]) into.add(z);
  for (const v of Object.values(value)) if (v && typeof v === "object" && !(v instanceof Uint8Array)) collectZxids(v, into);
}

/** Replaces zxids by their rank, session ids by open order, times by a marker, created names by relative ones. */
function normalise(value: unknown, rank: Map<bigint, number>, owners: bigint[], rel: (p: string) => string): unknown {
  if (value === undefined || value === null || typeof value !== "object") return value;
  if (value instanceof Uint8Array) return Array.from(value).join(",");
  if (Array.isArray(value)) return value.map((v) => normalise(v, rank, owners, rel));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // The store's own position, which servers read and only the memory store reports so far.
    if (v === undefined || k === "zxid") continue;
    if (k === "stat" && v) {
      const s = v as Stat;
      const owner = owners.indexOf(s.ephemeralOwner);
      out[k] = {
        ...s,
        czxid: rank.get(s.czxid),
        mzxid: rank.get(s.mzxid),
        pzxid: rank.get(s.pzxid),
        ctime: "t",
        mtime: "t",
        ephemeralOwner: s.ephemeralOwner > 0n ? `session#${owner}` : String(s.ephemeralOwner),
      };
    } else if (k === "name" && typeof v === "string") out[k] = rel(v);
    else out[k] = normalise(v, rank, owners, rel);
  }
  return out;
}
