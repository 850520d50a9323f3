// `kmeta migrate` and `kmeta diff`: copy a tree between stores (ZooKeeper, etcd, memory, either
// way), and check that two stores hold the same tree.
import { UsageError } from "../usage_error.ts";
import { type Command, type Context, ExitCode, redact } from "./context.ts";
import { count, jsonLine } from "./format.ts";
import { migrate } from "./migrate.ts";
import { diffTrees } from "./diff.ts";
import { createProgress } from "./progress.ts";

/** Enough requests in flight that a batch is limited by the store, not by round trips. */
const IN_FLIGHT = 1000;
/** Sessions per store (--sessions); more did not help on a busy 2-core machine (bench/migrate.ts). */
const SESSIONS = 1;

/** `n` sessions on `url`. */
function lanes(ctx: Context, url: string, what: string, extra: Record<string, unknown> = {}) {
  const n = ctx.int("sessions") ?? SESSIONS;
  if (n < 1 || n > 64) throw new UsageError(`--sessions wants 1..64, got ${n}`);
  return Promise.all(Array.from({ length: n }, () => ctx.open(url, { maxInFlightRequests: IN_FLIGHT, ...extra }, what)));
}

function subtree(ctx: Context): { root: string; skip: (path: string) => boolean } {
  const root = ctx.string("path") ?? "/";
  if (!root.startsWith("/") || (root.length > 1 && root.endsWith("/"))) throw new UsageError(`--path wants an absolute znode path, got "${root}"`);
  // ZooKeeper's own /zookeeper (quotas, config) is not data; every store shows one.
  return { root, skip: (path) => path === "/zookeeper" };
}

function required(ctx: Context, flag: string): string {
  const value = ctx.string(flag);
  if (!value) throw new UsageError(`migrate needs --${flag} URL`);
  return value;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export const MIGRATE_COMMAND: Command = {
  name: "migrate",
  synopsis: "migrate --from URL --to URL [--path /sub] [--dry-run] [--force] [--sessions N]",
  summary: "copy a tree between stores (data, ACLs, sequence counters); re-run to resume",
  help: [
    "Refuses a target that already holds other znodes unless --force, which deletes what the source lacks and",
    "overwrites what differs. A target holding part of the source (an interrupted run) is continued. Sequential",
    "names keep their numbers and each parent's sequence counter continues from the source's. Containers and TTL",
    "nodes look persistent to every ZooKeeper client (ephemeralOwner 0) and are copied as persistent nodes.",
    "Progress goes to standard error (a bar on a terminal), the summary to standard output. Stop the source's",
    "writers (Kafka brokers) first: ephemerals and later writes are not copied. --sessions (default 1) is how",
    "many sessions read and write each store in parallel.",
  ].join("\n"),
  spec: { flags: { from: "string", to: "string", path: "string", "dry-run": "boolean", force: "boolean", sessions: "int" } },
  args: { min: 0, max: 0 },
  async run(ctx) {
    const [fromUrl, toUrl] = [required(ctx, "from"), required(ctx, "to")];
    const { root, skip } = subtree(ctx);
    if (fromUrl === toUrl) throw new UsageError("--from and --to name the same store");
    const from = await lanes(ctx, fromUrl, "--from");
    const to = await lanes(ctx, toUrl, "--to", { createChrootIfNecessary: !ctx.bool("dry-run") });
    const progress = createProgress(ctx.host, ctx.bool("dry-run") ? "reading" : "migrating");
    const started = ctx.host.now();
    let report;
    try {
      report = await migrate({
        from,
        to,
        root,
        skip,
        dryRun: ctx.bool("dry-run"),
        force: ctx.bool("force"),
        onProgress: (done, total) => progress.update(done, total),
        onResume: (present) => ctx.host.stderr(`kmeta migrate: the target holds ${count(present)} znodes of the source already: continuing\n`),
      });
    } finally {
      progress.end();
    }
    const ms = ctx.host.now() - started;
    const copied = report.read - report.ephemerals.length;
    if (ctx.json) {
      ctx.print(jsonLine({ from: redact(fromUrl), to: redact(toUrl), path: root, dryRun: ctx.bool("dry-run"), ms: Math.round(ms), znodesPerSecond: Math.round(copied / (ms / 1000)), ...report }));
      return ExitCode.Ok;
    }
    const verb = ctx.bool("dry-run") ? "would copy" : "copied";
    ctx.print(`${verb} ${count(copied)} znodes under ${root} from ${redact(fromUrl)} to ${redact(toUrl)} in ${seconds(ms)} (${count(copied / (ms / 1000))} znodes/s)`);
    ctx.print(`  created ${count(report.created)}, data set ${count(report.dataSet)}, unchanged ${count(report.unchanged)}, ACLs set ${count(report.aclsSet)}, deleted ${count(report.deleted)}` +
      (report.countersAdvanced > 0 ? `, sequence counters advanced on ${count(report.countersAdvanced)} znodes (${count(report.counterSteps)} steps)` : ""));
    if (report.ephemerals.length > 0) {
      const shown = report.ephemerals.slice(0, 10).join(", ");
      ctx.print(`  skipped ${count(report.ephemerals.length)} ephemeral znodes (they live with their sessions): ${shown}${report.ephemerals.length > 10 ? ", ..." : ""}`);
    }
    return ExitCode.Ok;
  },
};

export const DIFF_COMMAND: Command = {
  name: "diff",
  synopsis: "diff URL_A URL_B [--path /sub] [--limit N] [--sessions N]",
  summary: "compare two stores' trees (data, ACLs, children); exit 0 only when equal",
  help: "Ephemeral znodes are counted, not compared. Stat counters (zxids, times, versions) are store history: the\nsummary says on how many znodes each differs, and they do not make the trees different. --limit (default 20)\nbounds the differences printed.",
  spec: { flags: { path: "string", limit: "int", sessions: "int" } },
  args: { min: 2, max: 2 },
  async run(ctx) {
    const [urlA, urlB] = ctx.positionals as [string, string];
    const { root, skip } = subtree(ctx);
    const [a, b] = await Promise.all([lanes(ctx, urlA, "A"), lanes(ctx, urlB, "B")]);
    const report = await diffTrees(a, b, root, skip);
    const equal = report.differences.length === 0;
    if (ctx.json) {
      ctx.print(jsonLine({ a: redact(urlA), b: redact(urlB), path: root, equal, ...report }));
      return equal ? ExitCode.Ok : ExitCode.Failed;
    }
    const limit = ctx.int("limit") ?? 20;
    for (const d of report.differences.slice(0, limit)) ctx.print(`${d.what === "only in A" || d.what === "only in B" ? d.what : `${d.what} differs`}: ${d.path}${d.detail ? ` (${d.detail})` : ""}`);
    if (report.differences.length > limit) ctx.print(`... and ${count(report.differences.length - limit)} more differences`);
    const counters = Object.entries(report.counters).map(([k, v]) => `${k} ${count(v)}`).join(", ");
    ctx.print(`stat counters that differ (store history, not compared): ${counters}`);
    const ephemerals = `ephemeral znodes not compared: A ${count(report.ephemerals.a)}, B ${count(report.ephemerals.b)}`;
    ctx.print(equal ? `equal: ${count(report.compared)} znodes under ${root}; ${ephemerals}` : `different: ${count(report.differences.length)} differences in ${count(report.compared)} znodes under ${root}; ${ephemerals}`);
    return equal ? ExitCode.Ok : ExitCode.Failed;
  },
};
