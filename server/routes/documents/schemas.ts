import { z } from "@hono/zod-openapi";

/** Shapes of the document routes (GET /documents..., /statements/{period}/pdf). */

export const DocumentSchema = z
  .object({
    id: z.string(),
    type: z.enum(["receipt", "credit_note", "statement"]),
    number: z.string().openapi({ example: "R-2026-000001" }),
    issuedAt: z.string().openapi({ format: "date-time" }),
    currency: z.string(),
    amount: z
      .number()
      .int()
      .openapi({ description: "Gross, minor units (negative on a credit note that cancels one)." }),
    netAmount: z.number().int(),
    taxAmount: z.number().int(),
    taxRateBp: z.number().int().openapi({ description: "Tax rate in basis points (1900 = 19 %)." }),
    locale: z.enum(["en", "de"]),
    topupId: z.string().nullable(),
    correctsDocumentId: z.string().nullable(),
    period: z.string().nullable().openapi({ description: "Statements: YYYY-MM." }),
  })
  .openapi("Document");

export const DocumentDetailSchema = DocumentSchema.extend({
  snapshot: z.record(z.string(), z.unknown()).openapi({ description: "What the document shows, frozen at issue." }),
}).openapi("DocumentDetail");


/** A PDF download (Content-Disposition names the file after the document number). */
export const pdfResponse = (description: string) => ({
  description,
  content: { "application/pdf": { schema: z.string().openapi({ format: "binary" }) } },
});

