import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestContext, newCustomer, type TestContext } from "../harness";
import { expectError } from "../payments/helpers";
import { cookieOf, enrolTotp, nextCode } from "./helpers";

const OPERATOR_KEY = "op_test_key_0123456789abcdef0123456789";
const PASSWORD = "operator password 1";
const ENROL_BASE = "/api/v1/operator/me/two-factor";

let ctx: TestContext;
beforeAll(async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
});
afterAll(async () => {
  vi.useRealTimers();
  await ctx.close();
});

interface Operator {
  id: string;
  email: string;
  cookie: string;
  secret: string;
}

/** Creates an operator user with the API key; returns the user and the set-password token. */
async function createOperator(role: "admin" | "support", by: { apiKey?: string; cookie?: string } = { apiKey: OPERATOR_KEY }) {
  const email = `op_${Date.now()}_${Math.random().toString(36).slice(2)}@example.test`;
  const res = await ctx.request("POST", "/api/v1/operator/users", { ...by, body: { email, role } });
  expect(res.status, await res.clone().text()).toBe(201);
  const body = (await res.json()) as { user: { id: string; email: string; passwordSet: boolean }; setPasswordUrl: string };
  return { ...body, token: new URL(body.setPasswordUrl).hash.slice(1) };
}

/** An operator who set the password and enrolled TOTP, logged in. */
async function readyOperator(role: "admin" | "support"): Promise<Operator> {
  const { user, token } = await createOperator(role);
  const res = await ctx.request("POST", "/api/v1/operator/auth/set-password", { body: { token, password: PASSWORD } });
  expect(res.status).toBe(200);
  const cookie = cookieOf(res);
  const { secret } = await enrolTotp(ctx, cookie, ENROL_BASE);
  return { id: user.id, email: user.email, cookie, secret };
}

describe("operator users: creation and first log-in", () => {
  it("an admin link sets the password once, then only TOTP enrolment opens until it is confirmed", async () => {
    const { user, token, setPasswordUrl } = await createOperator("admin");
    expect(setPasswordUrl).toMatch(/^http:\/\/localhost:3000\/operator\/set-password#/);
    expect(user).toMatchObject({ passwordSet: false });
    const [audit] = await ctx.deps.database.sql`SELECT actor, action FROM audit_log WHERE target_id = ${user.id}`;
    expect(audit).toEqual({ actor: "api_key", action: "operator_user.created" });

    await expectError(await ctx.request("POST", "/api/v1/operator/auth/set-password", { body: { token, password: "short" } }), 400, "password_too_short");
    const set = await ctx.request("POST", "/api/v1/operator/auth/set-password", { body: { token, password: PASSWORD } });
    expect(await set.clone().json()).toMatchObject({ id: user.id, role: "admin", twoFactorEnabled: false });
    const cookie = cookieOf(set);
    expect(cookie).toMatch(/^lb_operator=/);
    await expectError(await ctx.request("POST", "/api/v1/operator/auth/set-password", { body: { token, password: PASSWORD } }), 404, "not_found");

    await expectError(await ctx.request("GET", "/api/v1/operator/users", { cookie }), 403, "two_factor_required");
    expect((await ctx.request("GET", "/api/v1/operator/me", { cookie })).status).toBe(200);
    const { secret } = await enrolTotp(ctx, cookie, ENROL_BASE);
    expect((await ctx.request("GET", "/api/v1/operator/users", { cookie })).status).toBe(200);

    // Log out; the log-in now asks for the code (mandatory TOTP).
    expect((await ctx.request("POST", "/api/v1/operator/auth/logout", { cookie })).status).toBe(204);
    await expectError(await ctx.request("GET", "/api/v1/operator/me", { cookie }), 401, "unauthenticated");
    const login = await ctx.request("POST", "/api/v1/operator/auth/login", { body: { email: user.email, password: PASSWORD } });
    expect(login.status).toBe(202);
    const { token: challenge } = (await login.json()) as { token: string };
    await expectError(await ctx.request("POST", "/api/v1/operator/auth/login/two-factor", { body: { token: challenge, code: "000000" } }), 422, "invalid_two_factor_code");
    const code = nextCode(secret);
    const ok = await ctx.request("POST", "/api/v1/operator/auth/login/two-factor", { body: { token: challenge, code } });
    expect(await ok.clone().json()).toMatchObject({ email: user.email, twoFactorEnabled: true });
    expect((await ctx.request("GET", "/api/v1/operator/users", { cookie: cookieOf(ok) })).status).toBe(200);

    // The same code again, on a fresh challenge: refused (replay).
    const again = (await (await ctx.request("POST", "/api/v1/operator/auth/login", { body: { email: user.email, password: PASSWORD } })).json()) as { token: string };
    await expectError(await ctx.request("POST", "/api/v1/operator/auth/login/two-factor", { body: { token: again.token, code } }), 422, "invalid_two_factor_code");
  });

  it("refuses wrong passwords, unknown emails, duplicates and bad input", async () => {
    const op = await readyOperator("admin");
    await expectError(await ctx.request("POST", "/api/v1/operator/auth/login", { body: { email: op.email, password: "wrong password" } }), 401, "invalid_credentials");
    await expectError(await ctx.request("POST", "/api/v1/operator/auth/login", { body: { email: "nobody@example.test", password: PASSWORD } }), 401, "invalid_credentials");
    await expectError(await ctx.request("POST", "/api/v1/operator/users", { apiKey: OPERATOR_KEY, body: { email: op.email, role: "admin" } }), 409, "operator_exists");
    await expectError(await ctx.request("POST", "/api/v1/operator/users", { apiKey: OPERATOR_KEY, body: { email: "x@example.test", role: "root" } }), 400, "validation_error");
    await expectError(await ctx.request("PATCH", `/api/v1/operator/users/${op.id}`, { apiKey: OPERATOR_KEY, body: {} }), 400, "validation_error");
    await expectError(await ctx.request("POST", "/api/v1/operator/auth/set-password", { body: { token: "unknown", password: PASSWORD } }), 404, "not_found");
  });
});

describe("the demo operator", () => {
  it("is an admin with the demo login, created once, whose first log-in leads to TOTP enrolment", async () => {
    // Imported here: server/demo.ts loads the ledger before the harness set up zod's OpenAPI extension.
    const { seedDemoOperator } = await import("../../server/demo");
    const demo = await seedDemoOperator(ctx.deps);
    expect(await seedDemoOperator(ctx.deps)).toEqual(demo);
    expect(demo.consoleUrl).toBe("http://localhost:3000/operator");
    const login = await ctx.request("POST", "/api/v1/operator/auth/login", { body: { email: demo.email, password: demo.password } });
    expect(await login.clone().json()).toMatchObject({ email: demo.email, role: "admin", twoFactorEnabled: false });
    await expectError(await ctx.request("GET", "/api/v1/operator/users", { cookie: cookieOf(login) }), 403, "two_factor_required");
  });
});

describe("customer and operator sessions are separate", () => {
  it("a customer session opens no operator route, an operator session no customer route", async () => {
    const customer = await newCustomer(ctx);
    const op = await readyOperator("admin");
    await expectError(await ctx.request("GET", "/api/v1/operator/users", { cookie: customer.cookie }), 401, "unauthenticated");
    await expectError(await ctx.request("GET", "/api/v1/operator/me", { cookie: customer.cookie }), 401, "unauthenticated");
    await expectError(await ctx.request("GET", "/api/v1/balance", { cookie: op.cookie }), 401, "unauthenticated");
    await expectError(await ctx.request("GET", "/api/v1/me", { cookie: op.cookie }), 401, "unauthenticated");
    // The API key has no operator profile.
    await expectError(await ctx.request("GET", "/api/v1/operator/me", { apiKey: OPERATOR_KEY }), 401, "unauthenticated");
  });
});

describe("roles and management", () => {
  it("a support operator's session posts adjustments up to OPERATOR_SUPPORT_ADJUSTMENT_LIMIT (5000), refused beyond it, audited as that operator", async () => {
    const support = await readyOperator("support");
    const customer = await newCustomer(ctx);
    const adjust = (amount: number, key: string) =>
      ctx.request("POST", `/api/v1/operator/accounts/${customer.accountId}/adjustments`, {
        cookie: support.cookie,
        headers: { "idempotency-key": key },
        body: { amount, type: "promotion", reason: "Goodwill" },
      });
    expect((await adjust(5_000, `sup-${support.id}-1`)).status).toBe(201);
    await expectError(await adjust(5_001, `sup-${support.id}-2`), 403, "forbidden");
    const [balance] = await ctx.deps.database.sql`SELECT balance FROM accounts WHERE id = ${customer.accountId}`;
    expect(Number(balance!.balance)).toBe(5_000);
    const rows = await ctx.deps.database.sql`SELECT actor, action FROM audit_log WHERE target_id = ${customer.accountId} ORDER BY at`;
    expect(rows).toEqual([{ actor: `operator:${support.id}`, action: "account.adjusted" }]);
  });

  it("support operators read but neither manage operators nor write; admins change roles and disable, audited", async () => {
    const admin = await readyOperator("admin");
    const support = await readyOperator("support");
    const customer = await newCustomer(ctx);

    await expectError(await ctx.request("GET", "/api/v1/operator/users", { cookie: support.cookie }), 403, "forbidden");
    await expectError(await ctx.request("POST", "/api/v1/operator/users", { cookie: support.cookie, body: { email: "y@example.test", role: "admin" } }), 403, "forbidden");
    expect((await ctx.request("GET", "/api/v1/operator/meters", { cookie: support.cookie })).status).toBe(200);
    await expectError(await ctx.request("POST", `/api/v1/operator/accounts/${customer.accountId}/suspend`, { cookie: support.cookie, body: {} }), 403, "forbidden");

    // An admin's session acts as operator:<id> in the audit log.
    const created = await createOperator("support", { cookie: admin.cookie });
    const [createdAudit] = await ctx.deps.database.sql`SELECT actor FROM audit_log WHERE target_id = ${created.user.id}`;
    expect(createdAudit).toEqual({ actor: `operator:${admin.id}` });

    const promote = await ctx.request("PATCH", `/api/v1/operator/users/${support.id}`, { cookie: admin.cookie, body: { role: "admin" } });
    expect(await promote.json()).toMatchObject({ id: support.id, role: "admin", disabled: false, twoFactorEnabled: true });
    expect((await ctx.request("GET", "/api/v1/operator/users", { cookie: support.cookie })).status).toBe(200);

    const disable = await ctx.request("PATCH", `/api/v1/operator/users/${support.id}`, { cookie: admin.cookie, body: { disabled: true } });
    expect(await disable.json()).toMatchObject({ disabled: true });
    await expectError(await ctx.request("GET", "/api/v1/operator/meters", { cookie: support.cookie }), 401, "unauthenticated");
    await expectError(await ctx.request("POST", "/api/v1/operator/auth/login", { body: { email: support.email, password: PASSWORD } }), 401, "invalid_credentials");

    const audits = await ctx.deps.database.sql<{ actor: string; before: { role: string; disabled: boolean }; after: { role: string; disabled: boolean } }[]>`
      SELECT actor, before, after FROM audit_log WHERE target_id = ${support.id} AND action = 'operator_user.updated' ORDER BY at`;
    expect(audits.map((a) => [a.actor, a.before.role, a.after.role, a.before.disabled, a.after.disabled])).toEqual([
      [`operator:${admin.id}`, "support", "admin", false, false],
      [`operator:${admin.id}`, "admin", "admin", false, true],
    ]);

    await expectError(await ctx.request("PATCH", `/api/v1/operator/users/${admin.id}`, { cookie: admin.cookie, body: { role: "support" } }), 403, "forbidden");
    await expectError(await ctx.request("PATCH", "/api/v1/operator/users/opu_unknown", { cookie: admin.cookie, body: { role: "support" } }), 404, "not_found");
    const list = (await (await ctx.request("GET", "/api/v1/operator/users", { apiKey: OPERATOR_KEY })).json()) as { data: { id: string }[] };
    expect(list.data.map((u) => u.id)).toEqual(expect.arrayContaining([admin.id, support.id]));
    expect(JSON.stringify(list)).not.toMatch(/password_hash|argon2|secret/);
  });
});
