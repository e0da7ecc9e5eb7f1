import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import * as schema from "./schema/index";

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

export interface Database {
  /** postgres.js client: explicit SQL (the ledger). */
  sql: Sql;
  /** Drizzle over the same pool: simple reads and writes elsewhere. */
  db: ReturnType<typeof drizzle<typeof schema>>;
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
  const db = drizzle(sql, { schema });
  return { sql, db, close: () => sql.end({ timeout: 5 }) };
}

export type Db = Database["db"];
