import type { Sql } from "../client";

/** How long Idempotency-Keys are kept: 24 h, Stripe's retention (docs.stripe.com/api/idempotent_requests). */
export const IDEMPOTENCY_RETENTION_HOURS = 24;

/** Most keys deleted per run: 10 000 (bounded work; the hourly job continues where it stopped). */
const PRUNE_BATCH = 10_000;

/**
 * Deletes Idempotency-Keys created more than IDEMPOTENCY_RETENTION_HOURS before `now`
 * (the hourly `prune_idempotency_keys` worker job), at most PRUNE_BATCH per call. A
 * request sent with a pruned key runs as new; the ledger still refuses to apply its
 * money twice (ledger entries and holds keep their key for good).
 * @returns how many were deleted
 */
export async function pruneIdempotencyKeys(sql: Sql, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - IDEMPOTENCY_RETENTION_HOURS * 3_600_000);
  const rows = await sql`
    DELETE FROM idempotency_keys WHERE (scope, key) IN (
      SELECT scope, key FROM idempotency_keys WHERE created_at < ${cutoff} LIMIT ${PRUNE_BATCH})`;
  return rows.count;
}
