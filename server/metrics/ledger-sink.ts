import type { LedgerEventSink } from "../../db/ledger/types";
import type { Metrics } from "./registry";

/**
 * Wraps the sink the ledger verbs publish to after commit, counting each committed
 * entry by type (`ledger_entries_posted_total`). Every posting publishes exactly one
 * event after its commit and a replay publishes none (db/ledger/README.md, rule 8),
 * so this counts committed entries without touching the verbs. Notices pass through.
 */
export function countingSink(sink: LedgerEventSink, metrics: Metrics): LedgerEventSink {
  return {
    publish(event) {
      metrics.ledgerEntriesPosted.inc({ type: event.entry.type });
      sink.publish(event);
    },
    notify: (notice) => sink.notify(notice),
  };
}
