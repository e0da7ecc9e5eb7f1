import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { openDatabase, type Sql } from "../db/client";
import { ensureSystemAccounts } from "../db/ledger/system-accounts";
import { API_KEY_PREFIX, SESSION_COOKIE, sha256Hex } from "../server/auth/tokens";

/** One seeded customer: what a load generator needs to act as its platform and its portal user. */
export interface SeededAccount {
  accountId: string;
  /** `lb_sk_...` with scopes usage:write, balance:read, topups:write. */
  apiKey: string;
  /** `lb_session=...` for the owner's portal session (SSE, top-ups). */
  cookie: string;
}

/** Rows per INSERT (unnest arrays): keeps each statement's parameters small. */
const BATCH = 5_000;
/** Overdraft that no bounded load test exhausts (minor units): debits never fail for funds. */
export const LOAD_OVERDRAFT_MINOR = 1_000_000_000_000;

/**
 * Creates `count` EUR customer accounts straight in SQL (accounts, owner users,
 * memberships, 24 h sessions, API keys), in batches of BATCH rows: 10 000 take ~1-2 s.
 * Account ids are `acc_load_<tag>_<i>` for i in 0..count-1 (`tag` defaults to a random
 * one, so seeding twice does not collide; pgbench computes ids from a fixed tag).
 * Balances start at 0 with overdraft LOAD_OVERDRAFT_MINOR, so the ledger invariants
 * hold (no entries, balance 0) and every debit passes the funds rule.
 */
export async function seedAccounts(sql: Sql, count: number, tag = randomBytes(4).toString("hex")): Promise<SeededAccount[]> {
  await ensureSystemAccounts(sql, "EUR");
  const seeded: SeededAccount[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const n = Math.min(BATCH, count - start);
    const ids = Array.from({ length: n }, (_, i) => `${tag}_${start + i}`);
    const keys = ids.map(() => `${API_KEY_PREFIX}${randomBytes(24).toString("base64url")}`);
    const tokens = ids.map(() => randomBytes(24).toString("base64url"));
    await sql.begin(async (tx) => {
      await tx`
        INSERT INTO accounts (id, kind, name, currency, overdraft_limit)
        SELECT 'acc_load_' || id, 'customer', 'Load ' || id, 'EUR', ${LOAD_OVERDRAFT_MINOR} FROM unnest(${ids}::text[]) AS id`;
      await tx`
        INSERT INTO users (id, email, name, password_hash)
        SELECT 'usr_load_' || id, 'load_' || id || '@example.test', 'Load', 'x' FROM unnest(${ids}::text[]) AS id`;
      await tx`
        INSERT INTO account_members (account_id, user_id, role)
        SELECT 'acc_load_' || id, 'usr_load_' || id, 'owner' FROM unnest(${ids}::text[]) AS id`;
      await tx`
        INSERT INTO sessions (id, user_id, account_id, expires_at, public_id)
        SELECT h, 'usr_load_' || id, 'acc_load_' || id, now() + interval '24 hours', 'ses_load_' || id
          FROM unnest(${ids}::text[], ${tokens.map(sha256Hex)}::text[]) AS t(id, h)`;
      await tx`
        INSERT INTO api_keys (id, account_id, name, prefix, key_hash, scopes)
        SELECT 'key_load_' || id, 'acc_load_' || id, 'load', left(k, 10), h, ARRAY['usage:write', 'balance:read', 'topups:write']
          FROM unnest(${ids}::text[], ${keys}::text[], ${keys.map(sha256Hex)}::text[]) AS t(id, k, h)`;
    });
    ids.forEach((id, i) =>
      seeded.push({ accountId: `acc_load_${id}`, apiKey: keys[i]!, cookie: `${SESSION_COOKIE}=${tokens[i]!}` }),
    );
  }
  return seeded;
}

/**
 * Seeds `count` accounts (seedAccounts) on `databaseUrl` and writes them as JSON to
 * .cache/loadtest/seed.json, the SEED_FILE the k6 scenarios read. Returns the file's
 * absolute path and the accounts; logs the time taken.
 */
export async function seedForK6(databaseUrl: string, count: number, tag?: string): Promise<{ seedFile: string; accounts: SeededAccount[] }> {
  const database = openDatabase(databaseUrl, { max: 2 });
  const started = performance.now();
  const accounts = await seedAccounts(database.sql, count, tag)
    // statistics for the planner now, not when autovacuum gets to it (off on some machines:
    // the batch's account lock then picked a partial index and took ~0.9 s instead of ~10 ms)
    .then(async (seeded) => (await database.sql`ANALYZE`, seeded))
    .finally(() => database.close());
  process.stdout.write(`seeded ${accounts.length} accounts in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  mkdirSync(".cache/loadtest", { recursive: true });
  const seedFile = resolve(".cache/loadtest/seed.json");
  writeFileSync(seedFile, JSON.stringify(accounts));
  return { seedFile, accounts };
}
