import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureHold } from "../../db/ledger/capture-hold";
import { createHold } from "../../db/ledger/create-hold";
import { debit } from "../../db/ledger/debit";
import { expireHolds, voidHold } from "../../db/ledger/release-hold";
import { verifyLedger } from "../../db/ledger/verify";
import { createTaskList } from "../../workers/tasks";
import { createTestContext, fund, newCustomer, type Customer, type TestContext } from "../harness";
import { expectError } from "../payments/helpers";
import { readSse } from "../sse/sse-reader";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

type HoldResult = { hold: { id: string; status: string; amount: number; capturedAmount: number | null }; balance: number; held: number; available: number; entry?: { amount: number; type: string } };

const hold = (c: Customer, body: Record<string, unknown>) => ctx.request("POST", "/api/v1/holds", { apiKey: c.apiKey, body });
const capture = (c: Customer, id: string, amount: number) =>
  ctx.request("POST", `/api/v1/holds/${id}/capture`, { apiKey: c.apiKey, body: { amount } });
const voidIt = (c: Customer, id: string) => ctx.request("POST", `/api/v1/holds/${id}/void`, { apiKey: c.apiKey });
const usage = (c: Customer, amount: number) => ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount } });

async function accountOf(accountId: string) {
  const [row] = await ctx.deps.database.sql<{ balance: number; held: number }[]>`SELECT balance, held FROM accounts WHERE id = ${accountId}`;
  return row!;
}

describe("holds", () => {
  it("a hold makes funds unavailable to debits (available = balance - held)", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    const res = await hold(c, { amount: 800, description: "call" });
    expect(res.status).toBe(201);
    const body = (await res.json()) as HoldResult;
    expect(body).toMatchObject({ balance: 1_000, held: 800, available: 200, hold: { status: "active", amount: 800 } });
    await expectError(await usage(c, 300), 402, "insufficient_funds");
    expect((await usage(c, 200)).status).toBe(201);
    await expectError(await hold(c, { amount: 1 }), 402, "insufficient_funds");
    expect(await accountOf(c.accountId)).toEqual({ balance: 800, held: 800 });
    const balance = (await (await ctx.request("GET", "/api/v1/balance", { apiKey: c.apiKey })).json()) as { available: number };
    expect(balance.available).toBe(0);
  });

  it("capture posts at most the hold, once, and releases it", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    const { hold: h } = (await (await hold(c, { amount: 600 })).json()) as HoldResult;
    await expectError(await capture(c, h.id, 601), 422, "capture_exceeds_hold");
    const res = await capture(c, h.id, 450);
    expect(res.status).toBe(200);
    const body = (await res.json()) as HoldResult;
    expect(body).toMatchObject({ balance: 550, held: 0, available: 550, hold: { status: "captured", capturedAmount: 450 } });
    expect(body.entry).toMatchObject({ amount: -450, type: "capture" });
    await expectError(await capture(c, h.id, 100), 409, "hold_not_active");
    await expectError(await voidIt(c, h.id), 409, "hold_not_active");
    expect(await accountOf(c.accountId)).toEqual({ balance: 550, held: 0 });
  });

  it("void releases the hold without charging; another account's hold is 404", async () => {
    const c = await newCustomer(ctx);
    const other = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    const { hold: h } = (await (await hold(c, { amount: 700 })).json()) as HoldResult;
    await expectError(await voidIt(other, h.id), 404, "not_found");
    await expectError(await capture(other, h.id, 1), 404, "not_found");
    const res = await voidIt(c, h.id);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ balance: 1_000, held: 0, available: 1_000, hold: { status: "voided" } });
  });

  it("expired holds release through the expire_holds worker task", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    const { hold: h } = (await (await hold(c, { amount: 300, expiresInSeconds: 60 })).json()) as HoldResult;
    const { hold: later } = (await (await hold(c, { amount: 200, expiresInSeconds: 3_600 })).json()) as HoldResult;
    const tasks = createTaskList({ ...ctx.deps, logger: ctx.deps.logger, now: () => new Date(Date.now() + 120_000) });
    await tasks.expire_holds!({}, {} as never);
    const rows = await ctx.deps.database.sql<{ id: string; status: string }[]>`
      SELECT id, status FROM holds WHERE account_id = ${c.accountId} ORDER BY created_at`;
    expect(rows).toEqual([
      { id: h.id, status: "expired" },
      { id: later.id, status: "active" },
    ]);
    expect(await accountOf(c.accountId)).toEqual({ balance: 1_000, held: 200 });
    await expectError(await capture(c, h.id, 1), 409, "hold_not_active");
  });

  it("hold changes reach the live stream as `hold` events without ids", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    const sse = readSse(await ctx.request("GET", "/api/v1/events", { cookie: c.cookie }));
    expect((await sse.next()).event).toBe("snapshot");
    const { hold: h } = (await (await hold(c, { amount: 250 })).json()) as HoldResult;
    const created = await sse.next();
    expect(created.event).toBe("hold");
    expect(created.id).toBeUndefined();
    expect(JSON.parse(created.data)).toMatchObject({ type: "hold.created", data: { held: 250, available: 750, hold: { id: h.id } } });
    await voidIt(c, h.id);
    expect(JSON.parse((await sse.next()).data)).toMatchObject({ type: "hold.voided", data: { held: 0, available: 1_000 } });
    await sse.close();
  });

  it("an idempotent hold request returns the first hold", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    const send = () => ctx.request("POST", "/api/v1/holds", { apiKey: c.apiKey, body: { amount: 100 }, headers: { "idempotency-key": "h-1" } });
    const first = (await (await send()).json()) as HoldResult;
    const second = await send();
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(((await second.json()) as HoldResult).hold.id).toBe(first.hold.id);
    expect(await accountOf(c.accountId)).toEqual({ balance: 1_000, held: 100 });
  });

  it("racing capture, void and expiry on one hold: exactly one wins, held is released once", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 10_000);
    for (let round = 0; round < 10; round++) {
      const h = await createHold(ctx.deps.ledger, { accountId: c.accountId, amount: 500, expiresAt: new Date(Date.now() - 1) });
      const results = await Promise.allSettled([
        captureHold(ctx.deps.ledger, { accountId: c.accountId, holdId: h.hold.id, amount: 100 }),
        voidHold(ctx.deps.ledger, c.accountId, h.hold.id),
        expireHolds(ctx.deps.ledger, new Date()),
      ]);
      const won = results.filter((r) => r.status === "fulfilled" && !(typeof r.value === "number" && r.value === 0));
      expect(won.length).toBe(1);
    }
    expect((await accountOf(c.accountId)).held).toBe(0);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("verify passes after a randomized concurrent mix of debits, holds, captures, voids and top-ups", async () => {
    const c = await newCustomer(ctx);
    const ledger = ctx.deps.ledger;
    await fund(ctx, c.accountId, 5_000);
    const holdIds: string[] = [];
    let seed = 42; // mulberry32: a fixed seed makes the mix reproducible
    const rand = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (((t ^ (t >>> 14)) >>> 0) % n);
    };
    const randomOp = () => {
      const amount = 1 + rand(300);
      const someHold = () => holdIds[rand(Math.max(1, holdIds.length))];
      switch (rand(6)) {
        case 0:
          return () => debit(ledger, { accountId: c.accountId, amount });
        case 1:
          return async () => {
            const expiresAt = new Date(Date.now() + (rand(2) === 0 ? -1 : 60_000)); // some are born expired
            const h = await createHold(ledger, { accountId: c.accountId, amount, expiresAt });
            holdIds.push(h.hold.id);
          };
        case 2:
          return async () => {
            const id = someHold();
            if (id) await captureHold(ledger, { accountId: c.accountId, holdId: id, amount: 1 + rand(150) });
          };
        case 3:
          return async () => {
            const id = someHold();
            if (id) await voidHold(ledger, c.accountId, id);
          };
        case 4:
          return () => expireHolds(ledger, new Date());
        default:
          return () => fund(ctx, c.accountId, amount);
      }
    };
    // Five waves of 40 concurrent operations, so later waves act on holds made by earlier ones.
    // Expected refusals (insufficient funds, hold already ended, capture above hold) are part of the mix.
    const results: PromiseSettledResult<unknown>[] = [];
    for (let wave = 0; wave < 5; wave++) {
      results.push(...(await Promise.allSettled(Array.from({ length: 40 }, () => randomOp()()))));
    }
    const unexpected = results.filter(
      (r) =>
        r.status === "rejected" &&
        !["insufficient_funds", "hold_not_active", "capture_exceeds_hold"].includes((r.reason as { code?: string }).code ?? ""),
    );
    expect(unexpected).toEqual([]);
    const [mix] = await ctx.deps.database.sql<{ captured: number; voided: number; expired: number }[]>`
      SELECT count(*) FILTER (WHERE status = 'captured')::int AS captured, count(*) FILTER (WHERE status = 'voided')::int AS voided,
             count(*) FILTER (WHERE status = 'expired')::int AS expired
        FROM holds WHERE account_id = ${c.accountId}`;
    expect(mix!.captured).toBeGreaterThan(0);
    expect(mix!.voided).toBeGreaterThan(0);
    expect(mix!.expired).toBeGreaterThan(0);
    expect(results.filter((r) => r.status === "fulfilled").length).toBeGreaterThan(100);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });
});
