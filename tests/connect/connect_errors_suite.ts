// Connection errors a user can act on, through a runtime's connect(): against ports this suite opens
// (nothing listening, silent, accept-and-close, garbage), an unknown host, and the real ZooKeeper and
// etcd used the wrong way round. Every failure names the host and what happened there, in the
// message and in `cause` (an AggregateError of the attempts' KeeperErrors, each with host/failure).
// Env: KMETA_ZK and KMETA_ETCD=host:port (required: these tests fail, never skip, without them);
//      KMETA_CONNECT_TEST_PORT: first of 4 ports for the fake servers (default: ports the OS picks).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import process from "node:process";
import { type ConnectFailure, type ConnectOptions, ErrorCode, isKeeperError, type KafkaMetastore, type KeeperError } from "../../core/mod.ts";

type Connect = (url: string, options?: ConnectOptions) => Promise<KafkaMetastore>;

/**
 * What is judged is the error's content, never how fast it came. A zk:// attempt's outcome is known
 * well within 3 s (its share is 2.7 s); an etcd:// one first loads the gRPC stack and goes through
 * HTTP/2, which on a loaded machine took over 3 s, hence 8 s there.
 */
const timeouts = (url: string): ConnectOptions =>
  url.startsWith("zk:") ? { connectionTimeoutMs: 3000 } : { connectionTimeoutMs: 8000, etcd: { requestTimeoutMs: 1000 } };

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name}=host:port is not set (scripts/test.sh starts the servers)`);
  return value;
}

/** Asserts connect(url) fails naming `host` and `failure` in the message and in the attempts of `cause`. */
async function assertFails(connect: Connect, url: string, host: string, failure: ConnectFailure, text: RegExp): Promise<void> {
  const seen: KeeperError[] = [];
  await assert.rejects(connect(url, { ...timeouts(url), onConnectionError: (e) => seen.push(e) }), (e: unknown) => {
    assert.ok(isKeeperError(e), `not a KeeperError: ${e}`);
    assert.match(e.message, text, "the message says what happened");
    assert.ok(e.message.includes(host), `the message names ${host}: ${e.message}`);
    if (e.code === ErrorCode.OperationTimeout) {
      assert.ok(e.cause instanceof AggregateError, "cause lists the attempts");
      const attempts = (e.cause as AggregateError).errors as KeeperError[];
      assert.ok(attempts.some((a) => a.host?.includes(host) && a.failure === failure), `an attempt at ${host} failed with ${failure}`);
    } else {
      assert.equal(e.failure, failure);
    }
    return true;
  });
  assert.ok(seen.some((e) => e.host?.includes(host) && e.failure === failure), "onConnectionError saw the attempt");
}

/** Registers the suite for one runtime's connect(). */
/** Bun's default is 5 s per test; these wait out connection timeouts, several times over on a loaded machine. */
const TEST_TIMEOUT_MS = 120_000;

export function connectErrorsSuite(name: string, connect: Connect): void {
  describe(`${name}: connection errors`, () => {
    const base = Number(process.env.KMETA_CONNECT_TEST_PORT ?? 0);
    const servers: net.Server[] = [];
    const sockets = new Set<net.Socket>();
    const ports = { closed: 0, silent: 0, hangUp: 0, garbage: 0 };

    const listen = async (offset: number, onSocket: (s: net.Socket) => void): Promise<number> => {
      const server = net.createServer((s) => {
        sockets.add(s);
        s.on("error", () => {});
        s.on("close", () => sockets.delete(s));
        onSocket(s);
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(base ? base + offset : 0, "127.0.0.1", resolve));
      return (server.address() as net.AddressInfo).port;
    };

    before(async () => {
      // A port nothing listens on: opened, then closed again.
      ports.closed = await listen(0, () => {});
      await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
      ports.silent = await listen(1, () => {});
      ports.hangUp = await listen(2, (s) => s.destroy());
      ports.garbage = await listen(3, (s) => s.write("220 smtp.example.com ESMTP ready\r\n"));
    });
    after(async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    });

    const at = (port: number) => `127.0.0.1:${port}`;

    it("zk:// to a port nothing listens on: refused", { timeout: TEST_TIMEOUT_MS }, () =>
      assertFails(connect, `zk://${at(ports.closed)}`, at(ports.closed), "refused", /connection refused/));
    it("zk:// to a port that accepts and stays silent: timeout", { timeout: TEST_TIMEOUT_MS }, () =>
      assertFails(connect, `zk://${at(ports.silent)}`, at(ports.silent), "timeout", /no ZooKeeper handshake reply|not answered yet/));
    it("zk:// to a port that accepts and closes: closed", { timeout: TEST_TIMEOUT_MS }, () =>
      assertFails(connect, `zk://${at(ports.hangUp)}`, at(ports.hangUp), "closed", /accepted the connection and closed it/));
    it("zk:// to a port that answers garbage: not a ZooKeeper server", { timeout: TEST_TIMEOUT_MS }, () =>
      assertFails(connect, `zk://${at(ports.garbage)}`, at(ports.garbage), "protocol", /not a ZooKeeper server \(its handshake reply starts "220 smtp/));
    it("zk:// to a host name that does not resolve: unresolved", { timeout: TEST_TIMEOUT_MS }, () =>
      assertFails(connect, "zk://no-such-host.invalid:2181", "no-such-host.invalid:2181", "unresolved", /host name not resolved/));
    it("zk:// to etcd's port: no ZooKeeper handshake reply", { timeout: TEST_TIMEOUT_MS }, () => {
      const etcd = required("KMETA_ETCD");
      return assertFails(connect, `zk://${etcd}`, etcd, "timeout", /no ZooKeeper handshake reply|not answered yet/);
    });
    it("etcd:// to ZooKeeper's port: it closes the connection, not an etcd gRPC port", { timeout: TEST_TIMEOUT_MS }, () => {
      const zk = required("KMETA_ZK");
      return assertFails(connect, `etcd://${zk}`, zk, "closed", /not an etcd gRPC port/);
    });
    it("etcds:// to a plain-text etcd: TLS handshake failed", { timeout: TEST_TIMEOUT_MS }, () => {
      const etcd = required("KMETA_ETCD");
      return assertFails(connect, `etcds://${etcd}`, etcd, "tls", /TLS handshake failed/);
    });
    it("etcd:// to a port nothing listens on: refused", { timeout: TEST_TIMEOUT_MS }, () =>
      assertFails(connect, `etcd://${at(ports.closed)}`, at(ports.closed), "refused", /connection refused/));
    it("etcd:// to a port that answers garbage: not an etcd server", { timeout: TEST_TIMEOUT_MS }, () =>
      assertFails(connect, `etcd://${at(ports.garbage)}`, at(ports.garbage), "protocol", /not an etcd server/));

    it("an onConnectionError that throws goes to onHandlerError and breaks nothing", { timeout: TEST_TIMEOUT_MS }, async () => {
      const thrown: string[] = [];
      await assert.rejects(
        connect(`zk://${at(ports.closed)}`, {
          connectionTimeoutMs: 3000,
          onConnectionError: () => {
            throw new Error("hook bug");
          },
          onHandlerError: (e, name) => thrown.push(`${name}: ${(e as Error).message}`),
        }),
        (e) => isKeeperError(e, ErrorCode.OperationTimeout) && /connection refused/.test(e.message),
      );
      assert.ok(thrown.length >= 1 && thrown.every((t) => t === "onConnectionError: hook bug"), thrown.join());
    });

    it("zk:// with one silent host of two: connectionTimeoutMs bounds the whole connect, not each host", { timeout: TEST_TIMEOUT_MS }, async () => {
      const zk = required("KMETA_ZK");
      // Before, each host got sessionTimeoutMs / hosts = 9 s and a silent first host failed the 6 s
      // connect; now each gets 3 s of the 6. Three connects, so the silent host comes first in most.
      for (let i = 0; i < 3; i++) {
        const client = await connect(`zk://${at(ports.silent)},${zk}`, { sessionTimeoutMs: 18000, connectionTimeoutMs: 6000 });
        assert.equal(client.connectionState, "CONNECTED");
        await client.close();
      }
    });
  });
}
