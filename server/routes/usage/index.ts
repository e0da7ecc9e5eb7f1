import { createRoute, z } from "@hono/zod-openapi";
import { Quantity } from "../../../db/decimal";
import type { Queryable } from "../../../db/client";
import { pricedDebit } from "../../../db/ledger/priced-debit";
import { postUsageEvent } from "../../../db/ledger/post-usage-batch";
import { limitedApiKeyOf } from "./limited-key";
import type { PostedEntry } from "../../../db/ledger/types";
import type { AppDeps, Principal } from "../../context";
import { ApiError } from "../../errors";
import type { IdempotencyCompletion } from "../../middleware/idempotency";
import { requireApiKey } from "../../middleware/auth";
import { contentLengthOf } from "../../middleware/errors";
import { idempotent } from "../../middleware/idempotency";
import { createRouter } from "../router";
import { errors } from "../../openapi/route-docs";
import { AmountMinor, Currency, jsonBody, jsonResponse, LedgerEntrySchema, Metadata } from "../schemas";

/** The meter fields of a usage event; `quantity` is checked by parseQuantity (422, not 400). */
export const MeterFields = {
  meter: z.string().min(1).max(64).optional().openapi({ description: "A meter key (instead of amount).", example: "gpt-4o.input_tokens" }),
  quantity: z.string().max(40).optional().openapi({
    description: "With meter: units used, a decimal string > 0 with at most 12 decimal places (422 invalid_quantity).",
    example: "1500",
  }),
};

/** A usage event gives either `amount`, or `meter` and `quantity` together (zod superRefine check). */
export function checkAmountOrMeter(b: { amount?: number; meter?: string; quantity?: string }, ctx: z.RefinementCtx): void {
  if ((b.amount === undefined) === (b.meter === undefined && b.quantity === undefined)) {
    ctx.addIssue({ code: "custom", message: "give either amount, or meter and quantity" });
  } else if ((b.meter === undefined) !== (b.quantity === undefined)) {
    ctx.addIssue({ code: "custom", message: "meter and quantity go together" });
  }
}

const DebitBody = z
  .object({
    amount: AmountMinor.optional().openapi({ description: "Minor units to debit; or give meter and quantity." }),
    ...MeterFields,
    currency: Currency.optional().openapi({ description: "If given, must be the account's currency (else 422)." }),
    description: z.string().max(500).optional(),
    metadata: Metadata.optional(),
  })
  .strict()
  .superRefine(checkAmountOrMeter)
  .openapi("DebitRequest");

const DebitResult = z
  .object({
    entry: LedgerEntrySchema,
    balance: z.number().int(),
    held: z.number().int(),
    available: z.number().int(),
  })
  .openapi("DebitResult");

/** The API shape of a posted debit. */
export const toDebitDto = (r: PostedEntry) => ({ entry: r.entry, balance: r.balance, held: r.held, available: r.available });

/**
 * A usage quantity checked against db/decimal.ts's Quantity.
 * @throws ApiError invalid_quantity (422)
 */
export function parseQuantity(quantity: string): string {
  if (!Quantity.safeParse(quantity).success) {
    throw new ApiError("invalid_quantity", "quantity must be a decimal string > 0 with at most 15 integer digits and 12 decimal places, e.g. \"1500\" or \"0.5\".");
  }
  return quantity;
}

const usage = createRoute({
  method: "post",
  path: "/usage",
  operationId: "debitUsage",
  tags: ["usage"],
  summary: "Debit usage from the API key's account: an amount, or a meter and quantity priced by the meter's price in force",
  description:
    "A plain amount is one row-locked statement. A priced event debits the whole minor units of quantity x unit price " +
    "and carries the fraction per account and meter (README, Ledger). Send an Idempotency-Key header to make retries " +
    "safe: a replay returns the first response with Idempotent-Replayed: true.",
  // the debit's own transaction stores the response (coalesced or priced)
  middleware: [requireApiKey("usage:write"), idempotent({ transaction: false })] as const,
  request: jsonBody(DebitBody),
  responses: {
    201: jsonResponse(DebitResult, "Debited"),
    ...errors(
      "insufficient_funds",
      "spend_limit_exceeded",
      "account_suspended",
      "account_closed",
      "currency_mismatch",
      "unknown_meter",
      "meter_archived",
      "no_price",
      "invalid_quantity",
      "quantity_too_large",
    ),
  },
});

export const usageRoutes = createRouter().openapi(usage, async (c) => {
  const result = await postUsage(c.get("deps"), c.get("principal"), c.req.valid("json"), {
    key: c.get("idempotencyKey"),
    completion: c.get("idempotency"),
  });
  const dto = toDebitDto(result);
  return c.json(dto, 201, contentLengthOf(dto));
});

/** A valid POST /usage body (DebitRequest). */
export type DebitRequest = z.infer<typeof DebitBody>;

/** The checks of DebitRequest, for the route's lean path (server/routes/usage/fast-path.ts). */
export const parseDebitRequest = (body: unknown) => DebitBody.safeParse(body);

/**
 * What POST /usage does once the caller is authenticated and the body valid: a key with
 * spend limits of its own posts through the batch posting (postUsageEvent), a plain
 * amount through the debit coalescer / group commit (`deps.debits`), a meter and quantity
 * through pricedDebit. `idempotency`: the request's Idempotency-Key and the completion
 * that stores its response in the debit's own transaction (server/middleware/idempotency.ts).
 * @throws ApiError invalid_quantity (422); the ledger's errors (402 insufficient_funds,
 *   spend_limit_exceeded, account_suspended, currency_mismatch, unknown_meter, ...)
 */
export async function postUsage(
  deps: AppDeps,
  principal: Principal,
  body: DebitRequest,
  idempotency: { key: string | null; completion: IdempotencyCompletion | null },
): Promise<PostedEntry> {
  const { completion } = idempotency;
  const commit = completion ? (tx: Queryable, posted: PostedEntry) => completion.record(tx, 201, toDebitDto(posted)) : undefined;
  const common = {
    accountId: principal.accountId,
    currency: body.currency,
    idempotencyKey: idempotency.key,
    description: body.description,
    metadata: body.metadata,
  };
  const quantity = body.quantity === undefined ? undefined : parseQuantity(body.quantity);
  const apiKeyId = limitedApiKeyOf(principal);
  return apiKeyId
    ? postUsageEvent(deps.ledger, { ...common, id: common.idempotencyKey, amount: body.amount, meter: body.meter, quantity, apiKeyId }, commit)
    : body.amount !== undefined
      ? deps.debits.debit({ ...common, amount: body.amount }, commit)
      : pricedDebit(deps.ledger, { ...common, meter: body.meter!, quantity: quantity! }, commit);
}
