import { randomBytes } from "node:crypto";
import { DEMO_ISSUER, type Issuer } from "../../db/documents/issuer";
import type { LedgerContext } from "../../db/ledger/types";
import type { TestContext } from "../harness";

/** Document rows and contexts for the document tests. */

export interface DocRow {
  id: string;
  type: string;
  number: string;
  amount: number;
  net_amount: number;
  tax_amount: number;
  tax_rate_bp: number;
  locale: string;
  topup_id: string | null;
  corrects_document_id: string | null;
  snapshot: Record<string, unknown>;
}

/** The account's documents, oldest first. */
export async function documentsOf(ctx: TestContext, accountId: string): Promise<DocRow[]> {
  return ctx.deps.database.sql<
    DocRow[]
  >`SELECT * FROM documents WHERE account_id = ${accountId} ORDER BY issued_at, number`;
}

/** The ledger context of the app with an issuer of its own number series (isolated from other test files). */
export function withOwnIssuer(ctx: TestContext, overrides: Partial<Issuer> = {}): LedgerContext {
  return { ...ctx.deps.ledger, issuer: { ...DEMO_ISSUER, key: `t${randomBytes(6).toString("hex")}`, ...overrides } };
}

/** A pending checkout top-up of `amount` for the account, inserted directly (settled by the test). */
export async function pendingTopup(ctx: TestContext, accountId: string, amount: number): Promise<string> {
  const id = `tu_test_${randomBytes(8).toString("hex")}`;
  await ctx.deps.database.sql`
    INSERT INTO topups (id, account_id, amount, currency, provider) VALUES (${id}, ${accountId}, ${amount}, 'EUR', 'simulated')`;
  return id;
}
