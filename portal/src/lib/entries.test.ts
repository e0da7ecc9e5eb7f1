import { describe, expect, it } from "vitest";
import type { LedgerEntry } from "./api";
import { mergeEntries } from "./entries";

function entry(sequence: number): LedgerEntry {
  return {
    id: `led_${sequence}`,
    accountId: "acc_1",
    type: "usage",
    amount: -100,
    balanceAfter: 1000 - sequence * 100,
    sequence,
    currency: "EUR",
    idempotencyKey: null,
    externalRef: null,
    description: null,
    metadata: null,
    meter: null,
    quantity: null,
    unitPrice: null,
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, sequence)).toISOString(),
  };
}

describe("mergeEntries", () => {
  it("dedupes by id, orders newest first and caps the length", () => {
    const merged = mergeEntries([entry(5), entry(3)], [entry(4), entry(3), entry(2), entry(1)], 3);
    expect(merged.map((e) => e.sequence)).toEqual([5, 4, 3]);
  });
});
