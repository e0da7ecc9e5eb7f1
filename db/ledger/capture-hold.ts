import { withTransaction } from "../client";
import { CaptureExceedsHoldError, HoldNotActiveError, HoldNotFoundError } from "./errors";
import { toHold, type Hold, type HoldRow } from "./hold-record";
import { postEntry, toBalanceEvent } from "./post-entry";
import { publishHoldChange } from "./publish-hold";
import type { LedgerContext, PostedEntry } from "./types";

export interface CaptureHoldInput {
  accountId: string;
  holdId: string;
  /** Minor units, 1 .. the hold's amount. */
  amount: number;
}

/**
 * Charges up to the held amount and releases the hold, in one transaction: locks the
 * hold (`FOR UPDATE`, so a void, an expiry or a second capture waits and then finds it
 * no longer active), releases the whole hold from `held`, and posts a `capture` entry of
 * `amount` (a debit to usage revenue; the funds rule holds because they were reserved).
 * Publishes the balance event and `hold.captured` after commit.
 * @throws HoldNotFoundError, HoldNotActiveError, CaptureExceedsHoldError, AccountSuspendedError
 */
export async function captureHold(
  ctx: LedgerContext,
  input: CaptureHoldInput,
): Promise<{ hold: Hold; posted: PostedEntry }> {
  const result = await withTransaction(ctx.sql, async (tx) => {
    const [hold] = await tx<HoldRow[]>`
      SELECT * FROM holds WHERE id = ${input.holdId} AND account_id = ${input.accountId} FOR UPDATE`;
    if (!hold) throw new HoldNotFoundError(input.holdId);
    if (hold.status !== "active") throw new HoldNotActiveError(hold.id, hold.status);
    if (input.amount > hold.amount) throw new CaptureExceedsHoldError(hold.amount, input.amount);
    await tx`UPDATE accounts SET held = held - ${hold.amount}::bigint WHERE id = ${hold.account_id}`;
    const posted = await postEntry(tx, {
      accountId: hold.account_id,
      amount: -input.amount,
      type: "capture",
      contra: "usage_revenue",
      externalRef: `capture_${hold.id}`,
      description: hold.description ?? "Hold captured",
      metadata: { holdId: hold.id },
    });
    const [updated] = await tx<HoldRow[]>`
      UPDATE holds SET status = 'captured', captured_amount = ${input.amount}, capture_entry_id = ${posted.entry.id},
                       released_at = now()
       WHERE id = ${hold.id} RETURNING *`;
    return { hold: toHold(updated!), posted };
  });
  ctx.events.publish(toBalanceEvent(result.posted));
  publishHoldChange(ctx.events, {
    hold: result.hold,
    balance: result.posted.balance,
    held: result.posted.held,
    available: result.posted.available,
    replayed: false,
  });
  return result;
}
