import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { expectError } from "../payments/helpers";
import { paidTopup } from "../payments/reversal-helpers";
import { asOperator, auditRows, OPERATOR_KEY, withFailingAudit } from "./helpers";

/**
 * The audit log (issue 11.2): every operator change writes one audit row in the SAME
 * transaction (a failed audit rolls the change back, a refused change writes none), with
 * who, what, target, before/after, request id and IP; GET /operator/audit-log lists and
 * filters them, cursor-paginated.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
});
afterAll(() => ctx.close());

const accountRow = async (id: string) =>
  (await ctx.deps.database.sql<{ status: string; overdraft_limit: number; balance: number }[]>`
    SELECT status, overdraft_limit, balance FROM accounts WHERE id = ${id}`)[0]!;

interface Page {
  data: { id: string; at: string; actor: string; action: string; targetId: string; before: unknown; after: unknown; requestId: string | null; ip: string | null }[];
  nextCursor: string | null;
}

describe("audit log", () => {
  it("suspend, reactivate and overdraft write who/what/before/after/request id/IP with the change", async () => {
    const c = await newCustomer(ctx);
    const suspended = await asOperator(ctx, "POST", `accounts/${c.accountId}/suspend`, { body: {} });
    expect(suspended.status).toBe(200);
    expect((await asOperator(ctx, "POST", `accounts/${c.accountId}/reactivate`)).status).toBe(200);
    expect((await asOperator(ctx, "PUT", `accounts/${c.accountId}/overdraft`, { body: { overdraftLimit: 700 } })).status).toBe(200);
    // a no-op reactivation and a refused change write nothing
    expect((await asOperator(ctx, "POST", `accounts/${c.accountId}/reactivate`)).status).toBe(200);

    const rows = await auditRows(ctx, c.accountId);
    expect(rows.map((r) => [r.actor, r.action, r.before, r.after])).toEqual([
      ["api_key", "account.suspended", { status: "active", suspendedReason: null }, { status: "suspended", suspendedReason: "operator" }],
      ["api_key", "account.reactivated", { status: "suspended", suspendedReason: "operator" }, { status: "active", suspendedReason: null }],
      ["api_key", "account.overdraft_set", { overdraftLimit: 0 }, { overdraftLimit: 700 }],
    ]);
    expect(rows[0]!.request_id).toBe(suspended.headers.get("x-request-id"));
    expect(rows.every((r) => typeof r.ip === "string" && r.ip.length > 0)).toBe(true);
  });

  it("a change whose audit row fails is rolled back; a refused change writes no audit row", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 100);
    await withFailingAudit(ctx, c.accountId, async () => {
      await expectError(await asOperator(ctx, "POST", `accounts/${c.accountId}/suspend`, { body: {} }), 500, "internal_error");
      await expectError(
        await asOperator(ctx, "PUT", `accounts/${c.accountId}/overdraft`, { body: { overdraftLimit: 900 } }),
        500,
        "internal_error",
      );
    });
    expect(await accountRow(c.accountId)).toMatchObject({ status: "active", overdraft_limit: 0 });

    await ctx.deps.database.sql`UPDATE accounts SET overdraft_limit = 500 WHERE id = ${c.accountId}`;
    await ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount: 400 } }); // available -300
    await expectError(
      await asOperator(ctx, "PUT", `accounts/${c.accountId}/overdraft`, { body: { overdraftLimit: 100 } }),
      422,
      "overdraft_in_use",
    );
    expect(await auditRows(ctx, c.accountId)).toEqual([]);
  });

  it("an operator refund is audited on the account with the refund; a failed audit leaves the balance untouched", async () => {
    const p = await paidTopup(ctx, 2_000);
    await withFailingAudit(ctx, p.customer.accountId, async () => {
      await expectError(await asOperator(ctx, "POST", `topups/${p.topupId}/refunds`, { body: { amount: 500 } }), 500, "internal_error");
    });
    expect((await accountRow(p.customer.accountId)).balance).toBe(2_000);
    const res = await asOperator(ctx, "POST", `topups/${p.topupId}/refunds`, { body: { amount: 500 } });
    expect(res.status).toBe(202);
    const refund = (await res.json()) as { id: string };
    const rows = await auditRows(ctx, p.customer.accountId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: "refund.requested", before: null, after: { id: refund.id, amount: 500, topupId: p.topupId } });
  });

  it("operator webhook endpoints are audited (created, enabled, deleted) without their secret; customers' are not", async () => {
    const created = await asOperator(ctx, "POST", "webhook-endpoints", {
      body: { url: "https://hooks.example.test/ops", enabledEvents: ["topup.succeeded"] },
    });
    expect(created.status).toBe(201);
    const { id, secret } = (await created.json()) as { id: string; secret: string };
    expect((await asOperator(ctx, "POST", `webhook-endpoints/${id}/enable`)).status).toBe(200);
    expect((await asOperator(ctx, "DELETE", `webhook-endpoints/${id}`)).status).toBe(204);
    const rows = await auditRows(ctx, id);
    expect(rows.map((r) => r.action)).toEqual(["webhook_endpoint.created", "webhook_endpoint.enabled", "webhook_endpoint.deleted"]);
    expect(JSON.stringify(rows)).not.toContain(secret);

    const c = await newCustomer(ctx);
    const own = await ctx.request("POST", "/api/v1/webhook-endpoints", {
      cookie: c.cookie,
      body: { url: "https://hooks.example.test/own", enabledEvents: ["topup.succeeded"] },
    });
    expect(own.status).toBe(201);
    expect(await auditRows(ctx, ((await own.json()) as { id: string }).id)).toEqual([]);
  });

  it("meters and prices are audited (existing verbs, same table)", async () => {
    const key = `m_${Date.now()}`;
    expect((await asOperator(ctx, "POST", "meters", { body: { key, name: "Minutes", unit: "minute" } })).status).toBe(201);
    expect((await auditRows(ctx, key)).map((r) => r.action)).toEqual(["meter.created"]);
  });

  it("GET /operator/audit-log filters by target, actor and action, newest first, with a cursor", async () => {
    const c = await newCustomer(ctx);
    for (const limit of [100, 200, 300, 400, 500]) {
      expect((await asOperator(ctx, "PUT", `accounts/${c.accountId}/overdraft`, { body: { overdraftLimit: limit } })).status).toBe(200);
    }
    const seen: Page["data"] = [];
    let cursor: string | null = null;
    do {
      const res = await asOperator(ctx, "GET", `audit-log?targetId=${c.accountId}&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as Page;
      seen.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((r) => (r.after as { overdraftLimit: number }).overdraftLimit)).toEqual([500, 400, 300, 200, 100]);
    expect(new Set(seen.map((r) => r.id)).size).toBe(5);
    expect(seen[0]).toMatchObject({ actor: "api_key", action: "account.overdraft_set", targetId: c.accountId });
    expect(seen[0]!.requestId).toMatch(/^req_/);

    const byAction = (await (await asOperator(ctx, "GET", `audit-log?action=account.overdraft_set&actor=api_key&limit=200`)).json()) as Page;
    expect(byAction.data.length).toBeGreaterThanOrEqual(5);
    expect(byAction.data.every((r) => r.action === "account.overdraft_set" && r.actor === "api_key")).toBe(true);
    const none = (await (await asOperator(ctx, "GET", `audit-log?actor=operator:nobody`)).json()) as Page;
    expect(none).toEqual({ data: [], nextCursor: null });
  });

  it("bad input is 400, no operator key is 401", async () => {
    for (const q of ["cursor=nope", "limit=0", "limit=201", `cursor=${Buffer.from('["x","y"]').toString("base64url")}`]) {
      await expectError(await asOperator(ctx, "GET", `audit-log?${q}`), 400, "validation_error");
    }
    await expectError(await ctx.request("GET", "/api/v1/operator/audit-log"), 401, "unauthenticated");
    await expectError(await asOperator(ctx, "GET", "audit-log", { key: "x".repeat(40) }), 401, "unauthenticated");
  });
});
