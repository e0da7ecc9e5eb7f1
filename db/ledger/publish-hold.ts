import type { HoldChange } from "./hold-record";
import { notice } from "./notice";
import type { LedgerEventSink } from "./types";

/**
 * Tells the account's live stream that its held amount changed (`hold` event,
 * type `hold.<status>`), after commit. Replays publish nothing.
 */
export function publishHoldChange(events: LedgerEventSink, change: HoldChange): void {
  if (change.replayed) return;
  events.notify(
    notice(change.hold.accountId, "hold", `hold.${change.hold.status === "active" ? "created" : change.hold.status}`, {
      hold: change.hold,
      balance: change.balance,
      held: change.held,
      available: change.available,
    }),
  );
}
