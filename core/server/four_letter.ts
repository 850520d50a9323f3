// ZooKeeper's four-letter words: four ASCII bytes sent instead of a ConnectRequest's length prefix,
// answered with text, after which the server closes the connection. Layouts follow ZooKeeper 3.8's
// so that monitoring scripts parsing them keep working.

/** The words a 3.8 server knows; only the allowed ones are executed. */
const KNOWN = [
  "conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "isro", "mntr", "ruok", "srst", "srvr", "stat", "stmk",
  "wchc", "wchp", "wchs",
];

/** Answered by default (ZooKeeper's 4lw.commands.whitelist as this server sets it). */
export const DEFAULT_FOUR_LETTER_WORDS: readonly string[] = ["ruok", "srvr", "stat", "mntr", "conf", "cons", "envi", "wchs", "isro"];

/** The word, when the first four bytes of a connection are one ZooKeeper knows. */
export function fourLetterWordOf(head: Uint8Array): string | undefined {
  const word = String.fromCharCode(head[0]!, head[1]!, head[2]!, head[3]!);
  return KNOWN.includes(word) ? word : undefined;
}

/** One connection as `cons` and `stat` list it. */
export interface ConnectionSummary {
  address: string;
  port: number;
  outstanding: number;
  received: number;
  sent: number;
  sessionId?: bigint;
  timeoutMs?: number;
}

/** What the server and its store report about themselves. */
export interface ServerSummary {
  version: string;
  connections: ConnectionSummary[];
  packetsReceived: number;
  packetsSent: number;
  outstanding: number;
  zxid: bigint;
  latency: { min: number; avg: number; max: number };
  sessions: number;
  nodes?: number;
  watches?: { total: number; paths: number; sessions: number };
  ephemerals?: number;
  dataBytes?: number;
  /** Cross-check mode: answers compared with the reference ZooKeeper, and how many differed. */
  oracle?: { checks: number; divergences: number };
  config: Record<string, string | number>;
  environment: Record<string, string>;
}

const hex = (n: bigint) => "0x" + n.toString(16);

/** The text a word answers with. */
export function renderFourLetterWord(word: string, allowed: readonly string[], s: ServerSummary): string {
  if (!allowed.includes(word)) return `${word} is not executed because it is not in the whitelist.\n`;
  const latency = `${s.latency.min}/${s.latency.avg.toFixed(4)}/${s.latency.max}`;
  const connections = () =>
    s.connections.map((c) =>
      ` /${c.address}:${c.port}[${c.sessionId === undefined ? 0 : 1}](queued=${c.outstanding},recved=${c.received},sent=${c.sent}` +
      (c.sessionId === undefined ? "" : `,sid=${hex(c.sessionId)},to=${c.timeoutMs}`) + ")\n"
    ).join("");
  const srvr = [
    `Latency min/avg/max: ${latency}`,
    `Received: ${s.packetsReceived}`,
    `Sent: ${s.packetsSent}`,
    `Connections: ${s.connections.length}`,
    `Outstanding: ${s.outstanding}`,
    `Zxid: ${hex(s.zxid)}`,
    "Mode: standalone",
    `Node count: ${s.nodes ?? -1}`,
  ].join("\n") + "\n";
  switch (word) {
    case "ruok":
      return "imok";
    case "isro":
      return "rw";
    case "srvr":
      return `Zookeeper version: ${s.version}\n${srvr}`;
    case "stat":
      return `Zookeeper version: ${s.version}\nClients:\n${connections()}\n${srvr}`;
    case "cons":
      return connections() + "\n";
    case "conf":
      return Object.entries(s.config).map(([k, v]) => `${k}=${v}`).join("\n") + "\n";
    case "envi":
      return "Environment:\n" + Object.entries(s.environment).map(([k, v]) => `${k}=${v}`).join("\n") + "\n";
    case "wchs": {
      const w = s.watches ?? { total: 0, paths: 0, sessions: 0 };
      return `${w.sessions} connections watching ${w.paths} paths\nTotal watches:${w.total}\n`;
    }
    case "mntr":
      return [
        ["zk_version", s.version],
        ["zk_server_state", "standalone"],
        ["zk_num_alive_connections", s.connections.length],
        ["zk_outstanding_requests", s.outstanding],
        ["zk_znode_count", s.nodes ?? -1],
        ["zk_watch_count", s.watches?.total ?? 0],
        ["zk_ephemerals_count", s.ephemerals ?? 0],
        ["zk_approximate_data_size", s.dataBytes ?? 0],
        ["zk_avg_latency", s.latency.avg.toFixed(4)],
        ["zk_max_latency", s.latency.max],
        ["zk_min_latency", s.latency.min],
        ["zk_packets_received", s.packetsReceived],
        ["zk_packets_sent", s.packetsSent],
        ["zk_global_sessions", s.sessions],
        ...(s.oracle ? [["zk_oracle_checks", s.oracle.checks], ["zk_oracle_divergences", s.oracle.divergences]] : []),
      ].map(([k, v]) => `${k}\t${v}`).join("\n") + "\n";
    default:
      // Known to ZooKeeper, not to this server (dump, crst, ...): said plainly rather than faked.
      return `${word} is not supported by this server.\n`;
  }
}
