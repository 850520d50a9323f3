// The server's state in Prometheus' text exposition format (version 0.0.4).
import type { ZooKeeperServer } from "./server.ts";
import { LATENCY_BUCKETS_MS } from "./stats.ts";

/** Every metric `kmeta serve --metrics` exposes. */
export function renderMetrics(server: ZooKeeperServer): string {
  const s = server.summary();
  const stats = server.stats;
  const out: string[] = [];
  const metric = (name: string, type: "gauge" | "counter" | "histogram", help: string, lines: string[]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
  };
  metric("kmeta_connections", "gauge", "Client connections open.", [`kmeta_connections ${s.connections.length}`]);
  metric("kmeta_sessions", "gauge", "Sessions alive (with or without a connection).", [`kmeta_sessions ${s.sessions}`]);
  metric("kmeta_outstanding_requests", "gauge", "Requests received and not yet answered.", [`kmeta_outstanding_requests ${s.outstanding}`]);
  metric("kmeta_watches", "gauge", "Watches armed.", [`kmeta_watches ${s.watches?.total ?? 0}`]);
  metric("kmeta_znodes", "gauge", "Nodes in the tree.", [`kmeta_znodes ${s.nodes ?? 0}`]);
  metric("kmeta_packets_received_total", "counter", "Frames received.", [`kmeta_packets_received_total ${s.packetsReceived}`]);
  metric("kmeta_packets_sent_total", "counter", "Frames sent.", [`kmeta_packets_sent_total ${s.packetsSent}`]);
  metric("kmeta_watch_events_total", "counter", "Watch notifications sent.", [`kmeta_watch_events_total ${stats.watchEvents}`]);
  if (s.oracle) {
    metric("kmeta_oracle_checks_total", "counter", "Answers compared with the reference ZooKeeper.", [`kmeta_oracle_checks_total ${s.oracle.checks}`]);
    metric("kmeta_oracle_divergences_total", "counter", "Answers that differed from the reference ZooKeeper's.", [
      `kmeta_oracle_divergences_total ${s.oracle.divergences}`,
    ]);
  }
  metric(
    "kmeta_requests_total",
    "counter",
    "Requests by op.",
    [...stats.requests].map(([op, n]) => `kmeta_requests_total{op="${op}"} ${n}`),
  );
  metric("kmeta_request_latency_ms", "histogram", "Store time per request, milliseconds.", [
    ...LATENCY_BUCKETS_MS.map((le, i) => `kmeta_request_latency_ms_bucket{le="${le}"} ${stats.latencyBuckets[i]}`),
    `kmeta_request_latency_ms_bucket{le="+Inf"} ${stats.latencyCount}`,
    `kmeta_request_latency_ms_sum ${stats.latencySumMs}`,
    `kmeta_request_latency_ms_count ${stats.latencyCount}`,
  ]);
  return out.join("\n") + "\n";
}
