// Runs a real Kafka 3.9 broker in ZooKeeper mode as a child JVM (the jars come from scripts/fetch-kafka.sh),
// with its data in a temp dir (or one the caller keeps across restarts), stopped by its pid.
// Env: KMETA_KAFKA_LOG_DIR keeps each broker's log there.
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const repo = new URL("../..", import.meta.url).pathname;

/** The directory of Kafka's jars, fetched into the cache on first use (a no-op when it is complete). */
export function kafkaLib(): string {
  return execFileSync("bash", [join(repo, "scripts/fetch-kafka.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
    .trim();
}

/** Runs one of Kafka's command-line tools (`mainClass` from kafka_2.13 or kafka-tools); resolves to its stdout. */
export function runTool(lib: string, mainClass: string, args: string[], timeoutMs = 120000): Promise<string> {
  const jvm = ["-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dlog4j.configuration=file:/dev/null"];
  return new Promise((resolve, reject) => {
    execFile("java", [...jvm, "-cp", `${lib}/*`, mainClass, ...args], { timeout: timeoutMs, encoding: "utf8" }, (e, stdout, stderr) => {
      if (e) reject(new Error(`${mainClass} ${args.join(" ")}: ${e.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

export interface BrokerOptions {
  lib: string;
  id: number;
  /** The broker's PLAINTEXT port on 127.0.0.1. */
  port: number;
  /** host:port/chroot; the broker creates the chroot itself. */
  zookeeperConnect: string;
  sessionTimeoutMs: number;
  /** How long to wait for "started" (a JVM on a loaded 2-core machine is slow). */
  readyTimeoutMs?: number;
  /** Brokers in the cluster (default 1): sizes the internal topics' replication. */
  clusterSize?: number;
  /** The broker's directory, kept when it exits so a restart finds its logs (the caller removes it). */
  dir?: string;
  /** Largest heap in MiB (default 384). */
  heapMb?: number;
}

export interface Broker {
  readonly id: number;
  readonly pid: number;
  /** 127.0.0.1:port, for clients. */
  readonly bootstrap: string;
  /** Everything the broker printed so far. */
  log(): string;
  /** Resolves when `pattern` appears in the log after `from` (a log length), or rejects after `timeoutMs`. */
  waitForLog(pattern: RegExp, timeoutMs: number, from?: number): Promise<void>;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM (Kafka's controlled shutdown), SIGKILL after `graceMs`; resolves when the JVM has exited. */
  stop(graceMs?: number): Promise<void>;
  readonly exited: Promise<void>;
}

// Sized for 1 or 3 brokers on 2 cores: internal topics replicated on every broker (min ISR 2 with 3) and
// few partitions, short delays, few threads.
function serverProperties(o: BrokerOptions, dataDir: string): string {
  const replication = Math.min(o.clusterSize ?? 1, 3);
  return Object.entries({
    "broker.id": o.id,
    "listeners": `PLAINTEXT://127.0.0.1:${o.port}`,
    "log.dirs": dataDir,
    "zookeeper.connect": o.zookeeperConnect,
    "zookeeper.session.timeout.ms": o.sessionTimeoutMs,
    "zookeeper.connection.timeout.ms": 30000,
    "num.partitions": 1,
    "default.replication.factor": replication,
    "offsets.topic.replication.factor": replication,
    "offsets.topic.num.partitions": 3,
    "transaction.state.log.replication.factor": replication,
    "transaction.state.log.min.isr": Math.min(replication, 2),
    "transaction.state.log.num.partitions": 3,
    "group.initial.rebalance.delay.ms": 0,
    "auto.create.topics.enable": false,
    "unclean.leader.election.enable": false,
    "file.delete.delay.ms": 1000,
    "num.network.threads": 2,
    "num.io.threads": 2,
    "background.threads": 2,
    "num.replica.fetchers": 1,
    "log.cleaner.dedupe.buffer.size": 16777216,
  }).map(([k, v]) => `${k}=${v}\n`).join("");
}

const log4j = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
`;

/** Starts broker `o.id` and resolves once it logs "started"; rejects (and kills it) if it exits or times out first. */
export async function startBroker(o: BrokerOptions): Promise<Broker> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), `kmeta-kafka-b${o.id}-`));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "server.properties"), serverProperties(o, join(dir, "data")));
  writeFileSync(join(dir, "log4j.properties"), log4j);
  const child: ChildProcess = spawn("java", [
    "-Xms64m",
    `-Xmx${o.heapMb ?? 384}m`,
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:ActiveProcessorCount=1",
    "-Djava.awt.headless=true",
    `-Dlog4j.configuration=file:${join(dir, "log4j.properties")}`,
    `-Dkafka.logs.dir=${join(dir, "logs")}`,
    "-cp",
    `${o.lib}/*`,
    "kafka.Kafka",
    join(dir, "server.properties"),
  ], { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString("utf8");
    for (const l of [...listeners]) l();
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  let done = false;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      done = true;
      const keep = process.env.KMETA_KAFKA_LOG_DIR; // broker logs kept for CI artefacts and comparisons
      if (keep) writeFileSync(join(keep, `broker-${o.id}-port-${o.port}-pid-${child.pid}.log`), text);
      if (!o.dir) rmSync(dir, { recursive: true, force: true });
      for (const l of [...listeners]) l();
      resolve();
    });
  });

  const waitForLog = (pattern: RegExp, timeoutMs: number, from = 0) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(text.slice(from))) finish();
        else if (done) finish(new Error(`broker ${o.id} exited before ${pattern}; its log ends:\n${text.slice(-3000)}`));
      };
      const timer = setTimeout(
        () => finish(new Error(`broker ${o.id}: no ${pattern} within ${timeoutMs} ms; its log ends:\n${text.slice(-3000)}`)),
        timeoutMs,
      );
      const finish = (e?: Error) => {
        clearTimeout(timer);
        listeners.delete(check);
        if (e) reject(e);
        else resolve();
      };
      listeners.add(check);
      check();
    });

  const signal = (s: NodeJS.Signals) => {
    if (!done) process.kill(child.pid!, s);
  };
  const stop = async (graceMs = 30000) => {
    signal("SIGCONT"); // a stopped JVM cannot run its shutdown hook
    signal("SIGTERM");
    const timer = setTimeout(() => signal("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const broker: Broker = {
    id: o.id,
    pid: child.pid!,
    bootstrap: `127.0.0.1:${o.port}`,
    log: () => text,
    waitForLog,
    signal,
    stop,
    exited,
  };
  try {
    await waitForLog(/\[KafkaServer id=\d+\] started/, o.readyTimeoutMs ?? 120000);
  } catch (e) {
    await stop(2000);
    throw e;
  }
  return broker;
}
