import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * The service's Prometheus metrics (prom-client), one registry per process (tests build
 * several apps in one process, so nothing goes to prom-client's global registry).
 * Durations are in seconds, as Prometheus' naming conventions ask.
 */
export interface Metrics {
  registry: Registry;
  /** labels: method, route (the matched pattern, e.g. /api/v1/usage), status */
  httpRequestDuration: Histogram<"method" | "route" | "status">;
  /** Entries committed by this process; labels: type (usage, topup, promotion, ...) */
  ledgerEntriesPosted: Counter<"type">;
  /** Money operations refused by a ledger rule; labels: route, reason (the error code) */
  ledgerRejections: Counter<"route" | "reason">;
  /** SSE connections currently open on this process */
  sseConnectionsOpen: Gauge;
  /** From committedAtMs (stamped just before publish) to the event's write on an SSE connection */
  sseEventDelay: Histogram;
  /** graphile-worker job outcomes; labels: task, outcome (success | error | failed) */
  jobOutcomes: Counter<"task" | "outcome">;
}

/**
 * Buckets (s) for request durations: 0.5 ms to 5 s. The fine low end is what matters
 * here: a debit's round trip on loopback is ~1-5 ms.
 */
const REQUEST_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Buckets (s) for commit -> SSE write: the goal is p99 < 50 ms (issue "Ops load testing"). */
const EVENT_DELAY_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/**
 * prom-client defaults that are gauges named `_total`, which Prometheus reserves for
 * counters (`promtool check metrics`: non-counter metrics should not have "_total"
 * suffix). Each is the sum of a by-type gauge it also exports (`nodejs_active_handles`,
 * `..._requests`, `..._resources`): `sum(nodejs_active_handles)` gives the same number.
 */
const MISNAMED_DEFAULTS = ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"];

/**
 * Creates the registry with every metric above plus prom-client's process defaults
 * (memory, event loop lag, GC) but MISNAMED_DEFAULTS.
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);
  const registers = [registry];
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request duration until the response headers, by matched route and status",
      labelNames: ["method", "route", "status"],
      buckets: REQUEST_BUCKETS_S,
      registers,
    }),
    ledgerEntriesPosted: new Counter({
      name: "ledger_entries_posted_total",
      help: "Ledger entries committed by this process, by entry type",
      labelNames: ["type"],
      registers,
    }),
    ledgerRejections: new Counter({
      name: "ledger_rejections_total",
      help: "Money operations refused by a ledger rule, by route and reason",
      labelNames: ["route", "reason"],
      registers,
    }),
    sseConnectionsOpen: new Gauge({
      name: "sse_connections_open",
      help: "Server-Sent Events connections open on this process",
      registers,
    }),
    sseEventDelay: new Histogram({
      name: "sse_event_publish_to_write_seconds",
      help: "Delay from a balance change's commit (publish) to its write on an SSE connection",
      buckets: EVENT_DELAY_BUCKETS_S,
      registers,
    }),
    jobOutcomes: new Counter({
      name: "worker_jobs_total",
      help: "graphile-worker jobs finished, by task and outcome",
      labelNames: ["task", "outcome"],
      registers,
    }),
  };
}
