import postgres from "postgres";

export type Sql = postgres.Sql;
/** A postgres.js connection or transaction: what ledger helpers run their SQL on. */
export type Queryable = postgres.Sql | postgres.TransactionSql;

/**
 * int8 columns (amounts, balances, sequences) as JS numbers. Amount bounds
 * (db/money.ts) keep every value far below 2^53; a value outside the safe range
 * throws instead of silently losing precision.
 */
const int8AsSafeNumber = {
  to: 20,
  from: [20],
  serialize: (x: number | bigint) => x.toString(),
  parse: (x: string) => {
    const n = Number(x);
    if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${x} exceeds Number.MAX_SAFE_INTEGER`);
    return n;
  },
};

/**
 * The pool. Queries are explicit SQL through postgres.js (the schema in db/schema is
 * drizzle's, for migrations). Drizzle's postgres-js driver rewrites the client's date
 * parsers, so it only ever gets its own client (db/migrate.ts).
 */
export interface Database {
  sql: Sql;
  /** The URL it was opened with (migrations open their own connection to it). */
  url: string;
  close(): Promise<void>;
}

/**
 * Opens a pool to `url`. `max` is the pool size (connections).
 * @throws Error with a readable message when the server cannot be reached (on first query).
 */
export function openDatabase(url: string, options: { max?: number } = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    types: { int8: int8AsSafeNumber },
    connection: { application_name: "live-balance" },
  });
  return { sql, url, close: () => sql.end({ timeout: 5 }) };
}

/**
 * Runs `fn` in a transaction: a new one on a pool, or the caller's when `q` already is a
 * transaction (openstatus' `withTransaction`), so a verb's statements can join a larger
 * unit of work, e.g. the stored response of an idempotent request (server/middleware/idempotency.ts).
 */
export function withTransaction<T>(q: Queryable, fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return "begin" in q ? (q.begin(fn) as Promise<T>) : fn(q);
}
