import type { Metrics } from "./registry";

type JobEvent = "job:success" | "job:error" | "job:failed";

/** The part of graphile-worker's `WorkerEvents` emitter this needs (each payload carries `job.task_identifier`). */
export interface JobEventSource {
  on(event: JobEvent, listener: (payload: { job: { task_identifier: string } }) => void): unknown;
}

/** graphile-worker event -> `outcome` label (interfaces.d.ts of graphile-worker 0.16). */
const OUTCOMES: Record<JobEvent, string> = {
  "job:success": "success",
  // an attempt threw; graphile-worker retries it with backoff
  "job:error": "error",
  // the last attempt threw (max_attempts reached); emitted after job:error
  "job:failed": "failed",
};

/**
 * Counts graphile-worker job outcomes in `worker_jobs_total{task, outcome}` with
 * outcome success | error | failed (see OUTCOMES). Pass the runner's `events`
 * emitter (`run({ events })` or `runner.events`).
 */
export function recordJobOutcomes(events: JobEventSource, metrics: Metrics): void {
  for (const [event, outcome] of Object.entries(OUTCOMES) as [JobEvent, string][]) {
    events.on(event, ({ job }) => metrics.jobOutcomes.inc({ task: job.task_identifier, outcome }));
  }
}
