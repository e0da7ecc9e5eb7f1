import { inject } from "vitest";
import { afterAll, describe, expect, it } from "vitest";
import { FAILED_LOGINS_ALLOWED } from "../../server/rate-limits";
import { createTestContext, newCustomer, type TestContext } from "../harness";
import { expectError } from "../payments/helpers";

const contexts: TestContext[] = [];
async function context(env: Record<string, string>) {
  const ctx = await createTestContext(env);
  contexts.push(ctx);
  return ctx;
}
afterAll(() => Promise.all(contexts.map((c) => c.close())));

const login = (ctx: TestContext, email: string, password: string) =>
  ctx.request("POST", "/api/v1/auth/login", { body: { email, password } });
const signup = (ctx: TestContext, email: string, headers: Record<string, string> = {}) =>
  ctx.request("POST", "/api/v1/auth/signup", {
    body: { email, password: "correct horse battery", name: "Rate Co" },
    headers,
  });
const uniqueEmail = (tag: string) =>
  `${tag}_${Date.now()}_${process.pid}_${Math.random().toString(36).slice(2)}@example.test`;

describe("rate limits", () => {
  it("failed log-ins are counted across API instances sharing Redis; then even the right password gets 429", async () => {
    const a = await context({ REDIS_URL: inject("redisUrl") });
    const b = await context({ REDIS_URL: inject("redisUrl") });
    const { email } = await newCustomer(a);
    for (let i = 0; i < FAILED_LOGINS_ALLOWED; i++) {
      await expectError(await login(i % 2 ? a : b, email, "wrong password"), 401, "invalid_credentials");
    }
    await expectError(await login(a, email, "correct horse battery"), 429, "rate_limited");
    await expectError(await login(b, email, "correct horse battery"), 429, "rate_limited");
    // Another account is not affected.
    const other = await newCustomer(b);
    expect((await login(a, other.email, "correct horse battery")).status).toBe(200);
  });

  it("a successful log-in clears the count", async () => {
    const ctx = await context({});
    const { email } = await newCustomer(ctx);
    for (let i = 0; i < FAILED_LOGINS_ALLOWED - 1; i++) await login(ctx, email, "wrong password");
    expect((await login(ctx, email, "correct horse battery")).status).toBe(200);
    for (let i = 0; i < FAILED_LOGINS_ALLOWED - 1; i++) await login(ctx, email, "wrong password");
    expect((await login(ctx, email, "correct horse battery")).status).toBe(200);
  });

  it("sign-ups per client IP behind a trusted proxy: the limit, Retry-After, nothing created, other IPs unaffected", async () => {
    const ctx = await context({ TRUST_PROXY: "1", SIGNUP_RATE_LIMIT_PER_HOUR: "3" });
    const from = (ip: string) => ({ "x-forwarded-for": ip });
    for (let i = 0; i < 3; i++) expect((await signup(ctx, uniqueEmail("ip7"), from("203.0.113.7"))).status).toBe(201);

    const blockedEmail = uniqueEmail("ip7");
    const blocked = await signup(ctx, blockedEmail, from("203.0.113.7"));
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(3_000);
    await expectError(blocked, 429, "rate_limited");
    const [user] = await ctx.deps.database.sql`SELECT 1 FROM users WHERE email = ${blockedEmail}`;
    expect(user).toBeUndefined();
    // A client-supplied address in front of the proxy's does not help.
    await expectError(await signup(ctx, uniqueEmail("ip7"), from("198.51.100.1, 203.0.113.7")), 429, "rate_limited");
    expect((await signup(ctx, uniqueEmail("ip8"), from("203.0.113.8"))).status).toBe(201);
  });

  it("without TRUST_PROXY, X-Forwarded-For is ignored", async () => {
    const ctx = await context({ SIGNUP_RATE_LIMIT_PER_HOUR: "2" });
    expect((await signup(ctx, uniqueEmail("np"), { "x-forwarded-for": "203.0.113.20" })).status).toBe(201);
    expect((await signup(ctx, uniqueEmail("np"), { "x-forwarded-for": "203.0.113.21" })).status).toBe(201);
    await expectError(await signup(ctx, uniqueEmail("np"), { "x-forwarded-for": "203.0.113.22" }), 429, "rate_limited");
  });
});
