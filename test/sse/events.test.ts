import { inject } from "vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { SSE_RETRY_MS } from "../../server/sse/sse-sink";
import { readSse } from "./sse-reader";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const debit = (c: { apiKey: string }, amount: number, on: TestContext = ctx) =>
  on.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount, description: `debit ${amount}` } });

/** A customer with entries 1 (funding) .. 5 (debits of 10, 20, 30, 40), and a stream resumed with Last-Event-ID 2. */
async function resumedAfterFourDebits() {
  const c = await newCustomer(ctx);
  await fund(ctx, c.accountId, 1_000); // sequence 1
  for (const amount of [10, 20, 30, 40]) expect((await debit(c, amount)).status).toBe(201); // 2..5
  const res = await ctx.request("GET", "/api/v1/events", { cookie: c.cookie, headers: { "Last-Event-ID": "2" } });
  return { c, sse: readSse(res) };
}

describe("GET /api/v1/events", () => {
  it("sends a snapshot first, then a balance event with the new balance and id = sequence", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    const res = await ctx.request("GET", "/api/v1/events", { cookie: c.cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const sse = readSse(res);
    const snapshot = await sse.next();
    expect(snapshot.event).toBe("snapshot");
    expect(JSON.parse(snapshot.data)).toMatchObject({ balance: 1_000, sequence: 1, available: 1_000 });

    expect((await debit(c, 300)).status).toBe(201);
    const event = await sse.next();
    expect(event.event).toBe("balance");
    expect(event.id).toBe("2");
    const data = JSON.parse(event.data);
    expect(data).toMatchObject({ balance: 700, sequence: 2, available: 700, currency: "EUR" });
    expect(data.entry).toMatchObject({ amount: -300, type: "usage", balanceAfter: 700 });
    expect(typeof data.committedAtMs).toBe("number");
    await sse.close();
  });

  it("reconnecting with Last-Event-ID replays the missed entries in order, before the snapshot", async () => {
    const { c, sse } = await resumedAfterFourDebits();
    const replayed = [await sse.next(), await sse.next(), await sse.next()];
    expect(replayed.map((e) => [e.event, e.id])).toEqual([["balance", "3"], ["balance", "4"], ["balance", "5"]]);
    expect(replayed.map((e) => JSON.parse(e.data).entry.amount)).toEqual([-20, -30, -40]);
    expect(JSON.parse(replayed[2]!.data).balance).toBe(900);
    expect(JSON.parse((await sse.next()).data)).toMatchObject({ balance: 900, sequence: 5 }); // the snapshot
    // and then live again
    expect((await debit(c, 5)).status).toBe(201);
    const live = await sse.next();
    expect(live.id).toBe("6");
    await sse.close();
  });

  it("tells browsers when to reconnect, and a client showing each event as the latest never goes back to an older balance", async () => {
    const { sse } = await resumedAfterFourDebits();
    const shown: number[] = []; // the sequence such a client shows after each event
    for (let i = 0; i < 4; i++) shown.push(JSON.parse((await sse.next()).data).sequence);
    expect(sse.retry).toBe(SSE_RETRY_MS);
    expect(shown).toEqual([3, 4, 5, 5]);
    await sse.close();
  });

  it("delivers every sequence once, in order, under concurrent debits", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 100_000);
    const sse = readSse(await ctx.request("GET", "/api/v1/events", { cookie: c.cookie }));
    expect((await sse.next()).event).toBe("snapshot");
    const results = await Promise.all(Array.from({ length: 40 }, () => debit(c, 7)));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await sse.next()).id!);
    expect(ids).toEqual(Array.from({ length: 40 }, (_, i) => String(i + 2)));
    await sse.close();
  });

  it("requires a session", async () => {
    const res = await ctx.request("GET", "/api/v1/events");
    expect(res.status).toBe(401);
  });

  it("fans out across instances through Redis", async () => {
    const redisUrl = inject("redisUrl");
    const a = await createTestContext({ REDIS_URL: redisUrl });
    const b = await createTestContext({ REDIS_URL: redisUrl });
    try {
      const c = await newCustomer(a);
      await fund(a, c.accountId, 500);
      const sse = readSse(await a.request("GET", "/api/v1/events", { cookie: c.cookie }));
      expect((await sse.next()).event).toBe("snapshot");
      expect((await debit(c, 125, b)).status).toBe(201); // debited through instance B
      const event = await sse.next();
      expect(JSON.parse(event.data)).toMatchObject({ balance: 375, sequence: 2 });
      await sse.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe("GET /api/v1/events over @hono/node-server (frames written to the ServerResponse)", () => {
  it("sends headers, the snapshot, a balance event with id, and closes the subscription on disconnect", async () => {
    const { serve } = await import("@hono/node-server");
    const server = serve({ fetch: ctx.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    const { port } = server.address() as { port: number };
    try {
      const c = await newCustomer(ctx);
      await fund(ctx, c.accountId, 1_000);
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/events`, { headers: { cookie: c.cookie } });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/event-stream");
      expect(res.headers.get("x-accel-buffering")).toBe("no");
      expect(res.headers.get("x-request-id")).toMatch(/^req_/);
      const sse = readSse(res);
      expect(JSON.parse((await sse.next()).data)).toMatchObject({ balance: 1_000, sequence: 1 });
      const openGauge = async () => (await ctx.deps.metrics.sseConnectionsOpen.get()).values[0]!.value;
      const open = await openGauge();
      expect((await debit(c, 300)).status).toBe(201);
      const event = await sse.next();
      expect([event.event, event.id]).toEqual(["balance", "2"]);
      expect(JSON.parse(event.data)).toMatchObject({ balance: 700, sequence: 2 });
      await sse.close();
      await expect.poll(openGauge).toBe(open - 1);
    } finally {
      server.close();
    }
  });
});
