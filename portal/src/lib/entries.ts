import type { LedgerEntry } from "./api";

/**
 * Merges ledger entries from REST pages and live events: one row per entry id,
 * newest first by the account's sequence (gap-free per account, so it orders
 * exactly like the server's "newest first"), at most `limit` rows.
 */
export function mergeEntries(
  incoming: readonly LedgerEntry[],
  existing: readonly LedgerEntry[],
  limit = Infinity,
): LedgerEntry[] {
  const byId = new Map<string, LedgerEntry>();
  for (const entry of existing) byId.set(entry.id, entry);
  for (const entry of incoming) byId.set(entry.id, entry);
  const merged = [...byId.values()].sort(
    (a, b) => b.sequence - a.sequence || b.createdAt.localeCompare(a.createdAt),
  );
  return Number.isFinite(limit) ? merged.slice(0, limit) : merged;
}
