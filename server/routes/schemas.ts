import { z } from "@hono/zod-openapi";
import { errors } from "../openapi/route-docs";
import { AmountMinor as AmountMinorBase, Currency as CurrencyBase } from "../../db/money";

/** Shapes shared by several routes, registered as OpenAPI components. */

export const AmountMinor = AmountMinorBase.openapi({
  description: "Integer amount in minor units of the currency (e.g. cents), 1 .. 10^10.",
  example: 2500,
});

/**
 * Any id we issue (`acct_...`, `pm_...`, a path segment or a body field naming a row):
 * 1-64 characters. An empty string is no id (it would otherwise reach a foreign key);
 * NUL bytes are refused for every text input by server/middleware/text-input.ts.
 */
export const Id = z.string().min(1).max(64);

export const Currency = CurrencyBase.openapi({ description: "ISO 4217 currency code.", example: "EUR" });

export { ErrorBody, FieldIssueSchema } from "../openapi/error-body";

export const LedgerEntrySchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    type: z.enum(["topup", "usage", "promotion", "adjustment", "refund", "dispute", "capture"]),
    amount: z.number().int().openapi({ description: "Signed minor units: credit > 0, debit < 0." }),
    balanceAfter: z.number().int(),
    sequence: z.number().int(),
    currency: z.string(),
    idempotencyKey: z.string().nullable(),
    externalRef: z.string().nullable(),
    description: z.string().nullable(),
    metadata: z.record(z.string(), z.string()).nullable(),
    meter: z.string().nullable().openapi({ description: "Priced usage: the meter key (else null)." }),
    quantity: z.string().nullable().openapi({ description: "Priced usage: the quantity, exact decimal string." }),
    unitPrice: z.string().nullable().openapi({
      description: "Priced usage: minor units per unit in force at the event, exact decimal string.",
    }),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("LedgerEntry");

export const BalanceSchema = z
  .object({
    accountId: z.string(),
    currency: z.string(),
    balance: z.number().int(),
    held: z.number().int(),
    available: z.number().int().openapi({ description: "balance - held, minor units." }),
    overdraftLimit: z.number().int(),
    sequence: z.number().int(),
    status: z.enum(["active", "suspended", "closed"]),
    suspendedReason: z.enum(["operator", "non_payment"]).nullable().openapi({
      description: "operator, or non_payment (a top-up that restores the balance lifts it); null unless suspended.",
    }),
  })
  .openapi("Balance");

/** Free-form string metadata, bounded: 20 keys, 40-char keys, 500-char values (Stripe's limits are 50/40/500). */
export const Metadata = z
  .record(z.string().min(1).max(40), z.string().max(500))
  .refine((m) => Object.keys(m).length <= 20, "at most 20 keys")
  .openapi({ example: { callId: "c_123" } });

/**
 * 404 `not_found` (also for other tenants' ids). 400, 401, 403, 413 and 500 follow from
 * the route's input and middleware (server/openapi/route-docs.ts).
 */
export const errorResponses = errors("not_found");

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});
