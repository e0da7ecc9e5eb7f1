import type { Queryable } from "../client";

/** Who a document is made out to, frozen into it at issue (§14 (4) Nr. 1 UStG). */
export interface Buyer {
  name: string;
  addressLines: string[];
  /** ISO 3166-1 alpha-2; null when the account has no billing details yet. */
  country: string | null;
  vatId: string | null;
  email: string | null;
}

export type DocumentLocale = "en" | "de";

/**
 * The account's buyer as of now (its billing details; without them its name and the
 * owner's email) and the document locale: the language of the account's first owner
 * (users.locale), English when there is none.
 */
export async function loadBuyer(q: Queryable, accountId: string): Promise<{ buyer: Buyer; locale: DocumentLocale }> {
  const [row] = await q<
    {
      account_name: string;
      legal_name: string | null;
      address_line1: string | null;
      address_line2: string | null;
      postal_code: string | null;
      city: string | null;
      country: string | null;
      vat_id: string | null;
      billing_email: string | null;
      owner_email: string | null;
      locale: DocumentLocale | null;
    }[]
  >`
    SELECT a.name AS account_name, b.legal_name, b.address_line1, b.address_line2, b.postal_code, b.city, b.country,
           b.vat_id, b.billing_email, o.email AS owner_email, o.locale
      FROM accounts a
      LEFT JOIN billing_details b ON b.account_id = a.id
      LEFT JOIN LATERAL (
        SELECT u.email, u.locale FROM account_members m JOIN users u ON u.id = m.user_id
         WHERE m.account_id = a.id AND m.role = 'owner' ORDER BY m.created_at LIMIT 1
      ) o ON true
     WHERE a.id = ${accountId}`;
  if (!row) throw new Error(`loadBuyer: no account ${accountId}`);
  const addressLines = row.legal_name
    ? [row.address_line1!, row.address_line2, `${row.postal_code} ${row.city}`].filter((l): l is string => !!l)
    : [];
  return {
    buyer: {
      name: row.legal_name ?? row.account_name,
      addressLines,
      country: row.country,
      vatId: row.vat_id,
      email: row.billing_email ?? row.owner_email,
    },
    locale: row.locale ?? "en",
  };
}
