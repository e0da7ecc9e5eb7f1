import { expect } from "vitest";
import type { Customer, TestContext } from "../harness";

/** Shared steps of the payment tests: start a top-up, use the checkout page, capture and replay webhooks. */

export interface TopupDto {
  id: string;
  amount: number;
  currency: string;
  status: string;
  checkoutUrl: string;
  createdAt: string;
  settledAt: string | null;
}

export type ErrorBody = { error: { code: string; message: string; requestId: string } };

/** POST /topups as the customer's portal session; expects 201. */
export async function createTopup(ctx: TestContext, customer: Customer, amount: number): Promise<TopupDto> {
  const res = await ctx.request("POST", "/api/v1/topups", { cookie: customer.cookie, body: { amount } });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as TopupDto;
}

/** GET /topups/:id as the customer (the checkout return path). */
export async function getTopup(ctx: TestContext, customer: Customer, id: string): Promise<Response> {
  return ctx.request("GET", `/api/v1/topups/${id}`, { cookie: customer.cookie });
}

/** A future expiry ("12 / YY", three years ahead) for test card submissions. */
export const VALID_EXPIRY = `12 / ${String((new Date().getUTCFullYear() + 3) % 100).padStart(2, "0")}`;

/**
 * Submits the simulated checkout form at `checkoutUrl` (form fields as given, e.g. `{ card }`);
 * with a `card`, expiry VALID_EXPIRY and CVC 123 unless given.
 */
export async function submitCheckout(ctx: TestContext, checkoutUrl: string, fields: Record<string, string>): Promise<Response> {
  const form = "card" in fields ? { expiry: VALID_EXPIRY, cvc: "123", ...fields } : fields;
  return ctx.request("POST", new URL(checkoutUrl).pathname, {
    body: new URLSearchParams(form).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
}

/** Posts a raw webhook to the app as Stripe would. */
export async function postWebhook(ctx: TestContext, rawBody: string, signature?: string): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signature !== undefined) headers["stripe-signature"] = signature;
  return ctx.request("POST", "/api/v1/webhooks/stripe", { body: rawBody, headers });
}

export interface CapturedWebhook {
  rawBody: string;
  signature: string;
}

/**
 * Makes the simulated provider hand its signed events to the test instead of the
 * webhook route, runs `fn`, then restores normal delivery. Returns what was captured.
 */
export async function captureWebhooks(ctx: TestContext, fn: () => Promise<void>): Promise<CapturedWebhook[]> {
  const captured: CapturedWebhook[] = [];
  ctx.services.setWebhookDelivery(async (rawBody, signature) => {
    captured.push({ rawBody, signature });
  });
  try {
    await fn();
  } finally {
    ctx.services.setWebhookDelivery(async (rawBody, signature) => {
      const res = await postWebhook(ctx, rawBody, signature);
      if (!res.ok) throw new Error(`webhook delivery answered ${res.status}`);
    });
  }
  return captured;
}

/** The account's balance and its number of top-up entries. */
export async function moneyOf(ctx: TestContext, accountId: string): Promise<{ balance: number; topupEntries: number }> {
  const [row] = await ctx.deps.database.sql<{ balance: number; topup_entries: number }[]>`
    SELECT a.balance, (SELECT count(*)::int FROM ledger_entries e WHERE e.account_id = a.id AND e.type = 'topup') AS topup_entries
      FROM accounts a WHERE a.id = ${accountId}`;
  return { balance: row!.balance, topupEntries: row!.topup_entries };
}

/** The stored status of a top-up. */
export async function topupStatus(ctx: TestContext, id: string): Promise<string | undefined> {
  const [row] = await ctx.deps.database.sql<{ status: string }[]>`SELECT status FROM topups WHERE id = ${id}`;
  return row?.status;
}

/** Asserts the error shape `{ error: { code, message, requestId } }` with `status` and `code`. */
export async function expectError(res: Response, status: number, code: string): Promise<void> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const body = JSON.parse(text) as ErrorBody;
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.requestId).toMatch(/^req_/);
}

/**
 * The simulated confirm flow of a charge that needs authentication, as a browser goes
 * through it: GET our confirm page (`actionUrl`) with the customer's session, follow its
 * "Confirm payment" form to the simulated bank's page, answer it (`complete` or `fail`),
 * expect the redirect back to `actionUrl`, and GET that again. Returns the final page.
 */
export async function confirmThroughPage(
  ctx: TestContext,
  customer: Customer,
  actionUrl: string,
  answer: "complete" | "fail",
): Promise<{ status: number; html: string }> {
  const path = new URL(actionUrl).pathname;
  const page = await ctx.request("GET", path, { cookie: customer.cookie });
  const html = await page.text();
  expect(page.status, html).toBe(200);
  const bankUrl = /<form method="get" action="([^"]+)">/.exec(html)?.[1];
  expect(bankUrl, html).toMatch(/\/simulated-checkout\/confirm\/pi_sim_/);
  const answered = await submitCheckout(ctx, bankUrl!, { authentication: answer });
  expect(answered.status).toBe(303);
  expect(answered.headers.get("location")).toBe(actionUrl);
  const done = await ctx.request("GET", path, { cookie: customer.cookie });
  return { status: done.status, html: await done.text() };
}
