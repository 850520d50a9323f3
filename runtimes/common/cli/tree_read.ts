// Reads a whole tree, level by level, with every level's reads pipelined through handleRequests:
// getData + getAcl for each node, then getChildren for those that have children. A node deleted
// between its listing and its read is left out, as a recursive walk over a live tree would.
import type { ACL } from "../../../core/api/acl.ts";
import type { KafkaMetastore } from "../../../core/api/metastore.ts";
import type { Request } from "../../../core/api/requests.ts";
import type { GetAclResponse, GetChildrenResponse, GetDataResponse, Response } from "../../../core/api/responses.ts";
import type { Stat } from "../../../core/api/stat.ts";
import { codeName, ErrorCode } from "../../../core/errors.ts";
import { CliError, describeCode } from "./context.ts";

/** One znode as read. */
export interface NodeRecord {
  path: string;
  data: Uint8Array | null;
  acl: ACL[];
  stat: Stat;
  /** Child names, sorted. */
  children: string[];
}

/** Requests per handleRequests call: bounds what is held in flight for one level. */
const CHUNK = 4000;

export function childPath(parent: string, name: string): string {
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
}

/**
 * One client, or several sessions on the same store: independent requests are spread over them,
 * so a store that serialises each session's batches (etcd: one Txn at a time) works on several.
 */
export type Lanes = KafkaMetastore | readonly KafkaMetastore[];

/** Sends `requests` in chunks; with several sessions, each takes a contiguous share. Responses in request order. */
export async function pipelined(lanes: Lanes, requests: readonly Request[], chunk: number = CHUNK): Promise<Response[]> {
  const clients = Array.isArray(lanes) ? lanes : [lanes as KafkaMetastore];
  const share = Math.ceil(requests.length / clients.length);
  const parts = await Promise.all(clients.map(async (client, k) => {
    const mine = requests.slice(k * share, (k + 1) * share);
    const out: Response[] = [];
    for (let i = 0; i < mine.length; i += chunk) out.push(...(await client.handleRequests(mine.slice(i, i + chunk))));
    return out;
  }));
  return parts.flat();
}

/**
 * Yields the tree under `root` one level at a time (root first), skipping the paths `skip` names
 * (and what is under them). @throws {CliError} when the root does not exist or a read fails.
 */
export async function* readLevels(client: Lanes, root: string, skip: (path: string) => boolean = () => false): AsyncGenerator<NodeRecord[]> {
  let paths = [root];
  let first = true;
  while (paths.length > 0) {
    const reads = await pipelined(client, paths.flatMap((path): Request[] => [{ type: "getData", path }, { type: "getAcl", path }]));
    const level: NodeRecord[] = [];
    paths.forEach((path, i) => {
      const data = reads[2 * i] as GetDataResponse, acl = reads[2 * i + 1] as GetAclResponse;
      const code = data.resultCode || acl.resultCode;
      if (code === ErrorCode.NoNode && !first) return;
      if (code !== ErrorCode.Ok) throw new CliError(first ? describeCode(path, code) : `cannot read ${path}: ${codeName(code)}`);
      level.push({ path, data: data.data, acl: acl.acl, stat: data.stat!, children: [] });
    });
    const parents = level.filter((n) => n.stat.numChildren > 0);
    const lists = await pipelined(client, parents.map((n): Request => ({ type: "getChildren", path: n.path, registerWatch: false })));
    parents.forEach((n, i) => {
      const r = lists[i] as GetChildrenResponse;
      if (r.resultCode === ErrorCode.Ok) n.children = [...r.children].sort();
      else if (r.resultCode !== ErrorCode.NoNode) throw new CliError(`cannot list ${n.path}: ${codeName(r.resultCode)}`);
    });
    yield level;
    first = false;
    paths = parents.flatMap((n) => n.children.map((c) => childPath(n.path, c))).filter((p) => !skip(p));
  }
}

/** The whole tree under `root`, by path, in level order. */
export async function readTree(client: Lanes, root: string, skip?: (path: string) => boolean): Promise<Map<string, NodeRecord>> {
  const nodes = new Map<string, NodeRecord>();
  for await (const level of readLevels(client, root, skip)) for (const n of level) nodes.set(n.path, n);
  return nodes;
}
