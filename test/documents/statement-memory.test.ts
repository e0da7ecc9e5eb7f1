import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { DEMO_ISSUER } from "../../db/documents/issuer";
import type { StatementSnapshot } from "../../db/documents/types";
import type { LedgerEntry } from "../../db/ledger/types";
import { renderStatement } from "../../server/documents/pdf/statement";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const N = 100_000;

/** A month of N usage entries, each with a distinct balance (as in a real month), generated lazily. */
async function* month(heapAt: Map<number, number>): AsyncGenerator<LedgerEntry> {
  for (let i = 1; i <= N; i++) {
    if (i % 20_000 === 0) {
      gc();
      heapAt.set(i, process.memoryUsage().heapUsed);
    }
    yield {
      id: `le_${i}`,
      accountId: "acc_memory",
      type: "usage",
      amount: -(7 + (i % 13)),
      balanceAfter: 10_000_000 - i * 11,
      sequence: i,
      currency: "EUR",
      description: `API call ${i % 50}`,
      createdAt: new Date(Date.UTC(2026, 10, 1 + (i % 30))).toISOString(),
    } as unknown as LedgerEntry;
  }
}

/**
 * Issue 9, point 4: a month of 100 000 entries renders in bounded memory. The renderer is fed
 * from a generator (the database cursor's part is covered in statements.test.ts), and the heap
 * is measured after a forced GC every 20 000 entries. Before the per-page reset of pdfkit's
 * layout cache the heap grew by about 2 KB an entry (~160 MB over this month).
 */
describe("statement rendering memory", () => {
  it("renders 100 000 entries with a flat heap", { timeout: 600_000 }, async () => {
    const heapAt = new Map<number, number>();
    const snapshot: StatementSnapshot = {
      kind: "statement",
      issuer: DEMO_ISSUER,
      buyer: { name: "Memory GmbH", addressLines: ["Hauptstraße 1"], country: "DE", vatId: null, email: null },
      period: "2026-11",
      from: "2026-11-01T00:00:00.000Z",
      to: "2026-12-01T00:00:00.000Z",
      openingBalance: 10_000_000,
      closingBalance: 10_000_000 - N * 11,
      totals: [{ type: "usage", amount: -N * 11, count: N }],
      entryCount: N,
      firstSequence: 1,
      lastSequence: N,
      interim: false,
    };
    const doc = renderStatement(
      { accountId: "acc_memory", number: "S-2026-11-000001", issuedAt: new Date("2026-12-01T00:00:00Z"), currency: "EUR", locale: "de", snapshot },
      month(heapAt),
    );
    let bytes = 0;
    let tail: Buffer = Buffer.alloc(0);
    for await (const chunk of doc as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      tail = chunk.subarray(-32);
    }
    expect(tail.toString("latin1")).toContain("%%EOF");
    expect(bytes).toBeGreaterThan(4_000_000);
    const first = heapAt.get(20_000)!;
    const last = heapAt.get(N)!;
    expect(heapAt.size).toBe(5);
    // 80 000 more entries (~1 500 pages) may not grow the live heap by more than 16 MB.
    expect(last - first).toBeLessThan(16 * 1024 * 1024);
  });
});
