import { inject } from "vitest";
import { afterAll, describe, expect, it } from "vitest";
import { LOGIN_FAILURES_PER_IP_PER_DAY, LOGIN_FREE_FAILURES, loginDelayS } from "../../server/auth/login-throttle";
import { createTestContext, newCustomer, type TestContext } from "../harness";
import { expectError } from "../payments/helpers";

const contexts: TestContext[] = [];
async function context(env: Record<string, string>) {
  const ctx = await createTestContext(env);
  contexts.push(ctx);
  return ctx;
}
afterAll(() => Promise.all(contexts.map((c) => c.close())));

/** A documentation-range IPv6 address of its own per call: runs sharing Redis do not meet. */
const newIp = () => `2001:db8::${Math.floor(Math.random() * 0xffff).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`;
const login = (ctx: TestContext, email: string, password: string, ip: string) =>
  ctx.request("POST", "/api/v1/auth/login", { body: { email, password }, headers: { "x-forwarded-for": ip } });
const signup = (ctx: TestContext, email: string, headers: Record<string, string> = {}) =>
  ctx.request("POST", "/api/v1/auth/signup", {
    body: { email, password: "correct horse battery", name: "Rate Co" },
    headers,
  });
const uniqueEmail = (tag: string) =>
  `${tag}_${Date.now()}_${process.pid}_${Math.random().toString(36).slice(2)}@example.test`;

async function fail(ctx: TestContext, email: string, ip: string, times: number) {
  for (let i = 0; i < times; i++) await expectError(await login(ctx, email, "wrong password", ip), 401, "invalid_credentials");
}

async function expectThrottled(res: Response, retryAfterS: number) {
  expect(res.headers.get("retry-after")).toBe(String(retryAfterS));
  await expectError(res, 429, "rate_limited");
}

describe("log-in throttling", () => {
  it("delays grow per email and IP across instances sharing Redis; the owner at another IP is never blocked", async () => {
    const a = await context({ REDIS_URL: inject("redisUrl"), TRUST_PROXY: "1" });
    const b = await context({ REDIS_URL: inject("redisUrl"), TRUST_PROXY: "1" });
    const { email } = await newCustomer(a);
    const attacker = newIp();
    await fail(a, email, attacker, LOGIN_FREE_FAILURES - 1);
    await fail(b, email, attacker, 1);
    // Now the attacker's address waits, even with the right password, and is told how long.
    await expectThrottled(await login(a, email, "correct horse battery", attacker), loginDelayS(LOGIN_FREE_FAILURES));
    // A failure after the wait (recorded directly: waiting out the delay is too slow for a test) doubles it.
    await b.deps.rateLimits.logins.failed(email, attacker);
    await expectThrottled(await login(a, email, "wrong password", attacker), loginDelayS(LOGIN_FREE_FAILURES + 1));
    expect(loginDelayS(LOGIN_FREE_FAILURES + 1)).toBe(2 * loginDelayS(LOGIN_FREE_FAILURES));

    const owner = newIp();
    expect((await login(a, email, "correct horse battery", owner)).status).toBe(200);
    expect((await login(b, email, "correct horse battery", owner)).status).toBe(200);
  });

  it("a successful log-in forgets the pair's failures", async () => {
    const ctx = await context({ TRUST_PROXY: "1" });
    const { email } = await newCustomer(ctx);
    const ip = newIp();
    await fail(ctx, email, ip, LOGIN_FREE_FAILURES - 1);
    expect((await login(ctx, email, "correct horse battery", ip)).status).toBe(200);
    await fail(ctx, email, ip, LOGIN_FREE_FAILURES - 1);
    expect((await login(ctx, email, "correct horse battery", ip)).status).toBe(200);
  });

  it("clearing an email (what a password reset does) frees it at every IP", async () => {
    const ctx = await context({ REDIS_URL: inject("redisUrl"), TRUST_PROXY: "1" });
    const { email } = await newCustomer(ctx);
    const [ip1, ip2] = [newIp(), newIp()];
    await fail(ctx, email, ip1, LOGIN_FREE_FAILURES);
    await fail(ctx, email, ip2, LOGIN_FREE_FAILURES);
    await expectError(await login(ctx, email, "correct horse battery", ip1), 429, "rate_limited");
    await ctx.deps.rateLimits.logins.clear(email);
    expect((await login(ctx, email, "correct horse battery", ip1)).status).toBe(200);
    expect((await login(ctx, email, "correct horse battery", ip2)).status).toBe(200);
  });

  it("one IP failing on many emails (known or not) is stopped for the day; other IPs are not", async () => {
    const ctx = await context({ TRUST_PROXY: "1" });
    const { email } = await newCustomer(ctx);
    const ip = newIp();
    for (let i = 0; i < LOGIN_FAILURES_PER_IP_PER_DAY; i++) {
      await expectError(await login(ctx, uniqueEmail("spray"), "wrong password", ip), 401, "invalid_credentials");
    }
    const blocked = await login(ctx, email, "correct horse battery", ip);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(23 * 3600);
    await expectError(blocked, 429, "rate_limited");
    expect((await login(ctx, email, "correct horse battery", newIp())).status).toBe(200);
  });
});

describe("sign-up limits", () => {
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
