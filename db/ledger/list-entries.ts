import type { Queryable, Sql } from "../client";
import { toLedgerEntry, type LedgerEntryRow } from "./entry-row";
import type { LedgerEntry } from "./types";

export interface ListEntriesInput {
  accountId: string;
  /** 1..100. */
  limit: number;
  /** Return entries with a sequence below this one (newest first) ... */
  beforeSequence?: number;
  /** ... or above this one (oldest first: SSE replay). */
  afterSequence?: number;
  type?: LedgerEntry["type"];
  from?: Date;
  to?: Date;
  /** Text the description contains, case-insensitively (no wildcards: `%` and `_` match themselves). */
  q?: string;
}

/**
 * `AND description ILIKE '%q%'` with LIKE's wildcards and escape character escaped, so the
 * text matches literally; served by the trigram index ledger_entries_description_trgm_idx
 * (3+ characters; shorter text scans the account's entries).
 */
const descriptionContains = (q: Queryable, text: string | undefined) =>
  text ? q`AND description ILIKE ${`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}` : q``;

/**
 * Entries of one account, by sequence: newest first, or oldest first when
 * `afterSequence` is given. Keyset pagination on the (account_id, sequence) index.
 */
export async function listEntries(q: Queryable, input: ListEntriesInput): Promise<LedgerEntry[]> {
  const ascending = input.afterSequence !== undefined;
  const rows = await q<LedgerEntryRow[]>`
    SELECT id, account_id, type, amount, balance_after, sequence, currency, idempotency_key,
           external_ref, description, metadata, meter, quantity, unit_price, created_at
      FROM ledger_entries
     WHERE account_id = ${input.accountId}
       ${input.beforeSequence !== undefined ? q`AND sequence < ${input.beforeSequence}` : q``}
       ${ascending ? q`AND sequence > ${input.afterSequence!}` : q``}
       ${input.type ? q`AND type = ${input.type}` : q``}
       ${input.from ? q`AND created_at >= ${input.from}` : q``}
       ${input.to ? q`AND created_at < ${input.to}` : q``}
       ${descriptionContains(q, input.q)}
     ORDER BY sequence ${ascending ? q`ASC` : q`DESC`}
     LIMIT ${input.limit}`;
  return rows.map(toLedgerEntry);
}

/** Rows fetched per round trip when streaming entries: 500. */
const STREAM_BATCH_ROWS = 500;

/**
 * Every entry of one account matching the filters, oldest first (by sequence), through
 * a server-side cursor STREAM_BATCH_ROWS at a time: exports and statements of any size
 * are read with bounded memory. `fromSequence`/`toSequence` bound it inclusively.
 */
export async function* streamEntries(
  sql: Sql,
  input: Omit<ListEntriesInput, "limit" | "beforeSequence" | "afterSequence"> & { fromSequence?: number; toSequence?: number },
): AsyncGenerator<LedgerEntry> {
  const cursor = sql<LedgerEntryRow[]>`
    SELECT id, account_id, type, amount, balance_after, sequence, currency, idempotency_key,
           external_ref, description, metadata, created_at
      FROM ledger_entries
     WHERE account_id = ${input.accountId}
       ${input.fromSequence !== undefined ? sql`AND sequence >= ${input.fromSequence}` : sql``}
       ${input.toSequence !== undefined ? sql`AND sequence <= ${input.toSequence}` : sql``}
       ${input.type ? sql`AND type = ${input.type}` : sql``}
       ${input.from ? sql`AND created_at >= ${input.from}` : sql``}
       ${input.to ? sql`AND created_at < ${input.to}` : sql``}
       ${descriptionContains(sql, input.q)}
     ORDER BY sequence`.cursor(STREAM_BATCH_ROWS);
  for await (const rows of cursor) for (const r of rows) yield toLedgerEntry(r);
}
