import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { newId } from "../../db/ids";
import { hashPassword } from "../../server/auth/passwords";
import { createTestContext, newCustomer, type Customer, type TestContext } from "../harness";
import { expectError } from "../payments/helpers";
import { cookieOf, enrolTotp, nextCode } from "./helpers";

const PASSWORD = "correct horse battery";

let ctx: TestContext;
beforeAll(async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  ctx = await createTestContext();
});
afterAll(async () => {
  vi.useRealTimers();
  await ctx.close();
});

/** POST /auth/login expecting the 202 second-factor answer. @returns the pending-login token */
async function passwordStep(email: string, password = PASSWORD): Promise<string> {
  const res = await ctx.request("POST", "/api/v1/auth/login", { body: { email, password } });
  expect(res.status, await res.clone().text()).toBe(202);
  const body = (await res.json()) as { twoFactorRequired: true; token: string; expiresAt: string };
  expect(body.twoFactorRequired).toBe(true);
  expect(res.headers.get("set-cookie")).toBeNull();
  return body.token;
}

const codeStep = (token: string, code: string) => ctx.request("POST", "/api/v1/auth/login/two-factor", { body: { token, code } });

describe("enrolment", () => {
  it("starts with a QR code, confirms with a code, shows 10 recovery codes once; the secret never again", async () => {
    const customer = await newCustomer(ctx);
    const status = await ctx.request("GET", "/api/v1/me/two-factor", { cookie: customer.cookie });
    expect(await status.json()).toEqual({ enabled: false, enabledAt: null, recoveryCodesLeft: 0 });
    await expectError(await ctx.request("POST", "/api/v1/me/two-factor/enrolment/confirm", { cookie: customer.cookie, body: { code: "123456" } }), 409, "two_factor_not_started");

    const start = await ctx.request("POST", "/api/v1/me/two-factor/enrolment", { cookie: customer.cookie });
    expect(start.status).toBe(201);
    const enrolment = (await start.json()) as { secret: string; otpauthUri: string; qrCodeSvg: string };
    expect(enrolment.otpauthUri).toContain(encodeURIComponent(customer.email));
    expect(enrolment.qrCodeSvg).toMatch(/^<svg/);

    await expectError(await ctx.request("POST", "/api/v1/me/two-factor/enrolment/confirm", { cookie: customer.cookie, body: { code: "000000" } }), 422, "invalid_two_factor_code");
    await expectError(await ctx.request("POST", "/api/v1/me/two-factor/enrolment/confirm", { cookie: customer.cookie, body: { code: "12" } }), 400, "validation_error");
    const confirm = await ctx.request("POST", "/api/v1/me/two-factor/enrolment/confirm", { cookie: customer.cookie, body: { code: nextCode(enrolment.secret) } });
    expect(confirm.status).toBe(200);
    expect(((await confirm.json()) as { recoveryCodes: string[] }).recoveryCodes).toHaveLength(10);

    const after = await ctx.request("GET", "/api/v1/me/two-factor", { cookie: customer.cookie });
    const text = await after.text();
    expect(JSON.parse(text)).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });
    expect(text).not.toContain(enrolment.secret);
    const me = (await (await ctx.request("GET", "/api/v1/me", { cookie: customer.cookie })).json()) as { user: { twoFactorEnabled: boolean } };
    expect(me.user.twoFactorEnabled).toBe(true);
    await expectError(await ctx.request("POST", "/api/v1/me/two-factor/enrolment", { cookie: customer.cookie }), 409, "two_factor_already_enabled");

    const userId = await userIdOf(customer);
    const [audit] = await ctx.deps.database.sql`SELECT actor, action FROM audit_log WHERE target_id = ${userId}`;
    expect(audit).toEqual({ actor: `user:${userId}`, action: "two_factor.enabled" });
  });

  it("needs a session", async () => {
    await expectError(await ctx.request("GET", "/api/v1/me/two-factor"), 401, "unauthenticated");
    await expectError(await ctx.request("POST", "/api/v1/me/two-factor/enrolment"), 401, "unauthenticated");
  });
});

describe("log-in with two-factor on", () => {
  it("asks for the code after the password; a wrong code is refused, the right one starts a session", async () => {
    const customer = await newCustomer(ctx);
    const { secret } = await enrolTotp(ctx, customer.cookie);
    const token = await passwordStep(customer.email);
    await expectError(await codeStep(token, "000000"), 422, "invalid_two_factor_code");
    const ok = await codeStep(token, nextCode(secret));
    expect(ok.status).toBe(200);
    const balance = await ctx.request("GET", "/api/v1/balance", { cookie: cookieOf(ok) });
    expect(balance.status).toBe(200);
    // The pending-login token is single-use.
    await expectError(await codeStep(token, nextCode(secret)), 401, "login_challenge_expired");
    await expectError(await codeStep("lc_unknown", nextCode(secret)), 401, "login_challenge_expired");
  });

  it("refuses a code used once (replay) within its window", async () => {
    const customer = await newCustomer(ctx);
    const { secret } = await enrolTotp(ctx, customer.cookie);
    const code = nextCode(secret);
    expect((await codeStep(await passwordStep(customer.email), code)).status).toBe(200);
    await expectError(await codeStep(await passwordStep(customer.email), code), 422, "invalid_two_factor_code");
  });

  it("accepts each recovery code once", async () => {
    const customer = await newCustomer(ctx);
    const { recoveryCodes } = await enrolTotp(ctx, customer.cookie);
    expect((await codeStep(await passwordStep(customer.email), recoveryCodes[0]!)).status).toBe(200);
    await expectError(await codeStep(await passwordStep(customer.email), recoveryCodes[0]!), 422, "invalid_two_factor_code");
    const status = await ctx.request("GET", "/api/v1/me/two-factor", { cookie: customer.cookie });
    expect(await status.json()).toMatchObject({ recoveryCodesLeft: 9 });
  });

  it("throttles wrong codes like wrong passwords (429 with Retry-After)", async () => {
    const customer = await newCustomer(ctx);
    const { secret } = await enrolTotp(ctx, customer.cookie);
    const token = await passwordStep(customer.email);
    for (let i = 0; i < 5; i++) await expectError(await codeStep(token, "000000"), 422, "invalid_two_factor_code");
    const limited = await codeStep(token, nextCode(secret));
    await expectError(limited.clone(), 429, "rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("a wrong password never reaches the code step", async () => {
    const customer = await newCustomer(ctx);
    await enrolTotp(ctx, customer.cookie);
    await expectError(await ctx.request("POST", "/api/v1/auth/login", { body: { email: customer.email, password: "wrong password!" } }), 401, "invalid_credentials");
  });
});

describe("disable and recovery codes", () => {
  it("disabling needs the password and a code; log-in then asks for none", async () => {
    const customer = await newCustomer(ctx);
    const { secret } = await enrolTotp(ctx, customer.cookie);
    const disable = (body: unknown) => ctx.request("POST", "/api/v1/me/two-factor/disable", { cookie: customer.cookie, body });
    await expectError(await disable({ password: "wrong password!", code: nextCode(secret) }), 401, "invalid_credentials");
    await expectError(await disable({ password: PASSWORD, code: "000000" }), 422, "invalid_two_factor_code");
    await expectError(await disable({ password: PASSWORD }), 400, "validation_error");
    expect((await disable({ password: PASSWORD, code: nextCode(secret) })).status).toBe(204);
    await expectError(await disable({ password: PASSWORD, code: nextCode(secret) }), 422, "two_factor_not_enabled");
    const login = await ctx.request("POST", "/api/v1/auth/login", { body: { email: customer.email, password: PASSWORD } });
    expect(login.status).toBe(200);
  });

  it("regenerating needs a code and voids the old recovery codes", async () => {
    const customer = await newCustomer(ctx);
    const { secret, recoveryCodes } = await enrolTotp(ctx, customer.cookie);
    await expectError(await ctx.request("POST", "/api/v1/me/two-factor/recovery-codes", { cookie: customer.cookie, body: { code: "000000" } }), 422, "invalid_two_factor_code");
    const res = await ctx.request("POST", "/api/v1/me/two-factor/recovery-codes", { cookie: customer.cookie, body: { code: nextCode(secret) } });
    expect(res.status).toBe(200);
    const fresh = ((await res.json()) as { recoveryCodes: string[] }).recoveryCodes;
    expect(fresh).toHaveLength(10);
    await expectError(await codeStep(await passwordStep(customer.email), recoveryCodes[1]!), 422, "invalid_two_factor_code");
    expect((await codeStep(await passwordStep(customer.email), fresh[0]!)).status).toBe(200);
  });
});

describe("owners require two-factor of every member", () => {
  it("only owners with two-factor on may require it; members without it can only enrol until they do", async () => {
    const owner = await newCustomer(ctx);
    const put = (cookie: string, requireTwoFactor: boolean) =>
      ctx.request("PUT", "/api/v1/account/two-factor-policy", { cookie, body: { requireTwoFactor } });
    await expectError(await put(owner.cookie, true), 422, "two_factor_not_enabled");
    await expectError(await ctx.request("PUT", "/api/v1/account/two-factor-policy", { cookie: owner.cookie, body: { requireTwoFactor: "yes" } }), 400, "validation_error");
    const { secret: ownerSecret } = await enrolTotp(ctx, owner.cookie);

    const member = await addMember(owner, "viewer");
    await expectError(await put(member.cookie, true), 403, "forbidden");

    const res = await put(owner.cookie, true);
    expect(await res.json()).toEqual({ requireTwoFactor: true });
    const [audit] = await ctx.deps.database.sql`
      SELECT actor, before, after FROM audit_log WHERE target_id = ${owner.accountId} AND action = 'account.two_factor_policy_changed'`;
    expect(audit).toMatchObject({ before: { requireTwoFactor: false }, after: { requireTwoFactor: true } });

    // The member without two-factor: GET /me and enrolment work, everything else is 403.
    await expectError(await ctx.request("GET", "/api/v1/balance", { cookie: member.cookie }), 403, "two_factor_required");
    const me = (await (await ctx.request("GET", "/api/v1/me", { cookie: member.cookie })).json()) as { user: { twoFactorEnabled: boolean }; account: { requireTwoFactor: boolean } };
    expect(me).toMatchObject({ user: { twoFactorEnabled: false }, account: { requireTwoFactor: true } });
    const { secret } = await enrolTotp(ctx, member.cookie);
    expect((await ctx.request("GET", "/api/v1/balance", { cookie: member.cookie })).status).toBe(200);

    // Required: nobody may turn it off; the owner may lift the requirement.
    await expectError(await ctx.request("POST", "/api/v1/me/two-factor/disable", { cookie: member.cookie, body: { password: PASSWORD, code: nextCode(secret) } }), 403, "two_factor_required");
    expect(await (await put(owner.cookie, false)).json()).toEqual({ requireTwoFactor: false });
    expect((await ctx.request("POST", "/api/v1/me/two-factor/disable", { cookie: owner.cookie, body: { password: PASSWORD, code: nextCode(ownerSecret) } })).status).toBe(204);
  });

  it("GET shows the policy to every member; other accounts are unaffected", async () => {
    const owner = await newCustomer(ctx);
    const other = await newCustomer(ctx);
    await enrolTotp(ctx, owner.cookie);
    await ctx.request("PUT", "/api/v1/account/two-factor-policy", { cookie: owner.cookie, body: { requireTwoFactor: true } });
    expect(await (await ctx.request("GET", "/api/v1/account/two-factor-policy", { cookie: owner.cookie })).json()).toEqual({ requireTwoFactor: true });
    expect(await (await ctx.request("GET", "/api/v1/account/two-factor-policy", { cookie: other.cookie })).json()).toEqual({ requireTwoFactor: false });
  });
});

async function userIdOf(customer: Customer): Promise<string> {
  const [row] = await ctx.deps.database.sql<{ id: string }[]>`SELECT id FROM users WHERE email = ${customer.email}`;
  return row!.id;
}

/** A second user who belongs only to `owner`'s account, logged in (memberships are another issue's routes: SQL here). */
async function addMember(owner: Customer, role: "admin" | "viewer"): Promise<{ cookie: string; email: string }> {
  const email = `member_${newId("usr")}@example.test`;
  const userId = newId("usr");
  await ctx.deps.database.sql`INSERT INTO users (id, email, name, password_hash) VALUES (${userId}, ${email}, 'Member', ${await hashPassword(PASSWORD)})`;
  await ctx.deps.database.sql`INSERT INTO account_members (account_id, user_id, role) VALUES (${owner.accountId}, ${userId}, ${role})`;
  const res = await ctx.request("POST", "/api/v1/auth/login", { body: { email, password: PASSWORD } });
  expect(res.status).toBe(200);
  return { cookie: cookieOf(res), email };
}
