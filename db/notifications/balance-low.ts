import type { Queryable } from "../client";
import { enqueueNotifications } from "./enqueue";

/** The graphile-worker task a low-balance crossing enqueues (db/ledger/post-entry.ts; workers/tasks.ts). */
export const BALANCE_LOW_TASK = "balance_low";
/** Attempts of one balance_low job: it only enqueues, so a few retries cover a database blip. */
export const BALANCE_LOW_MAX_ATTEMPTS = 5;

/** A balance_low job: the threshold crossed and the available balance just after, minor units. */
export interface BalanceLowJob {
  accountId: string;
  threshold: number;
  available: number;
}

/**
 * Tells a low-balance crossing (one transaction): the `balance.low` webhook event and its
 * emails and pushes (enqueueNotifications). The caller publishes the live `notification`.
 * @returns the event id
 */
export async function enqueueBalanceLow(tx: Queryable, job: BalanceLowJob): Promise<string> {
  const sent = await enqueueNotifications(tx, {
    accountId: job.accountId,
    type: "balance.low",
    data: { threshold: job.threshold, available: job.available },
  });
  return sent.eventId;
}
