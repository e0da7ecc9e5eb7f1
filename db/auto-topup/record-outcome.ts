import type { ChargeOutcome } from "../ledger/complete-charge";
import { notice } from "../ledger/notice";
import { enqueueNotifications } from "../notifications/enqueue";
import type { WebhookEventType } from "../webhooks/event-types";
import type { LedgerContext } from "../ledger/types";

/**
 * Consecutive failed auto top-ups after which it disables itself: 3 (the issue's rule;
 * shared/DESIGN.md "Auto top-up": never hammer a declined card).
 */
export const MAX_CONSECUTIVE_FAILURES = 3;

/**
 * Records an auto top-up attempt's outcome on the settings row and tells the customer on
 * the live stream (`notification` event, type `auto_topup.<result>`) and subscribed
 * webhook endpoints (enqueued in the same transaction):
 * - succeeded: failures reset to 0, any pause cleared;
 * - failed: failures + 1; at MAX_CONSECUTIVE_FAILURES it sets enabled = false with the
 *   reason and also sends `auto_topup.disabled`;
 * - requires_action: paused (`actionUrl` set) until the customer confirms; not a failure.
 * Only the attempt that is the settings' last one updates them (a late webhook for an
 * older attempt changes nothing).
 */
export async function recordAutoTopupOutcome(
  ctx: LedgerContext,
  attempt: { topupId: string; accountId: string },
  outcome: ChargeOutcome,
): Promise<void> {
  const reason = outcome.status === "succeeded" ? null : (outcome.failureMessage ?? outcome.status);
  const events = await ctx.sql.begin(async (tx) => {
    const [row] = await tx<{ enabled: boolean; consecutive_failures: number; disabled_reason: string | null }[]>`
    UPDATE auto_topup_settings
       SET consecutive_failures = CASE ${outcome.status}
             WHEN 'succeeded' THEN 0 WHEN 'failed' THEN consecutive_failures + 1 ELSE consecutive_failures END,
           enabled = enabled AND NOT (${outcome.status} = 'failed' AND consecutive_failures + 1 >= ${MAX_CONSECUTIVE_FAILURES}),
           disabled_reason = CASE WHEN ${outcome.status} = 'failed' AND consecutive_failures + 1 >= ${MAX_CONSECUTIVE_FAILURES}
             THEN ${`Turned off after ${MAX_CONSECUTIVE_FAILURES} failed attempts in a row. Last: ${reason ?? ""}`}
             ELSE disabled_reason END,
           action_url = ${outcome.status === "requires_action" ? outcome.actionUrl : null},
           last_result = ${outcome.status}, last_reason = ${reason}, updated_at = now()
     WHERE account_id = ${attempt.accountId} AND last_topup_id = ${attempt.topupId}
    RETURNING enabled, consecutive_failures, disabled_reason`;
    if (!row) return [];
    const data = {
      topupId: attempt.topupId,
      amount: outcome.amount,
      currency: outcome.currency,
      reason,
      actionUrl: outcome.actionUrl,
      consecutiveFailures: row.consecutive_failures,
    };
    const out: { type: WebhookEventType; data: Record<string, unknown> }[] = [
      { type: `auto_topup.${outcome.status}`, data },
    ];
    if (!row.enabled && row.disabled_reason && outcome.status === "failed") {
      out.push({ type: "auto_topup.disabled", data: { ...data, reason: row.disabled_reason } });
    }
    // The failure that turns auto top-up off is told once to people, by the `disabled` notification.
    const disabled = out.length > 1;
    for (const e of out) {
      await enqueueNotifications(tx, { accountId: attempt.accountId, ...e }, { notify: !disabled || e.type !== "auto_topup.failed" });
    }
    return out;
  });
  for (const e of events) ctx.events.notify(notice(attempt.accountId, "notification", e.type, e.data));
}
