import { pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";
import { users } from "./users";

/**
 * Who the account's documents are made out to (the buyer on receipts and credit notes,
 * §14 (4) Nr. 1 UStG). One row per customer account, written by PUT /billing-details;
 * issued documents keep their own frozen copy (documents.snapshot), so editing this
 * changes no issued document. `country` is ISO 3166-1 alpha-2, `vatId` normalized
 * (upper case, no spaces).
 */
export const billingDetails = pgTable("billing_details", {
  accountId: text("account_id")
    .primaryKey()
    .references(() => accounts.id),
  legalName: text("legal_name").notNull(),
  addressLine1: text("address_line1").notNull(),
  addressLine2: text("address_line2"),
  postalCode: text("postal_code").notNull(),
  city: text("city").notNull(),
  country: text("country").notNull(),
  vatId: text("vat_id"),
  billingEmail: text("billing_email"),
  /** The member who saved them last (audit trail). */
  updatedBy: text("updated_by").references(() => users.id, { onDelete: "set null" }),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
