import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { hash } from "@node-rs/argon2";
import { hashPassword } from "./auth/passwords";
import { newId } from "../db/ids";
import { credit } from "../db/ledger/credit";
import { debit } from "../db/ledger/debit";
import { InsufficientFundsError } from "../db/ledger/errors";
import { openAccount } from "../db/ledger/open-account";
import { pricedDebit } from "../db/ledger/priced-debit";
import { addMeterPrice, createMeter } from "../db/meters/meters";
import { API_KEY_PREFIX, newSecret, sha256Hex } from "./auth/tokens";
import type { AppDeps } from "./context";

export const DEMO_EMAIL = "demo@example.com";
export const DEMO_PASSWORD = "demo-password";
/** Every DEMO_USAGE_INTERVAL_MS the demo account is debited for some metered usage. */
const DEMO_USAGE_INTERVAL_MS = 3_000;

/**
 * The demo's meters with EUR prices in cents per unit (list prices of the kind AI
 * platforms publish: 2.50 EUR per million input tokens = 0.00025 cents a token), and the
 * most units one demo tick uses.
 */
const DEMO_METERS = [
  { key: "gpt-4o.input_tokens", name: "GPT-4o input tokens", unit: "token", unitAmountDecimal: "0.00025", maxPerTick: 200_000 },
  { key: "gpt-4o.output_tokens", name: "GPT-4o output tokens", unit: "token", unitAmountDecimal: "0.001", maxPerTick: 50_000 },
  { key: "voice.minutes", name: "Voice minutes", unit: "minute", unitAmountDecimal: "1.5", maxPerTick: 30 },
] as const;

export interface DemoLogin {
  email: string;
  password: string;
  accountId: string;
  apiKey: string;
}

/**
 * Creates the demo user, its EUR account with a short history (two top-ups and some
 * usage) and an API key, once; later starts reuse them. The key's secret is kept in
 * `<DATA_DIR>/demo-api-key` (we store only hashes in the database).
 */
export async function seedDemo(deps: AppDeps): Promise<DemoLogin> {
  const { sql } = deps.database;
  const keyFile = resolve(deps.env.DATA_DIR, "demo-api-key");
  const [existing] = await sql<{ account_id: string }[]>`
    SELECT m.account_id FROM users u JOIN account_members m ON m.user_id = u.id WHERE u.email = ${DEMO_EMAIL}`;
  let accountId = existing?.account_id;
  if (!accountId) {
    const userId = newId("usr");
    const passwordHash = await hash(DEMO_PASSWORD);
    accountId = await sql.begin(async (tx) => {
      await tx`INSERT INTO users (id, email, name, password_hash, email_verified_at) VALUES (${userId}, ${DEMO_EMAIL}, 'Demo Ltd', ${passwordHash}, now())`;
      const id = await openAccount(tx, { name: "Demo Ltd", currency: "EUR" });
      await tx`INSERT INTO account_members (account_id, user_id, role) VALUES (${id}, ${userId}, 'owner')`;
      return id;
    });
    await credit(deps.ledger, { accountId, amount: 5000, type: "topup", contra: "stripe_clearing", externalRef: `demo_seed_${accountId}_1`, description: "Top-up" });
    for (const [amount, description] of [[420, "GPT calls"], [135, "Voice minutes"], [980, "Batch job"]] as const) {
      await debit(deps.ledger, { accountId, amount, description });
    }
    await credit(deps.ledger, { accountId, amount: 2500, type: "topup", contra: "stripe_clearing", externalRef: `demo_seed_${accountId}_2`, description: "Top-up" });
  }
  await seedDemoMeters(deps);
  let apiKey = existsSync(keyFile) ? readFileSync(keyFile, "utf8").trim() : "";
  const [known] = apiKey ? await sql`SELECT 1 FROM api_keys WHERE key_hash = ${sha256Hex(apiKey)} AND revoked_at IS NULL` : [];
  if (!known) {
    apiKey = newSecret(API_KEY_PREFIX);
    await sql`
      INSERT INTO api_keys (id, account_id, name, prefix, key_hash, scopes)
      VALUES (${newId("key")}, ${accountId}, 'Demo key', ${apiKey.slice(0, API_KEY_PREFIX.length + 6)},
              ${sha256Hex(apiKey)}, ${["usage:write", "balance:read"]})`;
    writeFileSync(keyFile, apiKey + "\n", { mode: 0o600 });
  }
  return { email: DEMO_EMAIL, password: DEMO_PASSWORD, accountId, apiKey };
}

/**
 * The demo operator (issue 11): an admin with the demo login's email and password in
 * operator_users (a separate table from portal users), without TOTP, so the first log-in at
 * /operator/login leads through the mandatory enrolment. Created once.
 */
export async function seedDemoOperator(deps: AppDeps): Promise<{ email: string; password: string; consoleUrl: string }> {
  await deps.database.sql`
    INSERT INTO operator_users (id, email, password_hash, role)
    VALUES (${newId("opu")}, ${DEMO_EMAIL}, ${await hashPassword(DEMO_PASSWORD)}, 'admin')
    ON CONFLICT (email) DO NOTHING`;
  return { email: DEMO_EMAIL, password: DEMO_PASSWORD, consoleUrl: `${deps.publicUrl}/operator` };
}

/** Creates DEMO_METERS with their EUR prices, once (audited as the `demo` actor). */
async function seedDemoMeters(deps: AppDeps): Promise<void> {
  const { sql } = deps.database;
  const known = new Set((await sql<{ key: string }[]>`SELECT key FROM meters`).map((m) => m.key));
  for (const meter of DEMO_METERS.filter((m) => !known.has(m.key))) {
    await createMeter(sql, meter, { actor: "demo" });
    await addMeterPrice(sql, meter.key, { currency: "EUR", unitAmountDecimal: meter.unitAmountDecimal }, { actor: "demo" });
  }
}

/**
 * Debits the demo account every few seconds for a random quantity of a random demo
 * meter; when funds run out, a 50.00 promotion credit refills it. Returns the stop function.
 */
export function startDemoUsage(deps: AppDeps, accountId: string): () => void {
  const timer = setInterval(() => {
    const meter = DEMO_METERS[Math.floor(Math.random() * DEMO_METERS.length)]!;
    const quantity = String(1 + Math.floor(Math.random() * meter.maxPerTick));
    pricedDebit(deps.ledger, { accountId, meter: meter.key, quantity, description: "Demo usage" })
      .catch((err: unknown) => {
        if (!(err instanceof InsufficientFundsError)) throw err;
        return credit(deps.ledger, { accountId, amount: 5000, type: "promotion", contra: "promotions", description: "Demo refill" });
      })
      .catch((err: unknown) => deps.logger.warn({ err }, "demo usage failed"));
  }, DEMO_USAGE_INTERVAL_MS);
  return () => clearInterval(timer);
}
