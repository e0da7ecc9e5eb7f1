import type { Queryable } from "../client";

/** An account's billing details as the API shows and takes them (country ISO 3166-1 alpha-2). */
export interface BillingDetails {
  legalName: string;
  addressLine1: string;
  addressLine2: string | null;
  postalCode: string;
  city: string;
  country: string;
  vatId: string | null;
  billingEmail: string | null;
}

interface Row {
  legal_name: string;
  address_line1: string;
  address_line2: string | null;
  postal_code: string;
  city: string;
  country: string;
  vat_id: string | null;
  billing_email: string | null;
}

const toDetails = (r: Row): BillingDetails => ({
  legalName: r.legal_name,
  addressLine1: r.address_line1,
  addressLine2: r.address_line2,
  postalCode: r.postal_code,
  city: r.city,
  country: r.country,
  vatId: r.vat_id,
  billingEmail: r.billing_email,
});

/** The account's billing details; null when none were saved. */
export async function getBillingDetails(q: Queryable, accountId: string): Promise<BillingDetails | null> {
  const [row] = await q<Row[]>`SELECT * FROM billing_details WHERE account_id = ${accountId}`;
  return row ? toDetails(row) : null;
}

/**
 * Saves the account's billing details (validated by the caller), recording who saved
 * them. Only documents issued from now on show them: issued ones keep their snapshot.
 */
export async function putBillingDetails(
  q: Queryable,
  accountId: string,
  userId: string | null,
  d: BillingDetails,
): Promise<BillingDetails> {
  const [row] = await q<Row[]>`
    INSERT INTO billing_details (account_id, legal_name, address_line1, address_line2, postal_code, city, country, vat_id,
                                 billing_email, updated_by)
    VALUES (${accountId}, ${d.legalName}, ${d.addressLine1}, ${d.addressLine2}, ${d.postalCode}, ${d.city}, ${d.country},
            ${d.vatId}, ${d.billingEmail}, ${userId})
    ON CONFLICT (account_id) DO UPDATE SET
      legal_name = excluded.legal_name, address_line1 = excluded.address_line1, address_line2 = excluded.address_line2,
      postal_code = excluded.postal_code, city = excluded.city, country = excluded.country, vat_id = excluded.vat_id,
      billing_email = excluded.billing_email, updated_by = excluded.updated_by, updated_at = now()
    RETURNING *`;
  return toDetails(row!);
}
