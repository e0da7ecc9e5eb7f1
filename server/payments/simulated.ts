import { createHash } from "node:crypto";
import Stripe from "stripe";
import type { Database } from "../../db/client";
import { newId } from "../../db/ids";
import type { Logger } from "../logger";
import { ProviderError } from "./errors";
import { checkoutMetadata, type CheckoutLocale, type PaymentProvider } from "./provider";
import {
  parseStripeWebhook,
  signWebhookPayload,
  toCheckoutSession,
  type StripeCheckoutSessionFields,
} from "./stripe-events";
import type { WebhookDelivery } from "./index";
import { CARD_MESSAGES, TEST_CARDS, type TestCard } from "./test-cards";
import { checkCvc, checkExpiry, type CardExpiry } from "./card-input";
import {
  createSimulatedCharges,
  SIMULATED_CARD_YEARS,
  simulatedCustomerId,
  simulatedPaymentMethodId,
  type SimulatedCharges,
} from "./simulated-charge";

/**
 * The simulated payment provider (the default, shared/DESIGN.md "Top-ups and payments"):
 * checkout sessions live in `simulated_checkout_sessions`, a local page at their URL
 * takes Stripe's test card numbers, and completing one emits a Stripe-shaped event
 * signed with the webhook secret to our own webhook route, so the real settlement
 * code runs.
 */

/** Checkout sessions expire unpaid after 24 h, as Stripe Checkout's default `expires_at`. */
export const CHECKOUT_LIFETIME_S = 24 * 60 * 60;

/** Metadata keys starting with this are the simulator's own notes, not shown in Stripe-shaped objects. */
const PRIVATE_METADATA_PREFIX = "sim_";

/** A simulated checkout session as the checkout page shows it. Amount in minor units, currency upper-case. */
export interface SimulatedCheckout {
  id: string;
  amount: number;
  currency: string;
  status: "open" | "complete" | "expired";
  paymentStatus: "unpaid" | "paid";
  /** setup: saves a card without paying (the page says so). */
  mode: "payment" | "setup";
  successUrl: string;
  cancelUrl: string;
  lastError: string | null;
  /** The page's language (the top-up's, from the portal user who started it). */
  locale: CheckoutLocale;
}

/**
 * A card submitted on the checkout page: number, expiry "MM/YY" and CVC as typed;
 * `authentication` is the answer on the 3-D Secure step, which carries number and expiry
 * back but not the CVC (checked on the first step).
 */
export interface CardSubmission {
  card: string;
  expiry: string;
  cvc?: string;
  authentication?: "complete" | "fail";
}

/** What a card submission led to; the checkout route turns each kind into a page or a redirect. */
export type CheckoutOutcome =
  | { kind: "paid"; redirectUrl: string }
  | { kind: "requires_authentication"; checkout: SimulatedCheckout; card: string; expiry: string }
  | { kind: "failed"; checkout: SimulatedCheckout; message: string }
  | { kind: "expired"; checkout: SimulatedCheckout }
  | { kind: "not_found" };

export interface SimulatedProvider extends PaymentProvider, SimulatedCharges {
  readonly name: "simulated";
  /** The session for the checkout page, or null when there is none. Expires it lazily after CHECKOUT_LIFETIME_S. */
  getCheckout(id: string): Promise<SimulatedCheckout | null>;
  /**
   * Applies a submitted test card: an unknown number, an incomplete, invalid or past
   * expiry or a CVC of the wrong length fails with Stripe's message and charges nothing
   * (card-input.ts); the entered expiry is the saved card's. Paying marks the session complete/paid with a
   * `pi_sim_...` payment intent and delivers a signed `checkout.session.completed`
   * event before returning; a second submit of a paid session just redirects again.
   */
  submitCard(id: string, submission: CardSubmission): Promise<CheckoutOutcome>;
}

export interface SimulatedProviderOptions {
  database: Database;
  publicUrl: string;
  webhookSecret: string;
  deliverWebhook: WebhookDelivery;
  logger: Logger;
}

interface SessionRow {
  id: string;
  amount: number;
  currency: string;
  status: SimulatedCheckout["status"];
  payment_status: SimulatedCheckout["paymentStatus"];
  payment_intent_id: string | null;
  metadata: Record<string, string>;
  success_url: string;
  cancel_url: string;
  last_error: string | null;
  locale: CheckoutLocale;
  created_at: Date;
}

/** True for a setup-mode session (saves a card without paying; metadata `purpose: "setup"`). */
const isSetup = (row: { metadata: Record<string, string> }) => row.metadata.purpose === "setup";

/**
 * The session's payment intent (payment mode) or setup intent (setup mode), expanded with
 * the saved card as `expand: ["payment_intent.payment_method"]` returns it from Stripe.
 * Only the fields settlement reads are filled, hence the cast.
 */
function expandedIntent(row: SessionRow): Stripe.PaymentIntent & Stripe.SetupIntent {
  const last4 = row.metadata.sim_card_last4 ?? "4242";
  const expMonth = Number(row.metadata.sim_card_exp_month ?? 12);
  const expYear = Number(row.metadata.sim_card_exp_year ?? new Date().getUTCFullYear() + SIMULATED_CARD_YEARS);
  return {
    id: isSetup(row) ? row.payment_intent_id!.replace(/^pi_/, "seti_") : row.payment_intent_id,
    object: isSetup(row) ? "setup_intent" : "payment_intent",
    amount: row.amount,
    currency: row.currency.toLowerCase(),
    customer: row.metadata.sim_customer ?? null,
    status: "succeeded",
    payment_method: row.metadata.sim_payment_method
      ? {
          id: row.metadata.sim_payment_method,
          object: "payment_method",
          type: "card",
          card: { brand: "visa", last4, exp_month: expMonth, exp_year: expYear },
        }
      : null,
  } as unknown as Stripe.PaymentIntent & Stripe.SetupIntent;
}

/** True when `provider` is the simulated one (the checkout page only exists then). */
export function isSimulatedProvider(provider: PaymentProvider): provider is SimulatedProvider {
  return provider.name === "simulated" && "submitCard" in provider;
}

/**
 * Builds the simulated provider. Sessions are idempotent on the idempotency key (a
 * repeat returns the first session, as Stripe does for 24 h): the session id is
 * derived from it.
 */
export function createSimulatedProvider(options: SimulatedProviderOptions): SimulatedProvider {
  const { sql } = options.database;
  const checkoutUrl = (id: string) => `${options.publicUrl}/simulated-checkout/${id}`;

  const toStripeSession = (row: SessionRow) => {
    const created = Math.floor(row.created_at.getTime() / 1000);
    const session = {
      id: row.id,
      object: "checkout.session",
      amount_subtotal: row.amount,
      amount_total: row.amount,
      cancel_url: row.cancel_url,
      success_url: row.success_url,
      client_reference_id: row.metadata.topupId ?? null,
      created,
      expires_at: created + CHECKOUT_LIFETIME_S,
      currency: row.currency.toLowerCase(),
      livemode: false,
      metadata: Object.fromEntries(Object.entries(row.metadata).filter(([k]) => !k.startsWith(PRIVATE_METADATA_PREFIX))),
      mode: isSetup(row) ? "setup" : "payment",
      customer: row.metadata.sim_customer ?? null,
      payment_intent: row.payment_intent_id && !isSetup(row) ? expandedIntent(row) : null,
      setup_intent: row.payment_intent_id && isSetup(row) ? expandedIntent(row) : null,
      payment_status: isSetup(row) ? "no_payment_required" : row.payment_status,
      status: row.status,
      url: row.status === "open" ? checkoutUrl(row.id) : null,
    } satisfies StripeCheckoutSessionFields & Record<string, unknown>;
    return session;
  };

  /** Signs and delivers a Stripe-shaped event; a failed delivery is logged (the return path still settles). */
  const emitEvent = async (type: string, object: Record<string, unknown>) => {
    const event = {
      id: newId("evt"),
      object: "event",
      api_version: Stripe.API_VERSION,
      created: Math.floor(Date.now() / 1000),
      data: { object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
    const payload = JSON.stringify(event, null, 2);
    try {
      await options.deliverWebhook(payload, signWebhookPayload(payload, options.webhookSecret));
    } catch (err) {
      options.logger.warn({ err, eventId: event.id, type }, "simulated webhook delivery failed");
    }
  };
  const emit = (type: "checkout.session.completed" | "checkout.session.expired", row: SessionRow) =>
    emitEvent(type, toStripeSession(row));
  const charges = createSimulatedCharges({ sql, publicUrl: options.publicUrl, emitEvent });

  const load = async (id: string): Promise<SessionRow | null> => {
    const [expired] = await sql<SessionRow[]>`
      UPDATE simulated_checkout_sessions SET status = 'expired'
       WHERE id = ${id} AND status = 'open' AND created_at < now() - make_interval(secs => ${CHECKOUT_LIFETIME_S})
      RETURNING *`;
    if (expired) {
      await emit("checkout.session.expired", expired);
      return expired;
    }
    const [row] = await sql<SessionRow[]>`SELECT * FROM simulated_checkout_sessions WHERE id = ${id}`;
    return row ?? null;
  };

  const toCheckout = (row: SessionRow): SimulatedCheckout => ({
    id: row.id,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    paymentStatus: row.payment_status,
    mode: isSetup(row) ? "setup" : "payment",
    successUrl: row.success_url,
    cancelUrl: row.cancel_url,
    lastError: row.last_error,
    locale: row.locale,
  });

  const fail = async (row: SessionRow, message: string): Promise<CheckoutOutcome> => {
    await sql`UPDATE simulated_checkout_sessions SET last_error = ${message} WHERE id = ${row.id} AND status = 'open'`;
    return { kind: "failed", checkout: toCheckout({ ...row, last_error: message }), message };
  };

  /** The outcome for a session that is no longer open (or does not exist). */
  const settled = (row: SessionRow | null): CheckoutOutcome => {
    if (!row) return { kind: "not_found" };
    if (row.status === "complete") return { kind: "paid", redirectUrl: row.success_url };
    return { kind: "expired", checkout: toCheckout(row) };
  };

  const pay = async (row: SessionRow, card: TestCard, expiry: CardExpiry): Promise<CheckoutOutcome> => {
    const notes: Record<string, string> = {
      sim_card_last4: card.number.slice(-4),
      sim_card_exp_month: String(expiry.month),
      sim_card_exp_year: String(expiry.year),
      sim_customer: simulatedCustomerId(row.metadata.accountId ?? row.id),
      sim_payment_method: simulatedPaymentMethodId(card),
    };
    if (card.offSessionDeclines) notes.sim_off_session_declines = "true";
    const [paid] = await sql<SessionRow[]>`
      UPDATE simulated_checkout_sessions
         SET status = 'complete', payment_status = 'paid', payment_intent_id = ${"pi_sim_" + newId("pi").slice(3)},
             last_error = NULL, metadata = metadata || ${sql.json(notes)}
       WHERE id = ${row.id} AND status = 'open'
      RETURNING *`;
    if (!paid) return settled(await load(row.id)); // a concurrent submit got there first
    await emit("checkout.session.completed", paid);
    return { kind: "paid", redirectUrl: paid.success_url };
  };

  const retrieveCheckoutSession = async (id: string) => {
    const row = await load(id);
    if (!row) throw new ProviderError(`No such checkout.session: '${id}'.`);
    return toCheckoutSession(toStripeSession(row), "simulated");
  };

  return {
    name: "simulated",
    retrieveCheckoutSession,

    async expireCheckoutSession(id) {
      const [expired] = await sql<SessionRow[]>`
        UPDATE simulated_checkout_sessions SET status = 'expired' WHERE id = ${id} AND status = 'open' RETURNING *`;
      if (expired) await emit("checkout.session.expired", expired);
      return retrieveCheckoutSession(id);
    },

    async createCheckoutSession(input) {
      const id = `cs_sim_${createHash("sha256").update(input.idempotencyKey).digest("hex").slice(0, 32)}`;
      const metadata = checkoutMetadata(input);
      await sql`
        INSERT INTO simulated_checkout_sessions (id, amount, currency, metadata, success_url, cancel_url, locale)
        VALUES (${id}, ${input.amount}, ${input.currency}, ${sql.json(metadata)}, ${input.successUrl}, ${input.cancelUrl}, ${input.locale ?? "en"})
        ON CONFLICT (id) DO NOTHING`;
      return retrieveCheckoutSession(id);
    },

    async createSetupSession(input) {
      const id = `cs_sim_${createHash("sha256").update(input.idempotencyKey).digest("hex").slice(0, 32)}`;
      const metadata = { accountId: input.accountId, purpose: "setup" };
      await sql`
        INSERT INTO simulated_checkout_sessions (id, amount, currency, metadata, success_url, cancel_url, locale)
        VALUES (${id}, 0, ${input.currency}, ${sql.json(metadata)}, ${input.successUrl}, ${input.cancelUrl}, ${input.locale ?? "en"})
        ON CONFLICT (id) DO NOTHING`;
      return retrieveCheckoutSession(id);
    },

    parseWebhook: (rawBody, signatureHeader) =>
      parseStripeWebhook(rawBody, signatureHeader, options.webhookSecret, "simulated"),
    ...charges,

    async getCheckout(id) {
      const row = await load(id);
      return row ? toCheckout(row) : null;
    },

    async submitCard(id, submission) {
      const row = await load(id);
      if (!row || row.status !== "open") return settled(row);
      const card = TEST_CARDS.find((c) => c.number === submission.card.replace(/[\s-]/g, ""));
      if (!card) return fail(row, CARD_MESSAGES.invalid);
      const expiry = checkExpiry(submission.expiry);
      if (!expiry.ok) return fail(row, expiry.message);
      if (!submission.authentication) {
        const cvc = checkCvc(submission.cvc ?? "", card.number);
        if (!cvc.ok) return fail(row, cvc.message);
      }
      if (card.behaviour === "declined") return fail(row, CARD_MESSAGES.declined);
      if (card.behaviour === "authenticate") {
        if (!submission.authentication) {
          return { kind: "requires_authentication", checkout: toCheckout(row), card: card.number, expiry: submission.expiry };
        }
        if (submission.authentication === "fail") return fail(row, CARD_MESSAGES.authenticationFailed);
      }
      return pay(row, card, expiry.value);
    },
  };
}
