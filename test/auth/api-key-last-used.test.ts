import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApiKeyCache } from "../../server/auth/api-key-cache";
import { createApiKeyLastUsed } from "../../server/auth/api-key-last-used";
import { sha256Hex } from "../../server/auth/tokens";
import type { AppDeps } from "../../server/context";
import { createLogger } from "../../server/logger";
import { authenticateApiKey } from "../../server/middleware/auth";
import { createTestContext, newCustomer, type Customer, type TestContext } from "../harness";

let ctx: TestContext;
let customer: Customer;

beforeAll(async () => {
  // no timer flush during a test: each test flushes when it means to
  ctx = await createTestContext({ API_KEY_LAST_USED_FLUSH_MS: "60000" });
  customer = await newCustomer(ctx);
});
afterAll(() => ctx?.close());

/** A new key of `customer`: its id and secret. */
async function newKey(): Promise<{ id: string; secret: string }> {
  const res = await ctx.request("POST", "/api/v1/api-keys", { cookie: customer.cookie, body: { name: "last used test" } });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; secret: string };
}

/** last_used_at of these keys, by id (null: never stamped). */
async function lastUsed(...ids: string[]): Promise<Record<string, Date | null>> {
  const rows = await ctx.deps.database.sql<{ id: string; last_used_at: Date | null }[]>`
    SELECT id, last_used_at FROM api_keys WHERE id = ANY(${ids}::text[])`;
  return Object.fromEntries(rows.map((r) => [r.id, r.last_used_at]));
}

describe("last_used_at of API keys, stamped by a periodic flush", () => {
  it("a request writes nothing; the flush stamps the keys used by a miss and by a cache hit, not an unused one", async () => {
    const [miss, hit, unused] = [await newKey(), await newKey(), await newKey()];
    const recorder = createApiKeyLastUsed(ctx.deps.database.sql, 60_000, createLogger("silent"));
    const deps: AppDeps = { ...ctx.deps, apiKeyCache: createApiKeyCache(60_000), apiKeyLastUsed: recorder };
    deps.apiKeyCache.set(sha256Hex(hit.secret), { id: hit.id, accountId: customer.accountId, scopes: ["balance:read"], spendLimited: false });

    await authenticateApiKey(deps, `Bearer ${miss.secret}`, "balance:read");
    await authenticateApiKey(deps, `Bearer ${hit.secret}`, "balance:read");
    expect(await lastUsed(miss.id, hit.id, unused.id)).toEqual({ [miss.id]: null, [hit.id]: null, [unused.id]: null });

    await recorder.flush();
    const stamped = await lastUsed(miss.id, hit.id, unused.id);
    expect(stamped[miss.id]).toBeInstanceOf(Date);
    expect(stamped[hit.id]).toBeInstanceOf(Date);
    expect(stamped[unused.id]).toBeNull();
    await recorder.stop();
  });

  it("through the app: the key list shows no last use until the process flushes", async () => {
    const key = await newKey();
    expect((await ctx.request("GET", "/api/v1/balance", { apiKey: key.secret })).status).toBe(200);
    expect(await lastUsed(key.id)).toEqual({ [key.id]: null });
    await ctx.deps.apiKeyLastUsed.flush();
    expect((await lastUsed(key.id))[key.id]?.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("the timer flushes every flushMs", async () => {
    const key = await newKey();
    const recorder = createApiKeyLastUsed(ctx.deps.database.sql, 100, createLogger("silent"));
    recorder.record(key.id);
    const deadline = Date.now() + 2_000;
    while ((await lastUsed(key.id))[key.id] === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect((await lastUsed(key.id))[key.id]).toBeInstanceOf(Date);
    await recorder.stop();
  });

  it("a key is stamped at most once a minute; stop() flushes what is left", async () => {
    const key = await newKey();
    const recorder = createApiKeyLastUsed(ctx.deps.database.sql, 60_000, createLogger("silent"));
    const longAgo = new Date(Date.now() - 30_000);
    await ctx.deps.database.sql`UPDATE api_keys SET last_used_at = ${longAgo} WHERE id = ${key.id}`;
    recorder.record(key.id);
    await recorder.flush();
    expect(await lastUsed(key.id)).toEqual({ [key.id]: longAgo }); // stamped 30 s ago: left alone

    await ctx.deps.database.sql`UPDATE api_keys SET last_used_at = NULL WHERE id = ${key.id}`;
    recorder.record(key.id);
    await recorder.stop();
    expect((await lastUsed(key.id))[key.id]).toBeInstanceOf(Date);
  });

  it("a failing flush logs a warning and keeps the ids: the next flush stamps them", async () => {
    const [a, b] = [await newKey(), await newKey()];
    const logger = createLogger("silent");
    const warn = vi.spyOn(logger, "warn");
    // its own connection, which gives up on a row lock after 100 ms
    const impatient = postgres(ctx.deps.database.url, { max: 1, onnotice: () => {}, connection: { lock_timeout: 100 } });
    try {
      const recorder = createApiKeyLastUsed(impatient, 60_000, logger);
      recorder.record(a.id);
      recorder.record(b.id);
      await ctx.deps.database.sql.begin(async (tx) => {
        await tx`SELECT 1 FROM api_keys WHERE id = ${a.id} FOR UPDATE`;
        await recorder.flush(); // resolves: the error is logged
      });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(await lastUsed(a.id, b.id)).toEqual({ [a.id]: null, [b.id]: null });

      await recorder.flush();
      const stamped = await lastUsed(a.id, b.id);
      expect(stamped[a.id]).toBeInstanceOf(Date);
      expect(stamped[b.id]).toBeInstanceOf(Date);
      expect(warn).toHaveBeenCalledTimes(1);
      await recorder.stop();
    } finally {
      await impatient.end();
    }
  });
});
