import { createHash } from "node:crypto";
import type { Sql } from "../../db/client";
import { ProviderError } from "./errors";
import type { ChargeResult, ChargeSavedCardInput, PaymentProvider } from "./provider";
import { CARD_MESSAGES, TEST_CARDS, type TestCard } from "./test-cards";

/**
 * Off-session charges of the simulated provider, behaving like Stripe test mode
 * (shared/DESIGN.md "Top-ups and payments"): a card saved from `4242...` pays,
 * `4000000000000341` is declined on every off-session charge, `4000002500003155`
 * needs authentication (requires_action: the customer confirms it on our confirm page,
 * which sends them to this provider's authentication page, /simulated-checkout/confirm/:id,
 * as Stripe.js opens the bank's 3-D Secure page). Payment
 * intents are stored in `simulated_payment_intents`, unique on the idempotency key, so a
 * repeated charge returns the first intent and charges once, as Stripe does.
 */

/** Saved simulated cards expire this many years from now (like Stripe's test cards: any future date). */
export const SIMULATED_CARD_YEARS = 3;

/** The simulated customer of an account (`cus_sim_<hash>`), stable so all its cards share it. */
export function simulatedCustomerId(accountId: string): string {
  return `cus_sim_${createHash("sha256").update(accountId).digest("hex").slice(0, 24)}`;
}

/** The saved payment method of a test card: `pm_sim_<last4>` (the last four digits tell the four test cards apart). */
export function simulatedPaymentMethodId(card: TestCard): string {
  return `pm_sim_${card.number.slice(-4)}`;
}

function cardOf(paymentMethodId: string): TestCard | undefined {
  const last4 = /^pm_sim_(\d{4})$/.exec(paymentMethodId)?.[1];
  return last4 ? TEST_CARDS.find((c) => c.number.endsWith(last4)) : undefined;
}

interface IntentRow {
  id: string;
  amount: number;
  currency: string;
  status: ChargeResult["status"];
  last_error: string | null;
  metadata: Record<string, string>;
}

/** A simulated payment intent as the authentication page shows it; `topupId` from its metadata. */
export interface SimulatedIntent {
  id: string;
  amount: number;
  currency: string;
  status: ChargeResult["status"];
  topupId: string | null;
}

export interface SimulatedCharges {
  /** See PaymentProvider.chargeSavedPaymentMethod. */
  chargeSavedPaymentMethod(input: ChargeSavedCardInput): Promise<ChargeResult>;
  /**
   * See PaymentProvider.refund. Like Stripe: idempotent on the key, never more than was
   * paid (ProviderError), and each new refund sends `charge.refunded` with the cumulative
   * `amount_refunded`.
   */
  refund: PaymentProvider["refund"];
  /** See PaymentProvider.getPaymentConfirmation: `next` is this provider's authentication page. */
  getPaymentConfirmation: PaymentProvider["getPaymentConfirmation"];
  /** The intent behind an authentication page, or null. */
  getPaymentIntent(id: string): Promise<SimulatedIntent | null>;
  /**
   * The customer's answer on the confirm page: `complete` marks a requires_action intent
   * succeeded and delivers `payment_intent.succeeded`; `fail` marks it failed and delivers
   * `payment_intent.payment_failed`. A second answer changes nothing. Returns the intent.
   */
  confirmPaymentIntent(id: string, answer: "complete" | "fail"): Promise<SimulatedIntent | null>;
}

/** Builds the simulated provider's charge operations over `sql`; `emitEvent` delivers signed events. */
export function createSimulatedCharges(options: {
  sql: Sql;
  publicUrl: string;
  emitEvent: (type: string, object: Record<string, unknown>) => Promise<void>;
}): SimulatedCharges {
  const { sql } = options;
  const toResult = (row: IntentRow): ChargeResult => ({
    paymentIntentId: row.id,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    failureMessage: row.last_error,
  });
  const toIntent = (row: IntentRow): SimulatedIntent => ({
    id: row.id,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    topupId: row.metadata.topupId ?? null,
  });
  const toStripeIntent = (row: IntentRow) => ({
    id: row.id,
    object: "payment_intent",
    amount: row.amount,
    currency: row.currency.toLowerCase(),
    status: row.status,
    metadata: row.metadata,
  });

  return {
    async chargeSavedPaymentMethod(input) {
      const card = cardOf(input.paymentMethodId);
      const outcome: Pick<IntentRow, "status" | "last_error"> = !card
        ? { status: "failed", last_error: CARD_MESSAGES.invalid }
        : card.offSessionDeclines
          ? { status: "failed", last_error: CARD_MESSAGES.declined }
          : card.behaviour === "authenticate"
            ? { status: "requires_action", last_error: "This payment requires authentication." }
            : { status: "succeeded", last_error: null };
      const id = `pi_sim_${createHash("sha256").update(input.idempotencyKey).digest("hex").slice(0, 24)}`;
      await sql`
        INSERT INTO simulated_payment_intents
          (id, idempotency_key, amount, currency, customer, payment_method, status, last_error, metadata)
        VALUES (${id}, ${input.idempotencyKey}, ${input.amount}, ${input.currency}, ${input.customerId},
                ${input.paymentMethodId}, ${outcome.status}, ${outcome.last_error}, ${sql.json(input.metadata)})
        ON CONFLICT (idempotency_key) DO NOTHING`;
      const [row] = await sql<
        IntentRow[]
      >`SELECT * FROM simulated_payment_intents WHERE idempotency_key = ${input.idempotencyKey}`;
      return toResult(row!);
    },

    async refund(input) {
      const id = `re_sim_${createHash("sha256").update(input.idempotencyKey).digest("hex").slice(0, 24)}`;
      const made = await sql.begin(async (tx) => {
        // One refund of a payment at a time, so two cannot both pass the "not more than paid" check.
        await tx`SELECT pg_advisory_xact_lock(hashtext(${"simulated_refund:" + input.paymentIntentId}))`;
        const [replay] = await tx`SELECT 1 FROM simulated_refunds WHERE idempotency_key = ${input.idempotencyKey}`;
        if (replay) return null;
        const [charge] = await tx<{ amount: number; currency: string }[]>`
          SELECT amount, currency FROM simulated_payment_intents WHERE id = ${input.paymentIntentId} AND status = 'succeeded'
          UNION ALL
          SELECT amount, currency FROM simulated_checkout_sessions
           WHERE payment_intent_id = ${input.paymentIntentId} AND payment_status = 'paid'`;
        if (!charge) throw new ProviderError(`No such payment: ${input.paymentIntentId}`);
        const [prior] = await tx<{ refunded: number }[]>`
          SELECT coalesce(sum(amount), 0)::bigint AS refunded FROM simulated_refunds WHERE payment_intent_id = ${input.paymentIntentId}`;
        const amount = input.amount ?? charge.amount - prior!.refunded;
        if (amount <= 0 || prior!.refunded + amount > charge.amount) {
          throw new ProviderError(
            `Refund of ${amount} is more than the ${charge.amount - prior!.refunded} left of ${input.paymentIntentId}.`,
          );
        }
        await tx`
          INSERT INTO simulated_refunds (id, idempotency_key, payment_intent_id, amount)
          VALUES (${id}, ${input.idempotencyKey}, ${input.paymentIntentId}, ${amount})`;
        return { charge, amountRefunded: prior!.refunded + amount };
      });
      if (made) {
        await options.emitEvent("charge.refunded", {
          id: `ch_${input.paymentIntentId.slice("pi_".length)}`,
          object: "charge",
          payment_intent: input.paymentIntentId,
          amount: made.charge.amount,
          amount_refunded: made.amountRefunded,
          currency: made.charge.currency.toLowerCase(),
          refunded: made.amountRefunded === made.charge.amount,
        });
      }
      return { id, status: "succeeded" };
    },

    async getPaymentIntent(id) {
      const [row] = await sql<IntentRow[]>`SELECT * FROM simulated_payment_intents WHERE id = ${id}`;
      return row ? toIntent(row) : null;
    },

    async getPaymentConfirmation(id) {
      const [row] = await sql<IntentRow[]>`SELECT * FROM simulated_payment_intents WHERE id = ${id}`;
      if (!row) throw new ProviderError(`No such payment_intent: '${id}'.`);
      return {
        paymentIntentId: row.id,
        status: row.status,
        amount: row.amount,
        currency: row.currency,
        next: row.status === "requires_action" ? { kind: "redirect", url: `${options.publicUrl}/simulated-checkout/confirm/${row.id}` } : null,
      };
    },

    async confirmPaymentIntent(id, answer) {
      const status = answer === "complete" ? "succeeded" : "failed";
      const [row] = await sql<IntentRow[]>`
        UPDATE simulated_payment_intents
           SET status = ${status}, last_error = ${answer === "complete" ? null : CARD_MESSAGES.authenticationFailed}
         WHERE id = ${id} AND status = 'requires_action' RETURNING *`;
      if (row) {
        await options.emitEvent(
          status === "succeeded" ? "payment_intent.succeeded" : "payment_intent.payment_failed",
          toStripeIntent(row),
        );
      }
      return this.getPaymentIntent(id);
    },
  };
}
