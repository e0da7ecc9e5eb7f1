import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../server/app";
import { createApiKeyCache } from "../../server/auth/api-key-cache";
import { createApiKeyLookup, MAX_HASHES_PER_LOOKUP } from "../../server/auth/api-key-lookup";
import { sha256Hex, type ApiKeyScope } from "../../server/auth/tokens";
import type { AppDeps } from "../../server/context";
import { ApiError } from "../../server/errors";
import { authenticateApiKey } from "../../server/middleware/auth";
import { createTestContext, newCustomer, type Customer, type TestContext } from "../harness";

let ctx: TestContext;
let customer: Customer;
/** Its own pool for the lookups under test, every statement sent on it logged in `statements`. */
let counted: postgres.Sql;
const statements: string[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  customer = await newCustomer(ctx);
  counted = postgres(ctx.deps.database.url, { max: 4, onnotice: () => {}, debug: (_connection, query) => statements.push(query) });
  await counted`SELECT 1`; // a connection open and idle: a lookup's statement is sent when its batch closes
});
afterAll(async () => {
  await counted?.end();
  await ctx?.close();
});

/** The statements on api_keys sent since the last freshDeps() (postgres.js' own type queries left out). */
const keyStatements = () => statements.filter((q) => /\bapi_keys\b/.test(q));

/** The process's deps with an empty API key cache and a new lookup on `counted`; resets `statements`. */
function freshDeps(): AppDeps {
  statements.length = 0;
  return { ...ctx.deps, apiKeyCache: createApiKeyCache(60_000), apiKeyLookup: createApiKeyLookup(counted) };
}

/** A new key of `customer`: its id and secret. */
async function newKey(scopes: ApiKeyScope[] = ["usage:write", "balance:read"]): Promise<{ id: string; secret: string }> {
  const res = await ctx.request("POST", "/api/v1/api-keys", { cookie: customer.cookie, body: { name: "lookup test", scopes } });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; secret: string };
}

/** What authenticating `secret` yields: the principal's api key id, or the ApiError's code. */
const outcome = (deps: AppDeps, secret: string, scope: ApiKeyScope = "balance:read") =>
  authenticateApiKey(deps, `Bearer ${secret}`, scope).then(
    (p) => (p.kind === "api_key" ? p.apiKeyId : p.kind),
    (err: unknown) => (err instanceof ApiError ? err.code : Promise.reject(err)),
  );

const unknownSecret = (i: number) => `lb_sk_unknown_${i}_${Date.now()}`;

describe("API key lookups on cache misses", () => {
  it("20 concurrent misses with 20 keys and 3 unknown ones: ONE statement, each the right principal or invalid_api_key", async () => {
    const keys = await Promise.all(Array.from({ length: 20 }, () => newKey()));
    const deps = freshDeps();
    const results = await Promise.all([...keys.map((k) => outcome(deps, k.secret)), ...[1, 2, 3].map((i) => outcome(deps, unknownSecret(i)))]);
    expect(results).toEqual([...keys.map((k) => k.id), "invalid_api_key", "invalid_api_key", "invalid_api_key"]);
    expect(keyStatements()).toHaveLength(1);
    expect(keyStatements()[0]).toMatch(/key_hash = ANY\(\$1::text\[\]\) AND revoked_at IS NULL/);
    expect(keyStatements()[0]).not.toMatch(/UPDATE/i);

    // the valid keys are cached now: the same calls again send nothing
    expect(await Promise.all(keys.map((k) => outcome(deps, k.secret)))).toEqual(keys.map((k) => k.id));
    expect(keyStatements()).toHaveLength(1);
    expect(deps.apiKeyCache.get(sha256Hex(unknownSecret(1)))).toBeUndefined();

    // the same through the app's middleware chain (nothing before requireAuth splits the batch)
    const app = createApp(freshDeps());
    const statuses = await Promise.all(
      [...keys.map((k) => k.secret), unknownSecret(4)].map(async (secret) => {
        const res = await app.request("/api/v1/balance", { headers: { authorization: `Bearer ${secret}` } });
        return res.status;
      }),
    );
    expect(statuses).toEqual([...keys.map(() => 200), 401]);
    expect(keyStatements()).toHaveLength(1);
  });

  it("concurrent misses of one key share one lookup, also while its statement is in flight", async () => {
    const key = await newKey();
    const lookup = createApiKeyLookup(counted);
    statements.length = 0;
    const hash = sha256Hex(key.secret);
    const first = lookup.find(hash);
    expect(lookup.find(hash)).toBe(first);
    await new Promise((resolve) => setImmediate(resolve)); // the batch has closed, its statement is sent
    expect(keyStatements()).toHaveLength(1);
    const late = lookup.find(hash);
    expect(late).toBe(first);
    expect((await late)?.id).toBe(key.id);
    expect(keyStatements()).toHaveLength(1);

    // settled: a later miss looks the key up again
    expect((await lookup.find(hash))?.id).toBe(key.id);
    expect(keyStatements()).toHaveLength(2);
  });

  it(`a busy turn is cut into statements of at most ${MAX_HASHES_PER_LOOKUP} hashes`, async () => {
    const lookup = createApiKeyLookup(counted);
    statements.length = 0;
    const found = await Promise.all(Array.from({ length: MAX_HASHES_PER_LOOKUP + 1 }, (_, i) => lookup.find(sha256Hex(unknownSecret(i)))));
    expect(found.every((k) => k === null)).toBe(true);
    expect(keyStatements()).toHaveLength(2);
  });

  it("a revoked key is refused and never cached, also when looked up with valid keys", async () => {
    const [revoked, valid] = [await newKey(), await newKey()];
    expect((await ctx.request("DELETE", `/api/v1/api-keys/${revoked.id}`, { cookie: customer.cookie })).status).toBe(204);
    const deps = freshDeps();
    expect(await Promise.all([outcome(deps, revoked.secret), outcome(deps, valid.secret)])).toEqual(["invalid_api_key", valid.id]);
    expect(keyStatements()).toHaveLength(1);
    expect(deps.apiKeyCache.get(sha256Hex(revoked.secret))).toBeUndefined();
    expect(deps.apiKeyCache.get(sha256Hex(valid.secret))?.id).toBe(valid.id);
    expect(await outcome(deps, revoked.secret)).toBe("invalid_api_key");
    expect(keyStatements()).toHaveLength(2); // looked up again: not cached
  });

  it("a key without the scope is insufficient_scope; a malformed header is invalid_api_key without a lookup", async () => {
    const readOnly = await newKey(["balance:read"]);
    const deps = freshDeps();
    expect(await outcome(deps, readOnly.secret, "usage:write")).toBe("insufficient_scope");
    expect(await outcome(deps, "not_a_key")).toBe("invalid_api_key");
    expect(keyStatements()).toHaveLength(1);
  });
});
