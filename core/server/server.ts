// A ZooKeeper 3.8 server over any ServerStore, without I/O: the runtime's listener hands it each
// accepted connection; time comes from the Clock. Sessions live in the server (and in the store),
// not in connections, so a client that reconnects within its timeout resumes its session.
import type { Clock } from "../clock.ts";
import type { ServerStore } from "../store.ts";
import type { ServerChannel } from "../transport.ts";
import { MAX_FRAME_BYTES } from "../zk/frames.ts";
import { ServerConnection } from "./connection.ts";
import { DEFAULT_FOUR_LETTER_WORDS, renderFourLetterWord, type ServerSummary } from "./four_letter.ts";
import { type ServedSession, SessionTable } from "./sessions.ts";
import { ServerStats } from "./stats.ts";
import { VERSION } from "../version.ts";
import { Oracle, type OracleStore } from "./oracle.ts";

export type LogLevel = "info" | "warn" | "error";

/** How a ZooKeeper-protocol server behaves; every limit defaults to ZooKeeper's. */
export interface ZooKeeperServerOptions {
  store: ServerStore;
  clock: Clock;
  /** At least 16 random bytes from the runtime: session passwords are derived from it. */
  secret: Uint8Array;
  /** Largest request frame (jute.maxbuffer, default 0xFFFFF); a larger one closes the connection. */
  maxFrameBytes?: number;
  /** Session timeout bounds (ZooKeeper's 2 and 20 ticks of 2000 ms). */
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  /** `super:<base64 sha1>`: a client authenticating with the matching digest may do anything. */
  superDigest?: string;
  /** Connections at once, in all and per client address (ZooKeeper's maxClientCnxns, default 60; 0 = no limit). */
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  /** Unread reply bytes after which a connection is closed (its session lives on). Default 64 MiB. */
  maxOutputBytes?: number;
  /** Four-letter words answered (default ruok, srvr, stat, mntr, conf, cons, envi, wchs, isro). */
  fourLetterWords?: readonly string[];
  /** What `conf` and `envi` report beside the limits (listen address, store, runtime). */
  describe?: { config?: Record<string, string | number>; environment?: Record<string, string> };
  log?: (level: LogLevel, message: string) => void;
  /** Cross-check mode: every request also goes to this reference ZooKeeper, under `root` (which must exist). */
  oracle?: { store: OracleStore; root: string };
}

type Resolved = Required<Omit<ZooKeeperServerOptions, "superDigest" | "describe" | "log" | "oracle">> & {
  superDigest?: string;
  describe: NonNullable<ZooKeeperServerOptions["describe"]>;
};

/** The version string clients and tools see. */
export const SERVER_VERSION: string = `3.8.0-kafka-metastore-${VERSION}`;

/** A running server: give it connections; ask it how it is. */
export interface ZooKeeperServer {
  /** Serves one accepted connection until either side closes it. */
  accept(channel: ServerChannel): void;
  readonly stats: ServerStats;
  /** Everything `mntr` and the metrics report. */
  summary(): ServerSummary;
  /**
   * Stops serving: every connection is closed once its queued replies have left. Sessions are not
   * closed (a restarting ZooKeeper server does not close them): clients resume them elsewhere.
   */
  close(): Promise<void>;
}

/** What a connection needs from its server. */
export interface ServerCore {
  readonly options: Resolved;
  readonly clock: Clock;
  readonly sessions: SessionTable;
  readonly stats: ServerStats;
  readonly oracle: Oracle | undefined;
  readonly lastZxid: bigint;
  noteZxid(zxid: bigint): void;
  currentZxid(): Promise<bigint>;
  negotiateTimeout(requestedMs: number): number;
  closeOtherConnections(sessionId: bigint, keep: ServerConnection): void;
  removed(connection: ServerConnection): void;
  fourLetterWord(word: string): Promise<string>;
  log(level: LogLevel, message: string): void;
}

/** Creates a server over `options.store`. */
export function createZooKeeperServer(options: ZooKeeperServerOptions): ZooKeeperServer {
  return new Server(options);
}

class Server implements ZooKeeperServer, ServerCore {
  readonly options: Resolved;
  readonly clock: Clock;
  readonly sessions: SessionTable;
  readonly stats: ServerStats = new ServerStats();
  readonly oracle: Oracle | undefined;
  readonly #connections = new Set<ServerConnection>();
  readonly #perAddress = new Map<string, number>();
  readonly #log: (level: LogLevel, message: string) => void;
  #lastZxid = 0n;
  #closed = false;

  constructor(options: ZooKeeperServerOptions) {
    if (options.secret.length < 16) throw new RangeError("The server secret must have at least 16 bytes");
    this.options = {
      store: options.store,
      clock: options.clock,
      secret: options.secret,
      maxFrameBytes: options.maxFrameBytes ?? MAX_FRAME_BYTES,
      minSessionTimeoutMs: options.minSessionTimeoutMs ?? 4000,
      maxSessionTimeoutMs: options.maxSessionTimeoutMs ?? 40000,
      superDigest: options.superDigest,
      maxConnections: options.maxConnections ?? 0,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 60,
      maxOutputBytes: options.maxOutputBytes ?? 64 * 1024 * 1024,
      fourLetterWords: options.fourLetterWords ?? DEFAULT_FOUR_LETTER_WORDS,
      describe: options.describe ?? {},
    };
    this.clock = options.clock;
    this.#log = options.log ?? (() => {});
    this.oracle = options.oracle && new Oracle(options.oracle.store, options.oracle.root, (d) => {
      this.log("warn", `oracle: session 0x${d.sessionId.toString(16)}: ${d.request}: ours ${d.ours}, reference ${d.reference}`);
    });
    this.sessions = new SessionTable(options.store, options.secret, (session, why) => {
      const id = `0x${session.id.toString(16)}`;
      this.log("info", why === "moved" ? `Session ${id} is no longer served here (resumed elsewhere, or its client left)` : `Session ${id} ended (${why})`);
    });
  }

  get lastZxid(): bigint {
    return this.#lastZxid;
  }

  noteZxid(zxid: bigint): void {
    if (zxid > this.#lastZxid) this.#lastZxid = zxid;
  }

  async currentZxid(): Promise<bigint> {
    this.noteZxid(await this.options.store.currentZxid());
    return this.#lastZxid;
  }

  negotiateTimeout(requestedMs: number): number {
    return Math.min(this.options.maxSessionTimeoutMs, Math.max(this.options.minSessionTimeoutMs, requestedMs));
  }

  accept(channel: ServerChannel): void {
    const connection = new ServerConnection(this, channel);
    const { maxConnections, maxConnectionsPerAddress } = this.options;
    const fromHere = this.#perAddress.get(connection.address) ?? 0;
    if (this.#closed) {
      channel.close();
      return;
    }
    if (maxConnectionsPerAddress > 0 && fromHere >= maxConnectionsPerAddress) {
      this.log("warn", `Too many connections from ${connection.address} - max is ${maxConnectionsPerAddress}`);
      channel.close();
      return;
    }
    if (maxConnections > 0 && this.#connections.size >= maxConnections) {
      this.log("warn", `Too many connections - max is ${maxConnections}; refusing ${connection.address}`);
      channel.close();
      return;
    }
    this.#connections.add(connection);
    this.#perAddress.set(connection.address, fromHere + 1);
    void connection.run();
  }

  removed(connection: ServerConnection): void {
    if (!this.#connections.delete(connection)) return;
    const left = (this.#perAddress.get(connection.address) ?? 1) - 1;
    if (left > 0) this.#perAddress.set(connection.address, left);
    else this.#perAddress.delete(connection.address);
  }

  closeOtherConnections(sessionId: bigint, keep: ServerConnection): void {
    for (const c of this.#connections) if (c !== keep && c.sessionId === sessionId) c.close();
  }

  async fourLetterWord(word: string): Promise<string> {
    if (word !== "ruok") await this.currentZxid().catch(() => {});
    return renderFourLetterWord(word, this.options.fourLetterWords, this.summary());
  }

  summary(): ServerSummary {
    const store = this.options.store.summary?.();
    const connections = [...this.#connections].map((c) => ({
      address: c.address,
      port: c.channel.remotePort,
      outstanding: c.outstanding,
      received: c.received,
      sent: c.sent,
      sessionId: c.sessionId,
      timeoutMs: c.sessionId === undefined ? undefined : this.sessions.get(c.sessionId)?.timeoutMs,
    }));
    return {
      version: SERVER_VERSION,
      connections,
      packetsReceived: this.stats.packetsReceived,
      packetsSent: this.stats.packetsSent,
      outstanding: connections.reduce((n, c) => n + c.outstanding, 0),
      zxid: this.#lastZxid,
      latency: this.stats.latencySummary(),
      sessions: this.sessions.size,
      ...store,
      oracle: this.oracle && { checks: this.oracle.checks, divergences: this.oracle.divergences },
      config: {
        maxClientCnxns: this.options.maxConnectionsPerAddress,
        minSessionTimeout: this.options.minSessionTimeoutMs,
        maxSessionTimeout: this.options.maxSessionTimeoutMs,
        "jute.maxbuffer": this.options.maxFrameBytes,
        serverId: 0,
        ...this.options.describe.config,
      },
      environment: { "zookeeper.version": SERVER_VERSION, ...this.options.describe.environment },
    };
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const c of [...this.#connections]) c.ended();
    return Promise.resolve();
  }

  log(level: LogLevel, message: string): void {
    this.#log(level, message);
  }
}

export type { ServedSession };
