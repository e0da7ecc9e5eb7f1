import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, fund, newCustomer, type Customer, type TestContext } from "../harness";
import { expectError } from "../payments/helpers";
import { asOperator, OPERATOR_KEY } from "./helpers";

/** GET /operator/accounts (search, filters, sorts, cursor) and GET /operator/accounts/{id} (issue 11.3). */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
});
afterAll(() => ctx.close());

interface Summary { id: string; name: string; balance: number; status: string; ownerEmail: string | null }
interface Page { data: Summary[]; nextCursor: string | null }

const list = async (query: string) => {
  const res = await asOperator(ctx, "GET", `accounts?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Page;
};
const ids = (p: Page) => p.data.map((a) => a.id);

/** A customer named `name`, with `balance` minor units (funded, then debited as usage when negative). */
async function customerNamed(name: string, balance = 0): Promise<Customer> {
  const c = await newCustomer(ctx);
  const { sql } = ctx.deps.database;
  await sql`UPDATE accounts SET name = ${name}, overdraft_limit = 100000 WHERE id = ${c.accountId}`;
  if (balance > 0) await fund(ctx, c.accountId, balance);
  if (balance < 0) expect((await ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount: -balance } })).status).toBe(201);
  return c;
}

describe("operator accounts", () => {
  const token = `zq${randomBytes(4).toString("hex")}`;
  let alpha: Customer, beta: Customer, gamma: Customer;
  beforeAll(async () => {
    alpha = await customerNamed(`Alpha ${token} GmbH`, 5_000);
    beta = await customerNamed(`Beta ${token} Ltd`, -300);
    gamma = await customerNamed(`Gamma ${token} AG`, 100);
  });

  it("searches by name (substring, any case), member email, account id and id prefix", async () => {
    expect(new Set(ids(await list(`q=${token}`)))).toEqual(new Set([alpha.accountId, beta.accountId, gamma.accountId]));
    expect(ids(await list(`q=${encodeURIComponent(`BETA ${token.toUpperCase()}`)}`))).toEqual([beta.accountId]);
    const byEmail = await list(`q=${encodeURIComponent(gamma.email.slice(0, -3))}`);
    expect(ids(byEmail)).toEqual([gamma.accountId]);
    expect(byEmail.data[0]!.ownerEmail).toBe(gamma.email);
    expect(ids(await list(`q=${alpha.accountId}`))).toEqual([alpha.accountId]);
    const prefix = await list(`q=${alpha.accountId.slice(0, -2)}&limit=100`);
    expect(ids(prefix)).toContain(alpha.accountId);
    expect(ids(await list(`q=${encodeURIComponent("%_%" + token)}`))).toEqual([]); // LIKE wildcards are literal
    expect(await list(`q=nobody-${token}`)).toEqual({ data: [], nextCursor: null });
  });

  it("filters by status, below zero, auto top-up health and disabled webhook endpoints", async () => {
    const { sql } = ctx.deps.database;
    await asOperator(ctx, "POST", `accounts/${gamma.accountId}/suspend`, { body: {} });
    expect(ids(await list(`q=${token}&status=suspended`))).toEqual([gamma.accountId]);
    expect(ids(await list(`q=${token}&belowZero=true`))).toEqual([beta.accountId]);

    await sql`INSERT INTO auto_topup_settings (account_id, enabled, threshold, amount, consecutive_failures)
              VALUES (${alpha.accountId}, true, 500, 2000, 1), (${beta.accountId}, false, 500, 2000, 3)`;
    await sql`UPDATE auto_topup_settings SET disabled_reason = 'card_declined' WHERE account_id = ${beta.accountId}`;
    expect(ids(await list(`q=${token}&autoTopup=failing`))).toEqual([alpha.accountId]);
    expect(ids(await list(`q=${token}&autoTopup=disabled_after_failures`))).toEqual([beta.accountId]);

    await sql`INSERT INTO webhook_endpoints (id, account_id, url, enabled_events, secret, disabled_at, disabled_reason)
              VALUES (${"we_" + token}, ${alpha.accountId}, 'https://hooks.example.test/x', ${["topup.succeeded"]}, 'whsec_x', now(), 'failing')`;
    expect(ids(await list(`q=${token}&webhookDisabled=true`))).toEqual([alpha.accountId]);
    expect(ids(await list(`q=${token}&webhookDisabled=true&belowZero=true`))).toEqual([]);
  });

  it("sorts by balance either way and by last activity, page by page with the cursor", async () => {
    const walk = async (query: string) => {
      const seen: Summary[] = [];
      let cursor: string | null = null;
      do {
        const page = await list(`q=${token}&limit=1&${query}${cursor ? `&cursor=${cursor}` : ""}`);
        seen.push(...page.data);
        cursor = page.nextCursor;
      } while (cursor);
      return seen.map((a) => a.id);
    };
    expect(await walk("sort=balance")).toEqual([beta.accountId, gamma.accountId, alpha.accountId]);
    expect(await walk("sort=-balance")).toEqual([alpha.accountId, gamma.accountId, beta.accountId]);
    await fund(ctx, beta.accountId, 1); // beta is now the latest active
    const byActivity = await walk("sort=last_activity");
    expect(byActivity[0]).toBe(beta.accountId);
    expect(byActivity).toHaveLength(3);
    expect(await walk("sort=created")).toEqual([gamma.accountId, beta.accountId, alpha.accountId]);
  });

  it("shows one account with members, auto top-up health, saved cards, webhook endpoints and documents", async () => {
    const { sql } = ctx.deps.database;
    await sql`INSERT INTO payment_methods (id, account_id, provider, provider_payment_method_id, provider_customer_id, brand, last4, exp_month, exp_year, is_default)
              VALUES (${"pm_" + token}, ${alpha.accountId}, 'simulated', 'pm_x', 'cus_x', 'visa', '4242', 12, 2030, true)`;
    const res = await asOperator(ctx, "GET", `accounts/${alpha.accountId}`);
    expect(res.status).toBe(200);
    const a = (await res.json()) as Record<string, unknown>;
    expect(a).toMatchObject({
      id: alpha.accountId,
      name: `Alpha ${token} GmbH`,
      currency: "EUR",
      balance: 5_000,
      held: 0,
      available: 5_000,
      overdraftLimit: 100_000,
      status: "active",
      members: [{ email: alpha.email, role: "owner" }],
      autoTopup: { enabled: true, threshold: 500, amount: 2000, consecutiveFailures: 1, health: "failing" },
      paymentMethods: [{ id: `pm_${token}`, brand: "visa", last4: "4242", isDefault: true }],
      webhookEndpoints: [{ id: `we_${token}`, disabledReason: "failing", failedDeliveries7d: 0, pendingDeliveries: 0 }],
      recentDocuments: [],
    });
    expect(JSON.stringify(a)).not.toContain("whsec_x"); // endpoint secrets never leave
    const b = (await (await asOperator(ctx, "GET", `accounts/${beta.accountId}`)).json()) as { autoTopup: { health: string } };
    expect(b.autoTopup.health).toBe("disabled_after_failures");
  });

  it("404 for unknown and system account ids; 400 for bad input; 401 without the operator key", async () => {
    await expectError(await asOperator(ctx, "GET", "accounts/acct_unknown"), 404, "not_found");
    await expectError(await asOperator(ctx, "GET", "accounts/sys_usage_revenue_EUR"), 404, "not_found");
    for (const q of ["sort=name", "status=gone", "belowZero=yes", "limit=101", "cursor=x", `sort=balance&cursor=${Buffer.from('["2026-01-01 00:00:00+00","a"]').toString("base64url")}`]) {
      await expectError(await asOperator(ctx, "GET", `accounts?${q}`), 400, "validation_error");
    }
    await expectError(await ctx.request("GET", "/api/v1/operator/accounts"), 401, "unauthenticated");
    await expectError(await ctx.request("GET", `/api/v1/operator/accounts/${alpha.accountId}`, { cookie: alpha.cookie }), 401, "unauthenticated");
  });
});
