import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { LOGIN_FREE_FAILURES, loginDelayS } from "../../server/auth/login-throttle";
import { createTestContext, newCustomer, type TestContext } from "../harness";
import { expectError } from "../payments/helpers";
import { startStallingProxy, type StallingProxy } from "./stalling-proxy";

// Redis outages (the one that hung log-in and sign-up for 90 s and more): the app reaches
// Redis through a proxy of the test's own that stops answering or closes its port.
let proxy: StallingProxy;
let ctx: TestContext;
beforeAll(async () => {
  proxy = await startStallingProxy(inject("redisUrl"));
  ctx = await createTestContext({ REDIS_URL: proxy.url, TRUST_PROXY: "1" });
});
afterEach(async () => {
  // Redis comes back: the clients' held commands go through and they reconnect.
  proxy.resume();
  if (!proxy.listening()) await proxy.listenAgain();
  await expect.poll(async () => (await (await ctx.request("GET", "/readyz")).json()) as unknown, { timeout: 15_000 }).toEqual({
    status: "ready",
    database: "ok",
    redis: "ok",
  });
});
afterAll(async () => {
  await ctx.close();
  await proxy.close();
});

const from = { "x-forwarded-for": `198.51.100.${Math.floor(Math.random() * 250) + 1}` };
const login = (email: string, password: string) =>
  ctx.request("POST", "/api/v1/auth/login", { body: { email, password }, headers: from });

describe("rate limits while Redis does not answer", () => {
  it("sign-up and log-in answer, limits still apply (per instance), and /readyz and /metrics show the outage", async () => {
    const { email } = await newCustomer(ctx);
    expect(await (await ctx.request("GET", "/readyz")).json()).toEqual({ status: "ready", database: "ok", redis: "ok" });

    proxy.stall();
    const signup = await ctx.request("POST", "/api/v1/auth/signup", {
      body: { email: `stalled_${Date.now()}@example.test`, password: "correct horse battery", name: "Stalled Co" },
      headers: from,
    });
    expect(signup.status).toBe(201);
    expect((await login(email, "correct horse battery")).status).toBe(200);
    // The in-memory insurance limiter keeps counting failures.
    for (let i = 0; i < LOGIN_FREE_FAILURES; i++) await expectError(await login(email, "wrong password"), 401, "invalid_credentials");
    const throttled = await login(email, "correct horse battery");
    await expectError(throttled, 429, "rate_limited");
    expect(throttled.headers.get("retry-after")).toBe(String(loginDelayS(LOGIN_FREE_FAILURES)));

    const ready = await ctx.request("GET", "/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "degraded", database: "ok", redis: "unreachable" });
    expect(await (await ctx.request("GET", "/metrics")).text()).toMatch(/^rate_limit_redis_up 0$/m);
  });

  it("while its port is closed, sign-up and log-in answer (no offline queue) and /readyz shows it", async () => {
    const { email } = await newCustomer(ctx);
    await proxy.refuse();
    const signup = await ctx.request("POST", "/api/v1/auth/signup", {
      body: { email: `refused_${Date.now()}@example.test`, password: "correct horse battery", name: "Refused Co" },
      headers: from,
    });
    expect(signup.status).toBe(201);
    expect((await login(email, "correct horse battery")).status).toBe(200);
    expect(await (await ctx.request("GET", "/readyz")).json()).toEqual({ status: "degraded", database: "ok", redis: "unreachable" });
  });
});
