import type { Queryable } from "../client";

/**
 * The system accounts on the other side of every entry, one set per currency.
 * - stripe_clearing: money received from the payment provider (top-ups).
 * - usage_revenue: usage debited from customers.
 * - promotions: bonus credits.
 * - adjustments: operator corrections.
 * - refunds: money the provider paid back to customers (payment_reversals, kind refund).
 * - disputes: money withdrawn by card disputes, and reinstated when one is won.
 * Migration 0004 created refunds and disputes for the currencies that existed before them.
 */
export const SYSTEM_ACCOUNT_CODES = [
  "stripe_clearing",
  "usage_revenue",
  "promotions",
  "adjustments",
  "refunds",
  "disputes",
] as const;
export type SystemAccountCode = (typeof SYSTEM_ACCOUNT_CODES)[number];

/** Deterministic id, so a posting names its contra account without a lookup. */
export function systemAccountId(code: SystemAccountCode, currency: string): string {
  return `sys_${code}_${currency}`;
}

/** Creates the system accounts for `currency` if missing. Idempotent. */
export async function ensureSystemAccounts(q: Queryable, currency: string): Promise<void> {
  const rows = SYSTEM_ACCOUNT_CODES.map((code) => ({
    id: systemAccountId(code, currency),
    kind: "system",
    code,
    name: code.replace("_", " "),
    currency,
  }));
  await q`INSERT INTO accounts ${q(rows, "id", "kind", "code", "name", "currency")} ON CONFLICT (id) DO NOTHING`;
}
