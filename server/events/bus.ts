import type { BalanceEvent, LedgerEventSink } from "../../db/ledger/types";

/** Called for each BalanceEvent of the subscribed account, in arrival order. */
export type BalanceListener = (event: BalanceEvent) => void;

/**
 * Fan-out of BalanceEvents to every API process: Redis pub/sub across instances
 * (redis.ts) or an in-process emitter (in-process.ts) for the single-process default.
 * `publish` never throws (a lost live event is recovered by the client through
 * Last-Event-ID / sequence gap refetch); failures are logged.
 */
export interface EventBus extends LedgerEventSink {
  /** Resolves once the subscription is active; returns the unsubscribe function. */
  subscribe(accountId: string, listener: BalanceListener): Promise<() => void>;
  close(): Promise<void>;
}
