import { createRoute, z } from "@hono/zod-openapi";
import type { PostedEntry } from "../../../db/ledger/types";
import { requireApiKey } from "../../middleware/auth";
import { idempotent } from "../../middleware/idempotency";
import { createRouter } from "../router";
import { errors } from "../../openapi/route-docs";
import { AmountMinor, Currency, jsonBody, jsonResponse, LedgerEntrySchema, Metadata } from "../schemas";

const DebitBody = z
  .object({
    amount: AmountMinor,
    currency: Currency.optional().openapi({ description: "If given, must be the account's currency (else 422)." }),
    description: z.string().max(500).optional(),
    metadata: Metadata.optional(),
  })
  .strict()
  .openapi("DebitRequest");

const DebitResult = z
  .object({
    entry: LedgerEntrySchema,
    balance: z.number().int(),
    held: z.number().int(),
    available: z.number().int(),
  })
  .openapi("DebitResult");

const toDebitDto = (r: PostedEntry) => ({ entry: r.entry, balance: r.balance, held: r.held, available: r.available });

const usage = createRoute({
  method: "post",
  path: "/usage",
  operationId: "debitUsage",
  tags: ["usage"],
  summary: "Debit usage from the API key's account",
  description:
    "One row-locked statement. Send an Idempotency-Key header to make retries safe: a replay returns the first response with Idempotent-Replayed: true.",
  // the debit coalescer stores the response in the debit's own transaction
  middleware: [requireApiKey("usage:write"), idempotent({ transaction: false })] as const,
  request: jsonBody(DebitBody),
  responses: {
    201: jsonResponse(DebitResult, "Debited"),
    ...errors("insufficient_funds", "account_suspended", "account_closed", "currency_mismatch"),
  },
});

export const usageRoutes = createRouter().openapi(usage, async (c) => {
  const body = c.req.valid("json");
  const idempotency = c.get("idempotency");
  const result = await c.get("deps").debits.debit(
    {
      accountId: c.get("accountId"),
      amount: body.amount,
      currency: body.currency,
      idempotencyKey: c.get("idempotencyKey"),
      description: body.description,
      metadata: body.metadata,
    },
    idempotency ? (tx, posted) => idempotency.record(tx, 201, toDebitDto(posted)) : undefined,
  );
  return c.json(toDebitDto(result), 201);
});
