import { createRoute, z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { limitedApiKeyOf } from "./limited-key";
import { MAX_BATCH_EVENTS, postUsageBatch, type UsageEvent, type UsageOutcome } from "../../../db/ledger/post-usage-batch";
import type { AppEnv } from "../../context";
import { classify } from "../../errors";
import { requireApiKey } from "../../middleware/auth";
import { hasOperatorKey } from "../../middleware/operator";
import { createRouter } from "../router";
import { documented } from "../../openapi/route-docs";
import { AmountMinor, jsonBody, jsonResponse, LedgerEntrySchema, Metadata } from "../schemas";
import { checkAmountOrMeter, MeterFields, parseQuantity, toDebitDto } from "./index";

const EventId = z.string().min(1).max(255).openapi({ description: "The event's idempotency key on its account: applied at most once, ever." });

const UsageEventSchema = z
  .object({
    id: EventId,
    accountId: z.string().max(64).optional().openapi({ description: "Operator key only: the account to debit." }),
    amount: AmountMinor.optional(),
    ...MeterFields,
    description: z.string().max(500).optional(),
    metadata: Metadata.optional(),
  })
  .strict()
  .superRefine(checkAmountOrMeter)
  .openapi("UsageEvent");

/** The envelope: well formed when each event at least has an id; the rest is checked per event. */
const BatchBody = z
  .object({
    events: z
      .array(z.looseObject({ id: EventId }).openapi({ description: "A UsageEvent; one that does not parse gets status invalid." }))
      .min(1)
      .max(MAX_BATCH_EVENTS),
  })
  .strict()
  .openapi("UsageBatchRequest");

const STATUSES = ["applied", "replayed", "insufficient_funds", "spend_limit_exceeded", "account_suspended", "account_closed", "invalid"] as const;

const BatchResult = z
  .object({
    results: z.array(
      z.object({
        id: z.string(),
        status: z.enum(STATUSES),
        entry: LedgerEntrySchema.optional().openapi({ description: "applied, replayed: the event's ledger entry." }),
        balance: z.number().int().optional(),
        available: z.number().int().optional(),
        error: z.object({ code: z.string(), message: z.string() }).optional(),
      }),
    ),
  })
  .openapi("UsageBatchResult");

type Result = z.infer<typeof BatchResult>["results"][number];

/** The operator key (events name their accountId), else an API key with usage:write (its own account). */
const requireOperatorOrApiKey = () => {
  const apiKey = requireApiKey("usage:write");
  const middleware = createMiddleware<AppEnv>(async (c, next) => (hasOperatorKey(c) ? next() : apiKey(c, next)));
  return documented(middleware, {
    security: [{ operatorKey: [] }, { apiKey: ["usage:write"] }],
    errors: ["unauthenticated", "invalid_api_key", "insufficient_scope"],
  });
};

const batch = createRoute({
  method: "post",
  path: "/usage/batch",
  tags: ["usage"],
  operationId: "postUsageBatch",
  summary: `Post up to ${MAX_BATCH_EVENTS} usage events; each event's outcome in order (200 when the batch is well formed)`,
  description:
    "Each event is an amount or a meter and quantity, and its id is its idempotency key on its account (applied at most " +
    "once, ever; a repeat answers replayed with the original entry). Not all-or-nothing: a refused event does not stop " +
    "the others. With the operator key every event names its accountId; with an API key (usage:write) all go to its account.",
  middleware: [requireOperatorOrApiKey()] as const,
  request: jsonBody(BatchBody),
  responses: {
    200: jsonResponse(BatchResult, "One result per event, in order"),
  },
});

const invalid = (id: string, code: string, message: string): Result => ({ id, status: "invalid", error: { code, message } });

/** A batch event: its id (idempotency key) is required. */
type BatchEvent = UsageEvent & { id: string };

/** A parsed event, or the reason it is invalid (validation, accountId rules, quantity). */
function parseEvent(raw: unknown, keyAccountId: string | null): BatchEvent | Result {
  const id = (raw as { id: string }).id;
  const parsed = UsageEventSchema.safeParse(raw);
  if (!parsed.success) {
    return invalid(id, "validation_error", parsed.error.issues.map((i) => `${i.path.join(".") || "event"}: ${i.message}`).join("; "));
  }
  const e = parsed.data;
  if (keyAccountId && e.accountId !== undefined && e.accountId !== keyAccountId) {
    return invalid(id, "validation_error", "accountId: an API key posts to its own account only; leave accountId out.");
  }
  const accountId = keyAccountId ?? e.accountId;
  if (!accountId) return invalid(id, "validation_error", "accountId: required with the operator key.");
  try {
    return { ...e, accountId, quantity: e.quantity === undefined ? undefined : parseQuantity(e.quantity) };
  } catch (err) {
    const { code, message } = classify(err);
    return invalid(id, code, message);
  }
}

const REJECTED_STATUS: Record<string, Result["status"]> = {
  insufficient_funds: "insufficient_funds",
  spend_limit_exceeded: "spend_limit_exceeded",
  account_suspended: "account_suspended",
  account_closed: "account_closed",
};

function toResult(id: string, o: UsageOutcome): Result {
  if (o.status !== "rejected") {
    const { entry, balance, available } = toDebitDto(o.posted);
    return { id, status: o.status, entry, balance, available };
  }
  return { id, status: REJECTED_STATUS[o.error.code] ?? "invalid", error: { code: o.error.code, message: o.error.message } };
}

/** POST /usage/batch (shared/DESIGN.md, "Priced usage"). */
export const usageBatchRoutes = createRouter().openapi(batch, async (c) => {
  const keyAccountId = hasOperatorKey(c) ? null : c.get("accountId");
  const parsed = c.req.valid("json").events.map((raw) => parseEvent(raw, keyAccountId));
  const valid = parsed.filter((p): p is BatchEvent => "accountId" in p && !("status" in p));
  const apiKeyId = limitedApiKeyOf(c.get("principal"));
  const outcomes = await postUsageBatch(c.get("deps").ledger, apiKeyId ? valid.map((e) => ({ ...e, apiKeyId })) : valid);
  let next = 0;
  const results = parsed.map((p) => ("status" in p ? p : toResult(p.id, outcomes[next++]!)));
  return c.json({ results }, 200);
});
