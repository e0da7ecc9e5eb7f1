import { z } from "@hono/zod-openapi";

/** One problem with one field of a 400 validation_error (server/errors.ts FieldIssue). */
export const FieldIssueSchema = z
  .object({
    field: z.string().openapi({ description: 'Dotted path of the field ("enabledEvents.0"), "" for the body.', example: "amount" }),
    code: z.string().openapi({
      description:
        "too_small, too_big, invalid_type, invalid_format, invalid_value, unrecognized_keys, custom, or a route's own (private_address, not_found, amount_xor_target).",
      example: "too_small",
    }),
    message: z.string().openapi({ description: "English, for people reading the raw response." }),
    minimum: z.number().optional().openapi({ description: "too_small: the bound (minor units for amounts; a length with origin string or array).", example: 100 }),
    maximum: z.number().optional().openapi({ description: "too_big: the bound, as minimum." }),
    origin: z.string().optional().openapi({ description: "What minimum/maximum bound: number, string (length), array (items)." }),
    format: z.string().optional().openapi({ description: "invalid_format: the expected format (url, email, regex ...)." }),
    values: z.array(z.string()).optional().openapi({ description: "invalid_value: the allowed values; unrecognized_keys: the unknown keys." }),
  })
  .openapi("FieldIssue");

/** The error body of every API error (shared/DESIGN.md): `{ error: { code, message, requestId, details? } }`. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "insufficient_funds" }),
      message: z.string(),
      requestId: z.string().openapi({ example: "req_01jd3..." }),
      details: z
        .union([z.array(FieldIssueSchema), z.record(z.string(), z.unknown())])
        .optional()
        .openapi({ description: "validation_error: one FieldIssue per problem; other codes: facts such as amounts." }),
    }),
  })
  .openapi("Error");
