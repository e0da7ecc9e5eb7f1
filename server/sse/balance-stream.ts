import { getBalance } from "../../db/ledger/get-balance";
import { listEntries } from "../../db/ledger/list-entries";
import type { AccountNotice, BalanceEvent, LedgerEntry } from "../../db/ledger/types";
import type { AppDeps } from "../context";
import { retryFrame, SSE_RETRY_MS, sseFrame, type SseSink } from "./sse-sink";

/** Most entries replayed or gap-filled in one query (bounded work per connection). */
const REPLAY_BATCH = 500;

export interface BalanceStreamInput {
  deps: AppDeps;
  accountId: string;
  /** Sequence the client last saw (Last-Event-ID), or null for a fresh connection. */
  lastEventId: number | null;
  /** For log lines; the request's pino child logger is not kept for the connection's life (memory). */
  requestId: string;
}

/**
 * The live balance protocol, per connection:
 * 1. `retry: SSE_RETRY_MS` (the browser's reconnection delay), and subscribe to the
 *    account's events (buffering them),
 * 2. read the balance now; with Last-Event-ID: replay the entries after it up to that
 *    balance's sequence as `balance` events, in order, BEFORE the snapshot: a client that
 *    shows each event as the latest then never goes back to an older balance,
 * 3. send `event: snapshot` (balance, held, available, sequence),
 * 4. then live `event: balance` with `id: <sequence>`; if a published event skips
 *    sequences (events from concurrent commits can arrive out of order), the missing
 *    entries are read from the ledger first, so every connection sees each sequence
 *    once, in order. Older duplicates are dropped.
 * 5. `: heartbeat` every HEARTBEAT_MS (the sink's shared timer, server/sse/sse-sink.ts).
 * 6. AccountNotices as `event: notification | account | hold` without an id, in arrival order.
 * Metrics: `sse_connections_open` while the connection lives; each live event's
 * commit-to-write delay in `sse_event_publish_to_write_seconds`.
 * Resolves when the client disconnects, then ends the sink; never rejects (failures are logged).
 */
export async function openBalanceStream(sink: SseSink, input: BalanceStreamInput): Promise<void> {
  const { deps, accountId } = input;
  const warn = (err: unknown, message: string) => deps.logger.warn({ err, requestId: input.requestId, accountId }, message);
  const sql = deps.database.sql;
  let lastSent = 0;
  let queue: Promise<void> = Promise.resolve();
  const buffered: BalanceEvent[] = [];
  let live = false;
  /** Held amount as last seen (snapshot or live event), for entries read back from the ledger. */
  let knownHeld = 0;

  const send = async (event: BalanceEvent) => {
    if (event.sequence <= lastSent || sink.closed) return;
    if (event.sequence > lastSent + 1) await fillGap(event.sequence - 1);
    lastSent = event.sequence;
    knownHeld = event.held;
    await sink.write(sseFrame("balance", JSON.stringify(event), event.sequence));
    deps.metrics.sseEventDelay.observe((performance.timeOrigin + performance.now() - event.committedAtMs) / 1000);
  };

  const fillGap = async (upTo: number) => {
    while (lastSent < upTo && !sink.closed) {
      const entries = await listEntries(sql, { accountId, afterSequence: lastSent, limit: Math.min(REPLAY_BATCH, upTo - lastSent) });
      if (entries.length === 0) return;
      for (const entry of entries) {
        lastSent = entry.sequence;
        await sink.write(sseFrame("balance", JSON.stringify(fromEntry(entry, knownHeld)), entry.sequence));
      }
    }
  };

  // Events are handled one at a time, in arrival order, on a promise chain.
  const onEvent = (event: BalanceEvent) => {
    if (!live) {
      buffered.push(event);
      return;
    }
    queue = queue.then(() => send(event)).catch((err: unknown) => warn(err, "sse write failed"));
  };
  const onNotice = (notice: AccountNotice) => {
    // Notices carry no sequence (no id line, so Last-Event-ID is untouched); those before
    // the snapshot are dropped: the snapshot and GET /auto-topup show the state they announce.
    if (!live) return;
    queue = queue
      .then(() => sink.write(sseFrame(notice.event, JSON.stringify(notice))))
      .catch((err: unknown) => warn(err, "sse write failed"));
  };

  let unsubscribe = () => {};
  deps.metrics.sseConnectionsOpen.inc();
  try {
    unsubscribe = await deps.bus.subscribe(accountId, onEvent, onNotice);
    await sink.write(retryFrame(SSE_RETRY_MS));
    const snapshot = await getBalance(sql, accountId);
    knownHeld = snapshot.held;
    if (input.lastEventId !== null && input.lastEventId < snapshot.sequence) {
      lastSent = input.lastEventId;
      await fillGap(snapshot.sequence);
    }
    await sink.write(sseFrame("snapshot", JSON.stringify(snapshot)));
    lastSent = Math.max(lastSent, snapshot.sequence);
    for (const event of buffered.splice(0)) await send(event);
    live = true;
    await sink.done;
  } catch (err) {
    warn(err, "sse stream failed");
  } finally {
    deps.metrics.sseConnectionsOpen.dec();
    unsubscribe();
    sink.end();
  }
}

/**
 * An entry read back from the ledger as a balance event, marked `replayed`. The ledger
 * keeps balanceAfter per entry but not the held amount at that time: `held` is the
 * latest known one.
 */
function fromEntry(entry: LedgerEntry, held: number): BalanceEvent & { replayed: true } {
  return {
    accountId: entry.accountId,
    sequence: entry.sequence,
    balance: entry.balanceAfter,
    held,
    available: entry.balanceAfter - held,
    currency: entry.currency,
    entry,
    committedAtMs: Date.parse(entry.createdAt),
    replayed: true,
  };
}
