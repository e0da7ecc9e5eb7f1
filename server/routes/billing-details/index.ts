import { createRoute, z } from "@hono/zod-openapi";
import countries from "i18n-iso-countries";
import { getBillingDetails, putBillingDetails } from "../../../db/documents/billing-details";
import { normalizeVatId } from "../../../db/documents/vat-id";
import { requireSession } from "../../middleware/auth";
import { createRouter } from "../router";
import { jsonBody, jsonResponse } from "../schemas";

/** ISO 3166-1 alpha-2 codes (i18n-iso-countries' list of the 249 assigned codes). */
const isCountryCode = (code: string) => countries.isValid(code);

const Line = (max: number) => z.string().trim().min(1).max(max);

const BillingDetailsBody = z
  .object({
    legalName: Line(200),
    addressLine1: Line(200),
    addressLine2: Line(200).nullable().optional(),
    postalCode: Line(20),
    city: Line(100),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 code")
      .transform((c) => c.toUpperCase())
      .refine(isCountryCode, "unknown ISO 3166-1 alpha-2 country code")
      .openapi({ example: "DE" }),
    vatId: z.string().trim().max(30).nullable().optional().openapi({ example: "DE136695976" }),
    billingEmail: z.email().max(254).nullable().optional(),
  })
  .strict()
  .transform((d, ctx) => {
    const vatId = d.vatId ? normalizeVatId(d.vatId, d.country) : null;
    if (d.vatId && !vatId) {
      ctx.addIssue({ code: "custom", path: ["vatId"], message: `not a valid VAT ID for country ${d.country}` });
      return z.NEVER;
    }
    return { ...d, addressLine2: d.addressLine2 ?? null, vatId, billingEmail: d.billingEmail ?? null };
  })
  .openapi("PutBillingDetailsRequest");

const BillingDetailsSchema = z
  .object({
    legalName: z.string(),
    addressLine1: z.string(),
    addressLine2: z.string().nullable(),
    postalCode: z.string(),
    city: z.string(),
    country: z.string().openapi({ description: "ISO 3166-1 alpha-2" }),
    vatId: z.string().nullable().openapi({ description: "Normalized: upper case, no spaces" }),
    billingEmail: z.string().nullable(),
  })
  .openapi("BillingDetails");

const get = createRoute({
  method: "get",
  path: "/billing-details",
  operationId: "getBillingDetails",
  tags: ["documents"],
  summary: "The account's billing details (the buyer on its receipts and credit notes); null when none are saved",
  middleware: [requireSession(["owner", "admin"])] as const,
  responses: {
    200: jsonResponse(BillingDetailsSchema.nullable(), "Billing details"),
  },
});

const put = createRoute({
  method: "put",
  path: "/billing-details",
  operationId: "putBillingDetails",
  tags: ["documents"],
  summary: "Save the billing details; documents issued from now on show them, issued ones never change",
  description:
    "country: ISO 3166-1 alpha-2. vatId: format and check digits per country (jsvat; elsewhere 4-20 letters and digits).",
  middleware: [requireSession(["owner", "admin"])] as const,
  request: jsonBody(BillingDetailsBody),
  responses: { 200: jsonResponse(BillingDetailsSchema, "Saved") },
});

/** GET|PUT /billing-details (db/documents/billing-details.ts). */
export const billingDetailsRoutes = createRouter()
  .openapi(get, async (c) => c.json(await getBillingDetails(c.get("deps").database.sql, c.get("accountId")), 200))
  .openapi(put, async (c) => {
    const principal = c.get("principal");
    const userId = principal.kind === "session" ? principal.userId : null;
    const saved = await putBillingDetails(c.get("deps").database.sql, c.get("accountId"), userId, c.req.valid("json"));
    return c.json(saved, 200);
  });
