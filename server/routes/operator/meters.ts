import { createRoute, z } from "@hono/zod-openapi";
import { UnitAmountDecimal } from "../../../db/decimal";
import { addMeterPrice, createMeter, getMeter, listMeters, updateMeter } from "../../../db/meters/meters";
import { operatorAuditBy, requireOperator } from "../../middleware/operator";
import { createRouter } from "../router";
import { errors } from "../../openapi/route-docs";
import { Currency, errorResponses, jsonBody, jsonResponse } from "../schemas";

const MeterKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "lower-case letters, digits, '.', '_' or '-', at most 64")
  .openapi({ example: "gpt-4o.input_tokens" });

const PriceSchema = z
  .object({
    id: z.string(),
    currency: z.string(),
    unitAmountDecimal: z.string().openapi({ description: "Minor units per unit, exact decimal.", example: "0.00025" }),
    effectiveFrom: z.string().openapi({ format: "date-time" }),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("MeterPrice");

const MeterSchema = z
  .object({
    key: z.string(),
    name: z.string(),
    unit: z.string(),
    status: z.enum(["active", "archived"]),
    prices: z.array(PriceSchema).openapi({ description: "All versions, by currency and effectiveFrom." }),
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Meter");

const CreateBody = z
  .object({ key: MeterKey, name: z.string().min(1).max(200), unit: z.string().min(1).max(50).openapi({ example: "token" }) })
  .strict();
const PatchBody = z
  .object({
    name: z.string().min(1).max(200).optional(),
    unit: z.string().min(1).max(50).optional(),
    status: z.enum(["active", "archived"]).optional().openapi({ description: "archived meters refuse new usage (422 meter_archived)." }),
  })
  .strict();
const PriceBody = z
  .object({
    currency: Currency,
    unitAmountDecimal: UnitAmountDecimal.openapi({ description: "Minor units per unit, up to 12 decimal places.", example: "0.00025" }),
    effectiveFrom: z.string().datetime({ offset: true }).optional().openapi({ description: "Default: now." }),
  })
  .strict();
const Params = z.object({ key: MeterKey });

const operator = { tags: ["operator"], middleware: [requireOperator()] };

const list = createRoute({
  ...operator,
  method: "get",
  path: "/operator/meters",
  operationId: "listMeters",
  summary: "All meters with their price versions",
  responses: { 200: jsonResponse(z.object({ data: z.array(MeterSchema) }), "Meters"), ...errorResponses },
});
const create = createRoute({
  ...operator,
  method: "post",
  path: "/operator/meters",
  operationId: "createMeter",
  summary: "Define a meter (audited)",
  request: jsonBody(CreateBody),
  responses: { 201: jsonResponse(MeterSchema, "Created"), ...errors("meter_exists"), ...errorResponses },
});
const get = createRoute({
  ...operator,
  method: "get",
  path: "/operator/meters/{key}",
  operationId: "getMeter",
  summary: "One meter with its price versions",
  request: { params: Params },
  responses: { 200: jsonResponse(MeterSchema, "Meter"), ...errorResponses },
});
const patch = createRoute({
  ...operator,
  method: "patch",
  path: "/operator/meters/{key}",
  operationId: "updateMeter",
  summary: "Rename, change the unit, archive or restore a meter (audited)",
  request: { params: Params, ...jsonBody(PatchBody) },
  responses: { 200: jsonResponse(MeterSchema, "Updated"), ...errorResponses },
});
const addPrice = createRoute({
  ...operator,
  method: "post",
  path: "/operator/meters/{key}/prices",
  operationId: "addMeterPrice",
  summary: "Add a price version (prices are never edited; the latest effectiveFrom <= an event's time applies; audited)",
  request: { params: Params, ...jsonBody(PriceBody) },
  responses: { 201: jsonResponse(MeterSchema, "Price added"), ...errors("price_exists"), ...errorResponses },
});

/** Operator routes for meters and their prices (shared/DESIGN.md, "Priced usage"); every change is audited. */
export const meterRoutes = createRouter()
  .openapi(list, async (c) => c.json({ data: await listMeters(c.get("deps").database.sql) }, 200))
  .openapi(create, async (c) =>
    c.json(await createMeter(c.get("deps").database.sql, c.req.valid("json"), operatorAuditBy(c)), 201),
  )
  .openapi(get, async (c) => c.json(await getMeter(c.get("deps").database.sql, c.req.valid("param").key), 200))
  .openapi(patch, async (c) =>
    c.json(
      await updateMeter(c.get("deps").database.sql, c.req.valid("param").key, c.req.valid("json"), operatorAuditBy(c)),
      200,
    ),
  )
  .openapi(addPrice, async (c) => {
    const body = c.req.valid("json");
    const input = { ...body, effectiveFrom: body.effectiveFrom ? new Date(body.effectiveFrom) : undefined };
    const meter = await addMeterPrice(c.get("deps").database.sql, c.req.valid("param").key, input, operatorAuditBy(c));
    return c.json(meter, 201);
  });
