// Connection strings: `scheme://host:port,host:port/chroot`, one scheme per store.
import { ErrorCode, KeeperError } from "./errors.ts";
import { pathProblem } from "./api/path.ts";

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

/** `host:port`, with IPv6 hosts bracketed, as connection strings and messages write it. */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

const DEFAULT_PORTS: Record<StoreScheme, number> = { memory: 0, zk: 2181, etcd: 2379 };

function bad(url: string, why: string): never {
  throw new KeeperError(ErrorCode.BadArguments, `Invalid connection string "${url}": ${why}`);
}

/**
 * Parses `zk://h1:2181,h2:2181/chroot`, `etcd://h1:2379/chroot` (`etcds://` for TLS) or
 * `memory://[name][/chroot]`, strictly: no whitespace, a lower-case scheme, no empty host, ports
 * 1..65535 in decimal.
 * @throws {KeeperError} BadArguments naming what is wrong: the scheme, a host, a port or the chroot.
 */
export function parseConnectString(url: string): ConnectString {
  if (typeof url !== "string") bad(String(url), "expected a string");
  if (/\s/.test(url)) bad(url, "contains whitespace");
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/]*)(\/.*)?$/.exec(url);
  if (!m) bad(url, "expected scheme://hosts[/chroot] (memory://, zk://, etcd:// or etcds://)");
  const written = m[1]!;
  if (written !== written.toLowerCase()) bad(url, `the scheme must be lower case: "${written.toLowerCase()}://"`);
  // etcds:// is etcd over TLS, as https is to http; the store is the same.
  const tls = written === "etcds";
  const scheme = (tls ? "etcd" : written) as StoreScheme;
  if (!(scheme in DEFAULT_PORTS)) bad(url, `unknown scheme "${written}" (use memory://, zk://, etcd:// or etcds://)`);
  const chroot = m[3] === undefined || m[3] === "/" ? "/" : m[3];
  const problem = pathProblem(chroot);
  if (problem !== undefined) bad(url, `chroot "${chroot}": ${problem}`);
  const hostList = m[2] ?? "";
  if (scheme === "memory") return { scheme, hosts: [{ host: hostList, port: 0 }], chroot };
  if (hostList === "") bad(url, "no hosts");
  const hosts = hostList.split(",").map((entry): HostPort => {
    if (entry === "") bad(url, "empty host in the host list");
    const hm = /^(\[[^\]]+\]|[^:[\]]*)(?::([^:]*))?$/.exec(entry);
    if (!hm) bad(url, `bad host "${entry}" (an IPv6 address needs brackets: [::1]:2181)`);
    if (hm[1] === "" || hm[1] === "[]") bad(url, `empty host in "${entry}"`);
    const port = hm[2] === undefined ? DEFAULT_PORTS[scheme] : /^\d{1,5}$/.test(hm[2]) ? Number(hm[2]) : NaN;
    if (!(port > 0 && port < 65536)) bad(url, `bad port "${hm[2]}" in "${entry}" (expected 1..65535)`);
    return { host: hm[1]!.replace(/^\[|\]$/g, ""), port };
  });
  return tls ? { scheme, hosts, chroot, tls } : { scheme, hosts, chroot };
}
