import type { Queryable } from "../client";
import { toHoldChange, type HoldChange, type HoldRow } from "./hold-record";
import { HoldNotActiveError, HoldNotFoundError } from "./errors";
import { publishHoldChange } from "./publish-hold";
import type { LedgerContext } from "./types";

/**
 * Ends an active hold as `voided` or `expired` and releases its whole amount from the
 * account's `held`, in ONE statement: the hold row update (guarded by status = 'active',
 * so of two racing releases or a release racing a capture only one wins) and the
 * account update run together. Returns null when the hold is not active (or unknown).
 */
async function releaseHoldRow(
  q: Queryable,
  where: { holdId: string; accountId?: string },
  to: "voided" | "expired",
): Promise<HoldChange | null> {
  const [row] = await q<(HoldRow & { balance: number; account_held: number })[]>`
    WITH h AS (
      UPDATE holds SET status = ${to}, released_at = now()
       WHERE id = ${where.holdId} AND status = 'active'
         AND (${where.accountId ?? null}::text IS NULL OR account_id = ${where.accountId ?? null})
      RETURNING *
    ), acc AS (
      UPDATE accounts a SET held = a.held - h.amount, updated_at = now() FROM h WHERE a.id = h.account_id
      RETURNING a.id, a.balance, a.held
    )
    SELECT h.*, acc.balance, acc.held AS account_held FROM h JOIN acc ON acc.id = h.account_id`;
  return row ? toHoldChange(row, false) : null;
}

/**
 * POST /holds/:id/void: releases an active hold without charging. Publishes `hold.voided`.
 * @throws HoldNotFoundError (also for another account's hold), HoldNotActiveError
 */
export async function voidHold(ctx: LedgerContext, accountId: string, holdId: string): Promise<HoldChange> {
  const change = await releaseHoldRow(ctx.sql, { holdId, accountId }, "voided");
  if (!change) {
    const [row] = await ctx.sql<{ status: string }[]>`SELECT status FROM holds WHERE id = ${holdId} AND account_id = ${accountId}`;
    if (!row) throw new HoldNotFoundError(holdId);
    throw new HoldNotActiveError(holdId, row.status);
  }
  publishHoldChange(ctx.events, change);
  return change;
}

/** Most holds expired per call: 500 (bounded work per job run; the task re-runs every minute). */
const EXPIRE_BATCH = 500;

/**
 * Releases holds whose `expiresAt` <= `now` as `expired`, up to EXPIRE_BATCH, each in its
 * own statement (a hold captured or voided meanwhile is skipped). Publishes `hold.expired`
 * per hold. @returns how many expired
 */
export async function expireHolds(ctx: LedgerContext, now: Date): Promise<number> {
  const due = await ctx.sql<{ id: string }[]>`
    SELECT id FROM holds WHERE status = 'active' AND expires_at <= ${now} ORDER BY expires_at LIMIT ${EXPIRE_BATCH}`;
  let expired = 0;
  for (const { id } of due) {
    const change = await releaseHoldRow(ctx.sql, { holdId: id }, "expired");
    if (!change) continue;
    expired++;
    publishHoldChange(ctx.events, change);
  }
  return expired;
}
