import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, fund, newCustomer, type Customer, type TestContext } from "../harness";

let ctx: TestContext;
let owner: Customer;
let stranger: Customer;

beforeAll(async () => {
  ctx = await createTestContext();
  owner = await newCustomer(ctx);
  stranger = await newCustomer(ctx);
  await fund(ctx, owner.accountId, 5_000);
  await fund(ctx, stranger.accountId, 5_000);
});
afterAll(() => ctx.close());

type ErrorBody = { error: { code: string; message: string; requestId: string } };

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as ErrorBody;
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.requestId).toMatch(/^req_/);
}

const balanceOf = async (accountId: string) => {
  const [row] = await ctx.deps.database.sql<{ balance: number; sequence: number }[]>`
    SELECT balance, sequence FROM accounts WHERE id = ${accountId}`;
  return row!;
};

describe("tenancy: another tenant's ids are 404", () => {
  it("revoking another account's API key is 404 and leaves it working", async () => {
    const keys = (await (await ctx.request("GET", "/api/v1/api-keys", { cookie: owner.cookie })).json()) as { data: { id: string }[] };
    const ownerKeyId = keys.data[0]!.id;
    await expectError(await ctx.request("DELETE", `/api/v1/api-keys/${ownerKeyId}`, { cookie: stranger.cookie }), 404, "not_found");
    const still = await ctx.request("GET", "/api/v1/balance", { apiKey: owner.apiKey });
    expect(still.status).toBe(200);
  });

  it("an API key's last use is shown on the keys list", async () => {
    const fresh = await newCustomer(ctx);
    expect((await ctx.request("GET", "/api/v1/balance", { apiKey: fresh.apiKey })).status).toBe(200);
    await ctx.deps.apiKeyLastUsed.flush(); // as the process does every API_KEY_LAST_USED_FLUSH_MS
    const keys = (await (await ctx.request("GET", "/api/v1/api-keys", { cookie: fresh.cookie })).json()) as {
      data: { lastUsedAt: string | null }[];
    };
    expect(keys.data.some((k) => k.lastUsedAt !== null && Date.parse(k.lastUsedAt) > Date.now() - 60_000)).toBe(true);
  });

  it("a session or key only ever sees its own account", async () => {
    const viaKey = (await (await ctx.request("GET", "/api/v1/balance", { apiKey: stranger.apiKey })).json()) as { accountId: string };
    expect(viaKey.accountId).toBe(stranger.accountId);
    const list = (await (await ctx.request("GET", "/api/v1/transactions", { cookie: stranger.cookie })).json()) as {
      data: { accountId: string }[];
    };
    expect(list.data.every((e) => e.accountId === stranger.accountId)).toBe(true);
  });

  it("unknown API routes answer 404 with the error shape", async () => {
    await expectError(await ctx.request("GET", "/api/v1/nope", { cookie: owner.cookie }), 404, "not_found");
  });
});

describe("authentication", () => {
  it("no credential, a bad key, a revoked key, a missing scope", async () => {
    await expectError(await ctx.request("POST", "/api/v1/usage", { body: { amount: 1 } }), 401, "unauthenticated");
    await expectError(await ctx.request("POST", "/api/v1/usage", { apiKey: "lb_sk_nope", body: { amount: 1 } }), 401, "invalid_api_key");
    await expectError(await ctx.request("GET", "/api/v1/balance", { cookie: "lb_session=forged" }), 401, "unauthenticated");

    const created = (await (
      await ctx.request("POST", "/api/v1/api-keys", { cookie: owner.cookie, body: { name: "read only", scopes: ["balance:read"] } })
    ).json()) as { id: string; secret: string };
    await expectError(await ctx.request("POST", "/api/v1/usage", { apiKey: created.secret, body: { amount: 1 } }), 403, "insufficient_scope");
    expect((await ctx.request("DELETE", `/api/v1/api-keys/${created.id}`, { cookie: owner.cookie })).status).toBe(204);
    await expectError(await ctx.request("GET", "/api/v1/balance", { apiKey: created.secret }), 401, "invalid_api_key");
  });

  it("wrong password is 401 invalid_credentials; signup with a taken email is 409", async () => {
    await expectError(
      await ctx.request("POST", "/api/v1/auth/login", { body: { email: owner.email, password: "wrong password" } }),
      401,
      "invalid_credentials",
    );
    await expectError(
      await ctx.request("POST", "/api/v1/auth/signup", { body: { email: owner.email, password: "another password", name: "X" } }),
      409,
      "email_taken",
    );
    const ok = await ctx.request("POST", "/api/v1/auth/login", { body: { email: owner.email.toUpperCase(), password: "correct horse battery" } });
    expect(ok.status).toBe(200);
  });

  it("logout ends the session", async () => {
    const c = await newCustomer(ctx);
    expect((await ctx.request("POST", "/api/v1/auth/logout", { cookie: c.cookie })).status).toBe(204);
    await expectError(await ctx.request("GET", "/api/v1/me", { cookie: c.cookie }), 401, "unauthenticated");
  });
});

describe("bad input gets a 4xx with the error shape and changes nothing", () => {
  const cases: [string, string | object, number, string][] = [
    ["malformed JSON", "{\"amount\": 1", 400, "invalid_json"],
    ["string amount", { amount: "100" }, 400, "validation_error"],
    ["negative amount", { amount: -100 }, 400, "validation_error"],
    ["zero amount", { amount: 0 }, 400, "validation_error"],
    ["fractional amount", { amount: 1.5 }, 400, "validation_error"],
    ["huge amount", { amount: 1e20 }, 400, "validation_error"],
    ["unsafe integer", '{"amount": 9007199254740993}', 400, "validation_error"],
    ["missing amount", {}, 400, "validation_error"],
    ["array body", [1, 2], 400, "validation_error"],
    ["unknown currency", { amount: 100, currency: "XYZ" }, 400, "validation_error"],
    ["unknown field", { amount: 100, amout: 5 }, 400, "validation_error"],
    ["other currency", { amount: 100, currency: "USD" }, 422, "currency_mismatch"],
  ];
  for (const [name, body, status, code] of cases) {
    it(name, async () => {
      const before = await balanceOf(owner.accountId);
      await expectError(await ctx.request("POST", "/api/v1/usage", { apiKey: owner.apiKey, body }), status, code);
      expect(await balanceOf(owner.accountId)).toEqual(before);
    });
  }

  it("a body over 64 KiB is 413", async () => {
    const res = await ctx.request("POST", "/api/v1/usage", {
      apiKey: owner.apiKey,
      body: { amount: 1, description: "x".repeat(70_000) },
    });
    await expectError(res, 413, "payload_too_large");
  });

  it("signup validates email, password length and currency", async () => {
    for (const [body, code] of [
      [{ email: "not-an-email", password: "long enough", name: "A" }, "validation_error"],
      [{ email: "a@example.test", password: "short", name: "A" }, "password_too_short"],
      [{ email: "b@example.test", password: "long enough", name: "A", currency: "ABC" }, "validation_error"],
    ] as const) {
      await expectError(await ctx.request("POST", "/api/v1/auth/signup", { body }), 400, code);
    }
  });

  it("transactions rejects a forged cursor and a bad limit", async () => {
    await expectError(await ctx.request("GET", "/api/v1/transactions?cursor=abc", { cookie: owner.cookie }), 400, "validation_error");
    await expectError(await ctx.request("GET", "/api/v1/transactions?limit=1000", { cookie: owner.cookie }), 400, "validation_error");
  });
});

describe("ledger is append-only", () => {
  it("UPDATE and DELETE on ledger_entries are rejected by the database", async () => {
    const { sql } = ctx.deps.database;
    await expect(sql`UPDATE ledger_entries SET amount = 1 WHERE account_id = ${owner.accountId}`).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM ledger_entries WHERE account_id = ${owner.accountId}`).rejects.toThrow(/append-only/);
  });
});
