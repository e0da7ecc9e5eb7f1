import { z } from "@hono/zod-openapi";
import { LedgerEntrySchema } from "../schemas";

/** The filters of GET /transactions, shared by GET /transactions.csv. */
export const TransactionFilters = z.object({
  type: LedgerEntrySchema.shape.type.optional(),
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: "Entries created at or after (ISO 8601)" }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: "Entries created before (ISO 8601)" }),
  q: z
    .string()
    .trim()
    .max(100)
    .optional()
    .openapi({ description: "Text the description contains (case-insensitive, literal; at most 100 characters)" }),
});

/** Parsed filters as the ledger's list functions take them. */
export const toEntryFilter = (q: z.infer<typeof TransactionFilters>) => ({
  type: q.type,
  from: q.from ? new Date(q.from) : undefined,
  to: q.to ? new Date(q.to) : undefined,
  q: q.q || undefined,
});
