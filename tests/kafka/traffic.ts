// A background producer with acks=all that records which keys the cluster acknowledged, so a test can
// show no acknowledged message was lost across broker and server faults. Every send goes to one partition:
// kafkajs 2.2.4 keeps the answers of a multi-broker send across its retries, so after a leader change it can
// resolve without re-sending the part that failed (seen here as acknowledged keys missing on ZooKeeper;
// tulios/kafkajs pull request #1798).
import type { Kafka } from "kafkajs";
import kafkajs from "kafkajs";

export interface Traffic {
  /** Keys whose send resolved (acknowledged by every in-sync replica). */
  readonly acked: ReadonlySet<string>;
  /** Sends that failed after the client's retries (their keys may or may not have been written). */
  readonly failed: number;
  /** Resolves after the send in flight; no sends after it. */
  stop(): Promise<void>;
}

/** Sends `batch` keyed messages at a time to `topic`'s partitions in turn, one send after another, until stopped. */
export async function startTraffic(kafka: Kafka, topic: string, partitions: number, prefix: string, batch = 20): Promise<Traffic> {
  const producer = kafka.producer({
    createPartitioner: kafkajs.Partitioners.LegacyPartitioner,
    retry: { retries: 30, initialRetryTime: 200, maxRetryTime: 2000 },
  });
  await producer.connect();
  const acked = new Set<string>();
  let failed = 0;
  let running = true;
  const loop = (async () => {
    for (let n = 0; running; n += batch) {
      const keys = Array.from({ length: batch }, (_, i) => `${prefix}${n + i}`);
      const partition = (n / batch) % partitions;
      try {
        await producer.send({ topic, acks: -1, timeout: 10000, messages: keys.map((key) => ({ key, value: key, partition })) });
        for (const k of keys) acked.add(k);
      } catch {
        failed++;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    acked,
    get failed() {
      return failed;
    },
    async stop() {
      running = false;
      await loop;
      await producer.disconnect();
    },
  };
}
