import { DEMO_ISSUER } from "../../db/documents/issuer";
import postgres from "postgres";
import { debit } from "../../db/ledger/debit";

/** A statement as postgres.js sent it: text with $1..$n, and the parameter values. */
export interface CapturedStatement {
  text: string;
  params: unknown[];
}

/**
 * The exact SQL our debit sends (db/ledger/post-entry.ts), captured from postgres.js'
 * `debug` hook while debiting 1 minor unit from `accountId` through the real verb, so
 * the benchmark follows any change to the statement.
 * @throws Error when the debit fails or sent no statement naming ledger_entries.
 */
export async function captureDebitStatement(databaseUrl: string, accountId: string): Promise<CapturedStatement> {
  let captured: CapturedStatement | null = null;
  const sql = postgres(databaseUrl, {
    max: 1,
    onnotice: () => {},
    debug: (_connection, text, params) => {
      if (text.includes("INSERT INTO ledger_entries")) captured ??= { text, params: params as unknown[] };
    },
  });
  try {
    await debit({ sql, events: { publish: () => {}, notify: () => {} }, issuer: DEMO_ISSUER }, { accountId, amount: 1 });
  } finally {
    await sql.end();
  }
  if (!captured) throw new Error("the debit sent no INSERT INTO ledger_entries statement");
  return captured;
}

/**
 * The captured statement as a pgbench script: the account id becomes
 * `'<accountIdPrefix>' || :n` (pgbench variable n, an index set by `nExpression`, e.g.
 * `random(0, 9999)`), the entry id a time-ordered id made in SQL (as db/ids.ts makes
 * them in Node), and every other parameter its literal value. pgbench runs it with
 * `-M prepared`, as postgres.js prepares its statements.
 */
export function toPgbenchScript(statement: CapturedStatement, accountId: string, accountIdPrefix: string, nExpression: string): string {
  let text = statement.text;
  // highest index first, so $1 does not match the start of $10
  for (let i = statement.params.length; i >= 1; i--) {
    const value = statement.params[i - 1];
    let literal: string;
    if (value === accountId) literal = `('${accountIdPrefix}' || :n)`;
    else if (typeof value === "string" && value.startsWith("le_")) {
      literal = `('le_' || lpad(to_hex((extract(epoch from clock_timestamp()) * 1000)::bigint), 10, '0') || substr(md5(random()::text), 1, 16))`;
    } else if (value === null || value === undefined) literal = "NULL";
    else if (typeof value === "number" || typeof value === "boolean") literal = String(value);
    else literal = `'${String(value).replaceAll("'", "''")}'`;
    text = text.replaceAll(new RegExp(`\\$${i}(?!\\d)`, "g"), literal);
  }
  // pgbench reads one statement per line unless it ends with ';'
  return `\\set n ${nExpression}\n${text.replace(/\s+/g, " ").trim()};\n`;
}
