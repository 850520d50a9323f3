// Connection strings: `scheme://host:port,host:port/chroot`, one scheme per store.
import { ErrorCode, KeeperError } from "./errors.ts";
import { validatePath } from "./api/path.ts";

export type StoreScheme = "memory" | "zk" | "etcd";

export interface HostPort {
  host: string;
  port: number;
}

export interface ConnectString {
  scheme: StoreScheme;
  /** For memory://, the name of the in-process store ("" for the default one); no port. */
  hosts: HostPort[];
  /** Store path every client path lives under ("/" for none). */
  chroot: string;
  /** `etcds://`: the etcd store over TLS (https endpoints). */
  tls?: boolean;
}

const DEFAULT_PORTS: Record<StoreScheme, number> = { memory: 0, zk: 2181, etcd: 2379 };

function bad(url: string, why: string): never {
  throw new KeeperError(ErrorCode.BadArguments, `Invalid connection string "${url}": ${why}`);
}

/**
 * Parses `zk://h1:2181,h2:2181/chroot`, `etcd://h1:2379/chroot` (`etcds://` for TLS) or
 * `memory://[name][/chroot]`.
 * @throws {KeeperError} BadArguments for an unknown scheme, a bad port or an invalid chroot.
 */
export function parseConnectString(url: string): ConnectString {
  const m = /^([a-z]+):\/\/([^/]*)(\/.*)?$/.exec(url);
  if (!m) bad(url, "expected scheme://hosts[/chroot]");
  // etcds:// is etcd over TLS, as https is to http; the store is the same.
  const tls = m[1] === "etcds";
  const scheme = (tls ? "etcd" : m[1]) as StoreScheme;
  if (!(scheme in DEFAULT_PORTS)) bad(url, `unknown scheme "${m[1]}" (use memory://, zk://, etcd:// or etcds://)`);
  const chroot = m[3] === undefined || m[3] === "/" ? "/" : m[3];
  try {
    validatePath(chroot);
  } catch (e) {
    bad(url, `chroot ${(e as Error).message}`);
  }
  const hostList = m[2] ?? "";
  if (scheme === "memory") return { scheme, hosts: [{ host: hostList, port: 0 }], chroot };
  if (hostList === "") bad(url, "no hosts");
  const hosts = hostList.split(",").map((entry): HostPort => {
    const hm = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
    if (!hm) bad(url, `bad host "${entry}"`);
    const port = hm[2] === undefined ? DEFAULT_PORTS[scheme] : Number(hm[2]);
    if (!(port > 0 && port < 65536)) bad(url, `bad port in "${entry}"`);
    return { host: hm[1]!.replace(/^\[|\]$/g, ""), port };
  });
  return tls ? { scheme, hosts, chroot, tls } : { scheme, hosts, chroot };
}
