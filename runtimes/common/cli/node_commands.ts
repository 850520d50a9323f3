// zkCli-like commands on one store: ls, tree, get, stat, set, create, rm, rmr, watch, acl, sync.
// Output is for scripts as much as for eyes: one item per line, nothing decorative, --json for all.
import { OPEN_ACL_UNSAFE } from "../../../core/api/acl.ts";
import { CreateMode } from "../../../core/api/create_mode.ts";
import type { Request } from "../../../core/api/requests.ts";
import { ErrorCode } from "../../../core/errors.ts";
import { UsageError } from "../usage_error.ts";
import { check, CliError, type Command, type Context, describeCode } from "./context.ts";
import { aclString, fromHex, jsonLine, parseAcls, showData, statJson, statLines } from "./format.ts";
import { childPath, pipelined, readLevels, readTree } from "./tree_read.ts";

const spec = (flags: Record<string, "boolean" | "string" | "int"> = {}, aliases: Record<string, string> = {}) => ({ flags, aliases });
const pathArg = (ctx: Context, fallback?: string): string => {
  const path = ctx.positionals[0] ?? fallback;
  if (path === undefined) throw new UsageError(`${ctx.command} needs a PATH`);
  if (!path.startsWith("/")) throw new UsageError(`a path starts with "/", got "${path}"`);
  return path;
};
const dataArg = (ctx: Context, text: string | undefined): Uint8Array | null => {
  if (text === undefined) return null;
  return ctx.bool("hex") ? fromHex(text) : new TextEncoder().encode(text);
};
const versionFlag = (ctx: Context) => ctx.int("version") ?? -1;

const ls: Command = {
  name: "ls",
  synopsis: "ls [PATH]",
  summary: "children of PATH (default /), one per line, sorted",
  spec: spec(),
  args: { min: 0, max: 1 },
  async run(ctx) {
    const path = pathArg(ctx, "/");
    const r = check(await (await ctx.open()).handleRequest({ type: "getChildren", path, registerWatch: false }), path);
    const children = [...r.children].sort();
    if (ctx.json) ctx.print(jsonLine({ path, children }));
    else for (const c of children) ctx.print(c);
  },
};

const tree: Command = {
  name: "tree",
  synopsis: "tree [PATH]",
  summary: "every znode under PATH (default /), indented (--json: paths, data, stats)",
  spec: spec(),
  args: { min: 0, max: 1 },
  async run(ctx) {
    const root = pathArg(ctx, "/");
    const nodes = await readTree(await ctx.open(), root);
    if (ctx.json) {
      ctx.print(jsonLine([...nodes.values()].map((n) => ({ path: n.path, ...showData(n.data), stat: statJson(n.stat) }))));
      return;
    }
    const walk = (path: string, depth: number) => {
      const n = nodes.get(path);
      if (!n) return;
      ctx.print(depth === 0 ? path : `${"  ".repeat(depth)}${path.slice(path.lastIndexOf("/") + 1)}`);
      for (const c of n.children) walk(childPath(path, c), depth + 1);
    };
    walk(root, 0);
  },
};

const get: Command = {
  name: "get",
  synopsis: "get PATH",
  summary: "data of PATH: as text when it is UTF-8, else as hex (nothing for null data)",
  spec: spec(),
  args: { min: 1, max: 1 },
  async run(ctx) {
    const path = pathArg(ctx);
    const r = check(await (await ctx.open()).handleRequest({ type: "getData", path }), path);
    const shown = showData(r.data);
    if (ctx.json) ctx.print(jsonLine({ path, ...shown, stat: statJson(r.stat!) }));
    else if (shown.text !== null) ctx.print(shown.text);
  },
};

const stat: Command = {
  name: "stat",
  synopsis: "stat PATH",
  summary: "the 11 stat fields of PATH, as zkCli prints them",
  spec: spec(),
  args: { min: 1, max: 1 },
  async run(ctx) {
    const path = pathArg(ctx);
    const r = check(await (await ctx.open()).handleRequest({ type: "exists", path }), path);
    if (ctx.json) ctx.print(jsonLine({ path, stat: statJson(r.stat!) }));
    else for (const line of statLines(r.stat!)) ctx.print(line);
  },
};

const set: Command = {
  name: "set",
  synopsis: "set PATH DATA [--version N] [--hex]",
  summary: "replace the data of PATH (at version N); --hex reads DATA as hex",
  spec: spec({ version: "int", hex: "boolean" }, { "-v": "version" }),
  args: { min: 2, max: 2 },
  async run(ctx) {
    const path = pathArg(ctx);
    const r = check(await (await ctx.open()).handleRequest({ type: "setData", path, data: dataArg(ctx, ctx.positionals[1]), version: versionFlag(ctx) }), path);
    if (ctx.json) ctx.print(jsonLine({ path, stat: statJson(r.stat!) }));
  },
};

const create: Command = {
  name: "create",
  synopsis: "create PATH [DATA] [-s] [-e] [-c] [--ttl MS] [--acl ACLS] [--hex]",
  summary: "create PATH (-s sequential, -e ephemeral, -c container, --ttl); prints its name",
  help: "ACLS is scheme:id:perms[,...] (perms of cdrwa), default world:anyone:cdrwa. An ephemeral node lives as long as this command.",
  spec: spec({ sequential: "boolean", ephemeral: "boolean", container: "boolean", ttl: "int", acl: "string", hex: "boolean" }, { "-s": "sequential", "-e": "ephemeral", "-c": "container", "-t": "ttl" }),
  args: { min: 1, max: 2 },
  async run(ctx) {
    const path = pathArg(ctx);
    const mode = createMode(ctx);
    const acl = ctx.string("acl") === undefined ? OPEN_ACL_UNSAFE : parseAcls(ctx.string("acl")!);
    const request: Request = { type: "create", path, data: dataArg(ctx, ctx.positionals[1]), acl, mode, ...(ctx.int("ttl") !== undefined ? { ttlMs: ctx.int("ttl") } : {}) };
    const r = check(await (await ctx.open()).handleRequest(request), path);
    ctx.print(ctx.json ? jsonLine({ path: r.name }) : `Created ${r.name}`);
  },
};

function createMode(ctx: Context): CreateMode {
  const [s, e, c, ttl] = [ctx.bool("sequential"), ctx.bool("ephemeral"), ctx.bool("container"), ctx.int("ttl") !== undefined];
  if (c && (s || e || ttl)) throw new UsageError("-c (container) goes with no other mode flag");
  if (ttl && e) throw new UsageError("--ttl and -e do not go together: a TTL node is persistent");
  if (c) return CreateMode.Container;
  if (ttl) return s ? CreateMode.PersistentSequentialWithTtl : CreateMode.PersistentWithTtl;
  if (e) return s ? CreateMode.EphemeralSequential : CreateMode.Ephemeral;
  return s ? CreateMode.PersistentSequential : CreateMode.Persistent;
}

const rm: Command = {
  name: "rm",
  synopsis: "rm PATH [--version N]",
  summary: "delete PATH, which must have no children (see rmr)",
  spec: spec({ version: "int" }, { "-v": "version" }),
  args: { min: 1, max: 1 },
  async run(ctx) {
    const path = pathArg(ctx);
    const r = await (await ctx.open()).handleRequest({ type: "delete", path, version: versionFlag(ctx) });
    if (r.resultCode === ErrorCode.NotEmpty) throw new CliError(`${describeCode(path, r.resultCode)}: use rmr to delete it with everything under it`);
    check(r, path);
    if (ctx.json) ctx.print(jsonLine({ path, deleted: 1 }));
  },
};

const rmr: Command = {
  name: "rmr",
  synopsis: "rmr PATH",
  summary: "delete PATH and everything under it (deepest first, pipelined)",
  spec: spec(),
  args: { min: 1, max: 1 },
  async run(ctx) {
    const path = pathArg(ctx);
    const client = await ctx.open();
    const levels = [];
    for await (const level of readLevels(client, path, (p) => p === "/zookeeper")) levels.push(level);
    let deleted = 0;
    for (const level of levels.reverse()) {
      const doomed = level.filter((n) => n.path !== "/");
      const results = await pipelined(client, doomed.map((n): Request => ({ type: "delete", path: n.path, version: -1 })));
      results.forEach((r, i) => {
        if (r.resultCode !== ErrorCode.Ok && r.resultCode !== ErrorCode.NoNode) throw new CliError(`cannot delete ${describeCode(doomed[i]!.path, r.resultCode)}`);
        if (r.resultCode === ErrorCode.Ok) deleted++;
      });
    }
    ctx.print(ctx.json ? jsonLine({ path, deleted }) : `Deleted ${deleted} znodes`);
  },
};

const watch: Command = {
  name: "watch",
  synopsis: "watch PATH [--children] [--count N]",
  summary: "print PATH's events as they come, re-arming; stop after N or on Ctrl-C",
  help: "Events: NodeCreated, NodeDeleted, NodeDataChanged (a watch armed by exists), or NodeChildrenChanged (--children).",
  spec: spec({ children: "boolean", count: "int" }),
  args: { min: 1, max: 1 },
  async run(ctx) {
    const path = pathArg(ctx);
    const client = await ctx.open();
    const limit = ctx.int("count") ?? Infinity;
    let seen = 0;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    let failed: unknown;
    const rearm = async () => {
      if (ctx.bool("children")) check(await client.handleRequest({ type: "getChildren", path, registerWatch: true }), path);
      else {
        const r = await client.handleRequest({ type: "exists", path });
        if (r.resultCode !== ErrorCode.NoNode) check(r, path);
      }
    };
    const event = (name: string) => () => {
      if (seen >= limit) return;
      seen++;
      ctx.print(ctx.json ? jsonLine({ event: name, path }) : `${name} ${path}`);
      if (seen >= limit) return finish();
      rearm().catch((e) => {
        failed = e;
        finish();
      });
    };
    if (ctx.bool("children")) client.registerZNodeChildChangeHandler({ path, handleChildChange: event("NodeChildrenChanged") });
    else client.registerZNodeChangeHandler({ path, handleCreation: event("NodeCreated"), handleDeletion: event("NodeDeleted"), handleDataChange: event("NodeDataChanged") });
    await rearm();
    if (limit === 0) return;
    ctx.host.serve.onStop(finish);
    await finished;
    if (failed) throw failed;
  },
};

const acl: Command = {
  name: "acl",
  synopsis: "acl PATH [ACLS] [--version N]",
  summary: "the ACL of PATH, one scheme:id:perms per line; with ACLS, set it",
  spec: spec({ version: "int" }, { "-v": "version" }),
  args: { min: 1, max: 2 },
  async run(ctx) {
    const path = pathArg(ctx);
    const client = await ctx.open();
    if (ctx.positionals[1] !== undefined) {
      const r = check(await client.handleRequest({ type: "setAcl", path, acl: parseAcls(ctx.positionals[1]), version: versionFlag(ctx) }), path);
      if (ctx.json) ctx.print(jsonLine({ path, stat: statJson(r.stat!) }));
      return;
    }
    const r = check(await client.handleRequest({ type: "getAcl", path }), path);
    if (ctx.json) ctx.print(jsonLine({ path, acl: r.acl.map(aclString) }));
    else for (const entry of r.acl) ctx.print(aclString(entry));
  },
};

const sync: Command = {
  name: "sync",
  synopsis: "sync PATH",
  summary: "a read barrier on PATH (see kmeta help sync)",
  help: "KafkaMetastore has no sync request: this is one round trip to the store for PATH (etcd reads are linearizable; ZooKeeper answers from the connected server). Exit 1 when PATH does not exist.",
  spec: spec(),
  args: { min: 1, max: 1 },
  async run(ctx) {
    const path = pathArg(ctx);
    const r = check(await (await ctx.open()).handleRequest({ type: "exists", path }), path);
    ctx.print(ctx.json ? jsonLine({ path, mzxid: r.stat!.mzxid, pzxid: r.stat!.pzxid }) : "Sync is OK");
  },
};

export const NODE_COMMANDS: readonly Command[] = [ls, tree, get, stat, set, create, rm, rmr, watch, acl, sync];
