import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_WEBHOOK_ENDPOINTS } from "../../server/routes/webhook-endpoints/index";
import { createTestContext, newCustomer, type Customer, type TestContext } from "../harness";
import { expectError } from "../payments/helpers";

const OPERATOR_KEY = "op_test_key_webhooks_0123456789abcdefghijklmnop";
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
});
afterAll(() => ctx.close());

const create = (c: Customer, body: unknown) =>
  ctx.request("POST", "/api/v1/webhook-endpoints", { cookie: c.cookie, body });
const list = async (c: Customer) =>
  (
    (await (await ctx.request("GET", "/api/v1/webhook-endpoints", { cookie: c.cookie })).json()) as {
      data: Record<string, unknown>[];
    }
  ).data;
const valid = { url: "https://example.com/hooks", enabledEvents: ["account.suspended", "account.reactivated"] };

describe("webhook endpoints API", () => {
  it("creates an endpoint whose secret is shown once, lists and deletes it", async () => {
    const c = await newCustomer(ctx);
    const res = await create(c, { ...valid, description: "Cut service" });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; secret: string; enabledEvents: string[] };
    expect(created.id).toMatch(/^we_/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.enabledEvents).toEqual(valid.enabledEvents);

    const listed = await list(c);
    expect(listed).toEqual([
      {
        id: created.id,
        url: valid.url,
        description: "Cut service",
        enabledEvents: valid.enabledEvents,
        createdAt: expect.any(String),
        disabledAt: null,
        disabledReason: null,
        previousSecretExpiresAt: null,
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.secret);

    expect((await ctx.request("DELETE", `/api/v1/webhook-endpoints/${created.id}`, { cookie: c.cookie })).status).toBe(
      204,
    );
    expect(await list(c)).toEqual([]);
    await expectError(
      await ctx.request("DELETE", `/api/v1/webhook-endpoints/${created.id}`, { cookie: c.cookie }),
      404,
      "not_found",
    );
  });

  it("rejects bad input with 400 and creates nothing", async () => {
    const c = await newCustomer(ctx);
    const bad: unknown[] = [
      "{not json",
      { ...valid, url: "http://example.com/hooks" }, // plain http outside localhost
      { ...valid, url: "ftp://example.com/x" },
      { ...valid, url: "not a url" },
      { ...valid, url: `https://example.com/${"x".repeat(2100)}` },
      { ...valid, enabledEvents: [] },
      { ...valid, enabledEvents: ["balance.stolen"] },
      { ...valid, enabledEvents: "account.suspended" },
      { ...valid, description: 42 },
      { enabledEvents: valid.enabledEvents },
    ];
    for (const body of bad) {
      const res = await create(c, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(
        /^(validation_error|invalid_json)$/,
      );
    }
    expect(await list(c)).toEqual([]);
    expect((await create(c, { ...valid, url: "http://localhost:4000/hooks" })).status).toBe(201); // local development
  });

  it(`allows ${MAX_WEBHOOK_ENDPOINTS} endpoints per account, also when created concurrently, then 422`, async () => {
    const c = await newCustomer(ctx);
    const results = await Promise.all(Array.from({ length: MAX_WEBHOOK_ENDPOINTS + 4 }, () => create(c, valid)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(MAX_WEBHOOK_ENDPOINTS).fill(201), ...Array(4).fill(422)]);
    await expectError(await create(c, valid), 422, "limit_exceeded");
    expect(await list(c)).toHaveLength(MAX_WEBHOOK_ENDPOINTS);
  });

  it("another tenant's endpoint is 404 for every route", async () => {
    const owner = await newCustomer(ctx);
    const other = await newCustomer(ctx);
    const { id } = (await (await create(owner, valid)).json()) as { id: string };
    for (const [method, path] of [
      ["DELETE", `/api/v1/webhook-endpoints/${id}`],
      ["GET", `/api/v1/webhook-endpoints/${id}/deliveries`],
      ["POST", `/api/v1/webhook-endpoints/${id}/test`],
      ["PATCH", `/api/v1/webhook-endpoints/${id}`],
      ["POST", `/api/v1/webhook-endpoints/${id}/roll-secret`],
    ] as const) {
      const body = method === "PATCH" ? { description: "mine now" } : method === "POST" ? {} : undefined;
      await expectError(await ctx.request(method, path, { cookie: other.cookie, body }), 404, "not_found");
      await expectError(
        await ctx.request(method, path, { headers: { authorization: `Bearer ${OPERATOR_KEY}` }, body }),
        401,
        "unauthenticated",
      );
    }
    // The operator's own routes do not see account endpoints either.
    await expectError(
      await ctx.request("DELETE", `/api/v1/operator/webhook-endpoints/${id}`, {
        headers: { authorization: `Bearer ${OPERATOR_KEY}` },
      }),
      404,
      "not_found",
    );
    expect(await list(owner)).toEqual([expect.objectContaining({ description: null, previousSecretExpiresAt: null })]);
    expect(await list(other)).toEqual([]);
    await expectError(await ctx.request("GET", "/api/v1/webhook-endpoints"), 401, "unauthenticated");
  });

  it("edits URL, description and events (only the fields given), audited", async () => {
    const c = await newCustomer(ctx);
    const { id } = (await (await create(c, { ...valid, description: "Cut service" })).json()) as { id: string };
    const patch = (body: unknown) => ctx.request("PATCH", `/api/v1/webhook-endpoints/${id}`, { cookie: c.cookie, body });

    const res = await patch({ url: "https://example.org/new", enabledEvents: ["topup.succeeded", "topup.succeeded"] });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id,
      url: "https://example.org/new",
      description: "Cut service",
      enabledEvents: ["topup.succeeded"],
    });
    expect((await patch({ description: "" })).status).toBe(200);
    expect(await list(c)).toEqual([
      expect.objectContaining({ url: "https://example.org/new", description: null, enabledEvents: ["topup.succeeded"] }),
    ]);

    for (const body of [
      {},
      { url: "http://example.com/hooks" },
      { url: "not a url" },
      { url: `https://example.com/${"x".repeat(2100)}` },
      { enabledEvents: [] },
      { enabledEvents: ["balance.stolen"] },
      { description: "x".repeat(201) },
      "{not json",
    ]) {
      const bad = await patch(body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
    expect(await list(c)).toEqual([expect.objectContaining({ url: "https://example.org/new" })]);

    const audit = await ctx.deps.database.sql<{ actor: string; before: unknown; after: unknown }[]>`
      SELECT actor, before, after FROM audit_log WHERE target_id = ${id} AND action = 'webhook_endpoint.updated' ORDER BY at`;
    expect(audit).toEqual([
      {
        actor: expect.stringMatching(/^user:/),
        before: { url: valid.url, description: "Cut service", enabledEvents: valid.enabledEvents },
        after: { url: "https://example.org/new", description: "Cut service", enabledEvents: ["topup.succeeded"] },
      },
      expect.objectContaining({ after: expect.objectContaining({ description: null }) }),
    ]);
  });

  it("rolls the secret with a configurable overlap (default 24 h), the new one shown once, audited", async () => {
    const c = await newCustomer(ctx);
    const created = (await (await create(c, valid)).json()) as { id: string; secret: string };
    const roll = (body: unknown) =>
      ctx.request("POST", `/api/v1/webhook-endpoints/${created.id}/roll-secret`, { cookie: c.cookie, body });

    const res = await roll({});
    expect(res.status).toBe(200);
    const rolled = (await res.json()) as { secret: string; previousSecretExpiresAt: string };
    expect(rolled.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(rolled.secret).not.toBe(created.secret);
    const overlapMs = Date.parse(rolled.previousSecretExpiresAt) - Date.now();
    expect(overlapMs).toBeGreaterThan(24 * 3600_000 - 60_000);
    expect(overlapMs).toBeLessThan(24 * 3600_000 + 60_000);
    const listed = await list(c);
    expect(listed).toEqual([expect.objectContaining({ previousSecretExpiresAt: rolled.previousSecretExpiresAt })]);
    expect(JSON.stringify(listed)).not.toContain(rolled.secret);

    const twoHours = (await (await roll({ overlapHours: 2 })).json()) as { previousSecretExpiresAt: string };
    expect(Date.parse(twoHours.previousSecretExpiresAt) - Date.now()).toBeLessThan(2 * 3600_000 + 60_000);
    const none = (await (await roll({ overlapHours: 0 })).json()) as { previousSecretExpiresAt: string | null };
    expect(none.previousSecretExpiresAt).toBeNull();

    for (const body of [{ overlapHours: -1 }, { overlapHours: 169 }, { overlapHours: 1.5 }, { overlapHours: "24" }]) {
      expect((await roll(body)).status, JSON.stringify(body)).toBe(400);
    }
    const audit = await ctx.deps.database.sql<{ actor: string; after: { overlapHours: number } }[]>`
      SELECT actor, after FROM audit_log WHERE target_id = ${created.id} AND action = 'webhook_endpoint.secret_rolled' ORDER BY at`;
    expect(audit.map((a) => [a.actor, a.after.overlapHours])).toEqual([
      [expect.stringMatching(/^user:/), 24],
      [expect.stringMatching(/^user:/), 2],
      [expect.stringMatching(/^user:/), 0],
    ]);
    expect(JSON.stringify(audit)).not.toContain("whsec_");
  });

  it("operator endpoints need the operator key", async () => {
    const c = await newCustomer(ctx);
    await expectError(
      await ctx.request("GET", "/api/v1/operator/webhook-endpoints", { cookie: c.cookie }),
      401,
      "unauthenticated",
    );
    await expectError(
      await ctx.request("POST", "/api/v1/operator/webhook-endpoints", {
        headers: { authorization: "Bearer wrong" },
        body: valid,
      }),
      401,
      "unauthenticated",
    );
  });
});
