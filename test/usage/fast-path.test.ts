// the harness first: it loads @hono/zod-openapi, which must extend zod before db/money.ts builds its schemas
import { createTestContext, fund, newCustomer, type Customer, type TestContext } from "../harness";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { suspendAccount } from "../../db/ledger/account-status";
import { verifyLedger } from "../../db/ledger/verify";
import { withUsageFastPath } from "../../server/routes/usage/fast-path";

let ctx: TestContext;
let server: Server;
let baseUrl: string;
/** Requests the lean path handed to the Hono app. */
let handedOver = 0;

beforeAll(async () => {
  ctx = await createTestContext();
  const app = getRequestListener(ctx.app.fetch);
  server = createServer(await withUsageFastPath(ctx.deps, (req, res) => (handedOver++, app(req, res))));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await ctx.close();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Headers only a real socket adds (or that name this very answer). */
const TRANSPORT = new Set(["date", "connection", "keep-alive", "x-request-id", "content-length"]);
/** Fields that name this very entry, account or request: equal in kind, not in value. */
const OWN = new Set(["id", "accountId", "createdAt", "requestId"]);

const normalize = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(normalize)
    : value && typeof value === "object"
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, OWN.has(k) ? typeof v : normalize(v)]))
      : value;

async function read(res: Response): Promise<Answer> {
  const text = await res.text();
  const headers = Object.fromEntries([...res.headers].filter(([name]) => !TRANSPORT.has(name)));
  return { status: res.status, headers, body: normalize(text ? JSON.parse(text) : null) };
}

/** POST /api/v1/usage over a real socket (the lean path, unless it hands over), and whether it handed over. */
async function overHttp(apiKey: string, body: string, headers: Record<string, string> = {}) {
  const before = handedOver;
  const res = await fetch(`${baseUrl}/api/v1/usage`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", ...headers },
    body,
  });
  expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  if (handedOver === before) {
    // the lean path states its length (the app streams an answer it did not measure)
    expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(await res.clone().text()));
  }
  return { answer: await read(res), handedOver: handedOver > before };
}

/** The same through the Hono app in-process (no socket: never the lean path). */
async function throughApp(apiKey: string, body: string, headers: Record<string, string> = {}) {
  return read(await ctx.request("POST", "/api/v1/usage", { apiKey, body, headers }));
}

/** Two customers set up alike (funded `amount`), one per path, so their answers can be compared. */
async function twins(amount: number): Promise<[Customer, Customer]> {
  const pair = await Promise.all([newCustomer(ctx), newCustomer(ctx)]);
  await Promise.all(pair.map((c) => fund(ctx, c.accountId, amount)));
  return pair as [Customer, Customer];
}

describe("POST /usage's lean path (server/routes/usage/fast-path.ts) answers as the app does", () => {
  it.each([
    ["a debit", JSON.stringify({ amount: 5 }), 201],
    ["a debit in the account's currency", JSON.stringify({ amount: 7, currency: "EUR" }), 201],
    ["another currency: 422", JSON.stringify({ amount: 5, currency: "USD" }), 422],
    ["more than available: 402 with details", JSON.stringify({ amount: 1_000_000 }), 402],
    ["an unknown meter: 422", JSON.stringify({ meter: "no-such-meter", quantity: "3" }), 422],
    ["an invalid quantity: 422", JSON.stringify({ meter: "m", quantity: "-1" }), 422],
  ])("takes %s itself: same status, headers and body", async (_, body, status) => {
    const [viaHttp, viaApp] = await twins(100);
    const lean = await overHttp(viaHttp.apiKey, body);
    expect(lean.handedOver).toBe(false);
    expect(lean.answer.status).toBe(status);
    expect(lean.answer).toEqual(await throughApp(viaApp.apiKey, body));
  });

  it("answers 401 for an unknown key, 403 for a key without usage:write and for a suspended account, as the app does", async () => {
    const [viaHttp, viaApp] = await twins(100);
    for (const c of [viaHttp, viaApp]) await suspendAccount(ctx.deps.ledger, c.accountId, "operator");
    const readOnly = await Promise.all(
      [viaHttp, viaApp].map(async (c) => {
        const res = await ctx.request("POST", "/api/v1/api-keys", { cookie: c.cookie, body: { name: "read only", scopes: ["balance:read"] } });
        return ((await res.json()) as { secret: string }).secret;
      }),
    );
    const body = JSON.stringify({ amount: 1 });
    for (const [httpKey, appKey, status] of [
      ["lb_sk_not_a_key_at_all_0123456789", "lb_sk_not_a_key_at_all_0123456789", 401],
      [readOnly[0]!, readOnly[1]!, 403],
      [viaHttp.apiKey, viaApp.apiKey, 403],
    ] as const) {
      const lean = await overHttp(httpKey, body);
      expect(lean.handedOver).toBe(false);
      expect(lean.answer.status).toBe(status);
      expect(lean.answer).toEqual(await throughApp(appKey, body));
    }
  });

  it.each([
    ["malformed JSON", "{\"amount\":", {}],
    ["a negative amount", JSON.stringify({ amount: -1 }), {}],
    ["an unknown field", JSON.stringify({ amount: 1, extra: true }), {}],
    ["a NUL in a string", JSON.stringify({ meter: "a\u0000b", quantity: "1" }), {}],
    ["a description", JSON.stringify({ amount: 3, description: "GPU minutes" }), {}],
    ["metadata", JSON.stringify({ amount: 3, metadata: { job: "42" } }), {}],
    ["an Idempotency-Key", JSON.stringify({ amount: 3 }), { "idempotency-key": "fast-path-test-key" }],
    ["another content type", JSON.stringify({ amount: 3 }), { "content-type": "text/plain" }],
  ])("hands %s to the app, body intact", async (_, body, headers) => {
    const [viaHttp, viaApp] = await twins(100);
    const lean = await overHttp(viaHttp.apiKey, body, headers);
    expect(lean.handedOver).toBe(true);
    expect(lean.answer).toEqual(await throughApp(viaApp.apiKey, body, headers));
  });

  it("observes its answers under the route's metric labels and counts ledger refusals, as the app does", async () => {
    const [viaHttp, viaApp] = await twins(10);
    const count = async (status: string) =>
      (await ctx.deps.metrics.httpRequestDuration.get()).values
        .filter((v) => v.metricName === "http_request_duration_seconds_count" && v.labels.route === "/api/v1/usage" && v.labels.status === status && v.labels.method === "POST")
        .reduce((n, v) => n + v.value, 0);
    const refusals = async () =>
      (await ctx.deps.metrics.ledgerRejections.get()).values
        .filter((v) => v.labels.route === "/api/v1/usage" && v.labels.reason === "insufficient_funds")
        .reduce((n, v) => n + v.value, 0);
    for (const send of [(b: string) => overHttp(viaHttp.apiKey, b), (b: string) => throughApp(viaApp.apiKey, b)]) {
      const [ok, refused, rejections] = [await count("201"), await count("402"), await refusals()];
      await send(JSON.stringify({ amount: 4 }));
      await send(JSON.stringify({ amount: 400 }));
      expect([await count("201"), await count("402"), await refusals()]).toEqual([ok + 1, refused + 1, rejections + 1]);
    }
  });

  it("concurrent debits over the lean path post each exactly once", async () => {
    const customers = await Promise.all(Array.from({ length: 8 }, () => newCustomer(ctx)));
    await Promise.all(customers.map((c) => fund(ctx, c.accountId, 100)));
    const answers = await Promise.all(customers.flatMap((c) => Array.from({ length: 15 }, () => overHttp(c.apiKey, JSON.stringify({ amount: 10 })))));
    expect(answers.filter((a) => a.answer.status === 201)).toHaveLength(8 * 10);
    expect(answers.filter((a) => a.answer.status === 402)).toHaveLength(8 * 5);
    expect(answers.every((a) => !a.handedOver)).toBe(true);
    const balances = await ctx.deps.database.sql<{ balance: number }[]>`
      SELECT balance FROM accounts WHERE id = ANY(${customers.map((c) => c.accountId)}::text[])`;
    expect(balances.map((b) => b.balance)).toEqual(Array(8).fill(0));
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });
});
