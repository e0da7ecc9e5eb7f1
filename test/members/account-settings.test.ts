import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { expectError, freshEmail, invite, signUpFromInvitation } from "./helpers";

/** GET|PATCH /account and POST /account/close: name, currency until money moves, closing at zero only. */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const auditOf = (accountId: string) =>
  ctx.deps.database.sql<{ action: string; before: unknown; after: unknown }[]>`
    SELECT action, before, after FROM audit_log WHERE target_id = ${accountId} AND action LIKE 'account.%' ORDER BY at, id`;

async function withViewer() {
  const owner = await newCustomer(ctx);
  const email = freshEmail();
  const { token } = await invite(ctx, owner, email, "viewer");
  return { owner, viewer: await signUpFromInvitation(ctx, token, email) };
}

describe("account settings", () => {
  it("shows the account; owners rename it, audited; blank or long names are refused", async () => {
    const c = await newCustomer(ctx);
    const res = await ctx.request("GET", "/api/v1/account", { cookie: c.cookie });
    expect(await res.json()).toMatchObject({
      id: c.accountId,
      name: "Test Co",
      currency: "EUR",
      status: "active",
      moneyMoved: false,
      balance: 0,
    });
    const renamed = await ctx.request("PATCH", "/api/v1/account", { cookie: c.cookie, body: { name: "  Acme Ltd " } });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ name: "Acme Ltd" });
    expect(
      ((await (await ctx.request("GET", "/api/v1/me", { cookie: c.cookie })).json()) as { account: { name: string } })
        .account.name,
    ).toBe("Acme Ltd");
    for (const body of [
      { name: "" },
      { name: "   " },
      { name: "x".repeat(101) },
      { currency: "XYZ" },
      { name: "A", other: 1 },
    ]) {
      await expectError(
        await ctx.request("PATCH", "/api/v1/account", { cookie: c.cookie, body }),
        400,
        "validation_error",
      );
    }
    expect(await auditOf(c.accountId)).toEqual([
      {
        action: "account.updated",
        before: { name: "Test Co", currency: "EUR" },
        after: { name: "Acme Ltd", currency: "EUR" },
      },
    ]);
  });

  it("the currency can change until money moves, then 409 currency_locked", async () => {
    const c = await newCustomer(ctx);
    const changed = await ctx.request("PATCH", "/api/v1/account", { cookie: c.cookie, body: { currency: "usd" } });
    expect(await changed.json()).toMatchObject({ currency: "USD", moneyMoved: false });
    await fund(ctx, c.accountId, 500);
    await expectError(
      await ctx.request("PATCH", "/api/v1/account", { cookie: c.cookie, body: { currency: "EUR" } }),
      409,
      "currency_locked",
    );
    const after = (await (await ctx.request("GET", "/api/v1/account", { cookie: c.cookie })).json()) as {
      currency: string;
      moneyMoved: boolean;
    };
    expect(after).toMatchObject({ currency: "USD", moneyMoved: true });
  });

  it("viewers read but cannot rename or close; admins cannot close; API keys are 401", async () => {
    const { owner, viewer } = await withViewer();
    expect((await ctx.request("GET", "/api/v1/account", { cookie: viewer.cookie })).status).toBe(200);
    await expectError(
      await ctx.request("PATCH", "/api/v1/account", { cookie: viewer.cookie, body: { name: "Mine" } }),
      403,
      "forbidden",
    );
    await expectError(await ctx.request("POST", "/api/v1/account/close", { cookie: viewer.cookie }), 403, "forbidden");
    const members = (await (await ctx.request("GET", "/api/v1/members", { cookie: owner.cookie })).json()) as {
      members: { userId: string }[];
    };
    const viewerId = members.members.find((m) => m.userId === viewer.userId)!.userId;
    expect(
      (await ctx.request("PATCH", `/api/v1/members/${viewerId}`, { cookie: owner.cookie, body: { role: "admin" } }))
        .status,
    ).toBe(200);
    expect(
      (await ctx.request("PATCH", "/api/v1/account", { cookie: viewer.cookie, body: { name: "Renamed by admin" } }))
        .status,
    ).toBe(200);
    await expectError(await ctx.request("POST", "/api/v1/account/close", { cookie: viewer.cookie }), 403, "forbidden");
    await expectError(await ctx.request("GET", "/api/v1/account", { apiKey: owner.apiKey }), 401, "unauthenticated");
  });

  it("closes only at a zero balance (409 with the balance otherwise); closed accounts refuse usage and top-ups", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 250);
    const refused = await ctx.request("POST", "/api/v1/account/close", { cookie: c.cookie });
    await expectError(refused, 409, "account_not_empty");
    expect(((await refused.json()) as { error: { details: unknown } }).error.details).toEqual({
      balance: 250,
      held: 0,
      currency: "EUR",
    });
    const used = await ctx.request("POST", "/api/v1/usage", {
      apiKey: c.apiKey,
      headers: { "Idempotency-Key": "use-all" },
      body: { amount: 250 },
    });
    expect(used.status, await used.clone().text()).toBe(201);

    const closed = await ctx.request("POST", "/api/v1/account/close", { cookie: c.cookie });
    expect(closed.status).toBe(200);
    expect(await closed.json()).toMatchObject({ status: "closed", balance: 0 });
    expect(await auditOf(c.accountId)).toEqual([
      { action: "account.closed", before: { status: "active" }, after: { status: "closed" } },
    ]);

    await expectError(
      await ctx.request("POST", "/api/v1/usage", {
        apiKey: c.apiKey,
        headers: { "Idempotency-Key": "after-close" },
        body: { amount: 1 },
      }),
      403,
      "account_closed",
    );
    await expectError(
      await ctx.request("POST", "/api/v1/topups", {
        cookie: c.cookie,
        headers: { "Idempotency-Key": "topup-after-close" },
        body: { amount: 1000 },
      }),
      403,
      "account_closed",
    );
    await expectError(await ctx.request("POST", "/api/v1/account/close", { cookie: c.cookie }), 403, "account_closed");
    await expectError(
      await ctx.request("PATCH", "/api/v1/account", { cookie: c.cookie, body: { name: "Again" } }),
      403,
      "account_closed",
    );
    // Members still read it.
    expect(
      ((await (await ctx.request("GET", "/api/v1/me", { cookie: c.cookie })).json()) as { account: { status: string } })
        .account.status,
    ).toBe("closed");
  });
});
