/** The graphile-worker task that runs an account's auto top-up (workers/tasks.ts). */
export const AUTO_TOPUP_TASK = "auto_topup";

/**
 * graphile-worker attempts for one auto_topup job: 5. Retrying is safe because a run
 * resumes its recorded attempt with the same idempotency key (workers/run-auto-topup.ts);
 * the periodic sweep catches a job that gave up.
 */
export const AUTO_TOPUP_JOB_MAX_ATTEMPTS = 5;

/** One queued job per account at a time: job_key `auto_topup:<accountId>` (graphile-worker replaces an unstarted duplicate). */
export const autoTopupJobKey = (accountId: string) => `${AUTO_TOPUP_TASK}:${accountId}`;
