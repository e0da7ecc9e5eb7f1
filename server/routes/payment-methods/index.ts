import { createRoute, z } from "@hono/zod-openapi";
import { checkoutLocaleOf } from "../checkout-locale";
import { listPaymentMethods, removePaymentMethod, setDefaultPaymentMethod } from "../../../db/ledger/payment-methods";
import { requireSession } from "../../middleware/auth";
import { notFound } from "../../middleware/errors";
import { idempotent } from "../../middleware/idempotency";
import { startCardSetup } from "../../payments/start-card-setup";
import { createRouter } from "../router";
import { errors } from "../../openapi/route-docs";
import { errorResponses, jsonResponse, Id } from "../schemas";

const PaymentMethodSchema = z
  .object({
    id: z.string(),
    brand: z.string(),
    last4: z.string(),
    expMonth: z.number().int(),
    expYear: z.number().int(),
    isDefault: z.boolean(),
    createdAt: z.string(),
  })
  .openapi("PaymentMethod");
const List = z.object({ data: z.array(PaymentMethodSchema) });
const Params = z.object({ id: Id });
const managers = ["owner", "admin"] as const;

const list = createRoute({
  method: "get",
  path: "/payment-methods",
  operationId: "listPaymentMethods",
  tags: ["payment-methods"],
  summary: "Saved cards (saved by checkout), default first",
  middleware: [requireSession()] as const,
  responses: { 200: jsonResponse(List, "Saved cards") },
});
const makeDefault = createRoute({
  method: "post",
  path: "/payment-methods/{id}/default",
  operationId: "setDefaultPaymentMethod",
  tags: ["payment-methods"],
  summary: "Make a card the default (one-click and auto top-up charge it)",
  middleware: [requireSession([...managers])] as const,
  request: { params: Params },
  responses: { 200: jsonResponse(List, "Saved cards"), ...errorResponses },
});
const setup = createRoute({
  method: "post",
  path: "/payment-methods",
  operationId: "addPaymentMethod",
  tags: ["payment-methods"],
  summary: "Add a card without paying: returns the checkoutUrl of a setup-mode checkout",
  middleware: [requireSession([...managers]), idempotent({ transaction: false })] as const, // calls the provider: no transaction around it
  responses: {
    201: jsonResponse(z.object({ checkoutUrl: z.string() }), "Setup checkout opened"),
    ...errors("provider_unavailable"),
  },
});
const remove = createRoute({
  method: "delete",
  path: "/payment-methods/{id}",
  operationId: "removePaymentMethod",
  tags: ["payment-methods"],
  summary: "Remove a card; the newest remaining one becomes default",
  middleware: [requireSession([...managers])] as const,
  request: { params: Params },
  responses: { 200: jsonResponse(List, "Saved cards"), ...errorResponses },
});

/** Saved cards of the session's account (db/ledger/payment-methods.ts). */
export const paymentMethodsRoutes = createRouter()
  .openapi(list, async (c) => c.json({ data: await listPaymentMethods(c.get("deps").database.sql, c.get("accountId")) }, 200))
  .openapi(setup, async (c) =>
    c.json(await startCardSetup(c.get("deps"), c.get("accountId"), await checkoutLocaleOf(c)), 201),
  )
  .openapi(makeDefault, async (c) => {
    const { sql } = c.get("deps").database;
    if (!(await setDefaultPaymentMethod(sql, c.get("accountId"), c.req.valid("param").id))) throw notFound("payment method");
    return c.json({ data: await listPaymentMethods(sql, c.get("accountId")) }, 200);
  })
  .openapi(remove, async (c) => {
    const { sql } = c.get("deps").database;
    if (!(await removePaymentMethod(sql, c.get("accountId"), c.req.valid("param").id))) throw notFound("payment method");
    return c.json({ data: await listPaymentMethods(sql, c.get("accountId")) }, 200);
  });
