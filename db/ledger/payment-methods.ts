import type { Queryable, Sql } from "../client";
import { newId } from "../ids";

/** A card the provider saved for off-session use, as the provider reports it. */
export interface SavedCard {
  provider: string;
  /** Stripe `pm_...`. */
  providerPaymentMethodId: string;
  /** Stripe `cus_...`: off-session charges name the customer and the payment method. */
  providerCustomerId: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

/** A saved card as the API shows it (no provider ids). */
export interface PaymentMethod {
  id: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  isDefault: boolean;
  createdAt: string;
}

export interface PaymentMethodRow {
  id: string;
  account_id: string;
  provider: string;
  provider_payment_method_id: string;
  provider_customer_id: string;
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  is_default: boolean;
  created_at: Date;
}

/** Maps a `payment_methods` row to the API shape. */
export function toPaymentMethod(r: PaymentMethodRow): PaymentMethod {
  return {
    id: r.id,
    brand: r.brand,
    last4: r.last4,
    expMonth: r.exp_month,
    expYear: r.exp_year,
    isDefault: r.is_default,
    createdAt: r.created_at.toISOString(),
  };
}

/**
 * Stores a saved card for `accountId` once (unique on the provider's payment method id);
 * the account's first card becomes its default. Call with the account row locked (inside
 * settlement, after the credit), so two first cards cannot both become default.
 */
export async function savePaymentMethod(tx: Queryable, accountId: string, card: SavedCard): Promise<void> {
  await tx`
    INSERT INTO payment_methods
      (id, account_id, provider, provider_payment_method_id, provider_customer_id, brand, last4, exp_month, exp_year, is_default)
    VALUES (${newId("pm")}, ${accountId}, ${card.provider}, ${card.providerPaymentMethodId}, ${card.providerCustomerId},
            ${card.brand}, ${card.last4}, ${card.expMonth}, ${card.expYear},
            NOT EXISTS (SELECT 1 FROM payment_methods WHERE account_id = ${accountId} AND is_default))
    ON CONFLICT (account_id, provider_payment_method_id) DO NOTHING`;
}

/**
 * Saves a card from a setup-mode checkout (no payment): locks the account row, so the
 * first-card-is-default rule holds against a concurrent save, then savePaymentMethod.
 * @returns false when no customer account `accountId` exists (a session not ours)
 */
export async function saveCardForAccount(sql: Sql, accountId: string, card: SavedCard): Promise<boolean> {
  return sql.begin(async (tx) => {
    const [account] = await tx`SELECT id FROM accounts WHERE id = ${accountId} AND kind = 'customer' FOR UPDATE`;
    if (!account) return false;
    await savePaymentMethod(tx, accountId, card);
    return true;
  });
}

/** The account's saved cards, default first, then newest first. */
export async function listPaymentMethods(q: Queryable, accountId: string): Promise<PaymentMethod[]> {
  const rows = await q<PaymentMethodRow[]>`
    SELECT * FROM payment_methods WHERE account_id = ${accountId} ORDER BY is_default DESC, created_at DESC`;
  return rows.map(toPaymentMethod);
}

/**
 * The card to charge: `paymentMethodId` when given (must be the account's), else the
 * account's default. Null when there is none.
 */
export async function findChargeableCard(
  q: Queryable,
  accountId: string,
  paymentMethodId: string | null,
): Promise<PaymentMethodRow | null> {
  const [row] = await q<PaymentMethodRow[]>`
    SELECT * FROM payment_methods
     WHERE account_id = ${accountId} AND (id = ${paymentMethodId} OR (${paymentMethodId}::text IS NULL AND is_default))
     LIMIT 1`;
  return row ?? null;
}

/**
 * Makes one of the account's cards its default, in one transaction (clear, then set: the
 * one-default index is checked row by row). @returns false when the card is not the account's
 */
export async function setDefaultPaymentMethod(sql: Sql, accountId: string, id: string): Promise<boolean> {
  return sql.begin(async (tx) => {
    const [card] = await tx`SELECT id FROM payment_methods WHERE id = ${id} AND account_id = ${accountId} FOR UPDATE`;
    if (!card) return false;
    await tx`UPDATE payment_methods SET is_default = false WHERE account_id = ${accountId} AND is_default AND id <> ${id}`;
    await tx`UPDATE payment_methods SET is_default = true WHERE id = ${id}`;
    return true;
  });
}

/**
 * Removes one of the account's cards; when it was the default, the newest remaining card
 * becomes default. @returns false when the card is not the account's
 */
export async function removePaymentMethod(q: Queryable, accountId: string, id: string): Promise<boolean> {
  const [removed] = await q<{ is_default: boolean }[]>`
    DELETE FROM payment_methods WHERE id = ${id} AND account_id = ${accountId} RETURNING is_default`;
  if (!removed) return false;
  if (removed.is_default) {
    await q`
      UPDATE payment_methods SET is_default = true
       WHERE id = (SELECT id FROM payment_methods WHERE account_id = ${accountId} ORDER BY created_at DESC LIMIT 1)`;
  }
  return true;
}
