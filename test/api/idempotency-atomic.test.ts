import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { debit } from "../../db/ledger/debit";
const IDEMPOTENCY_LEASE_S = 90;
import { createTaskList } from "../../workers/tasks";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { createTopup, submitCheckout } from "../payments/helpers";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  // A database fault exactly where the old middleware stored the response after the money
  // had committed: storing the response of a key named doomed-* fails.
  await ctx.deps.database.sql.unsafe(`
    CREATE OR REPLACE FUNCTION test_fail_doomed_key() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.key LIKE 'doomed-%' AND NEW.status = 'done' THEN RAISE EXCEPTION 'injected fault storing %', NEW.key; END IF;
      RETURN NEW;
    END $$;
    DROP TRIGGER IF EXISTS test_fail_doomed_key ON idempotency_keys;
    CREATE TRIGGER test_fail_doomed_key BEFORE UPDATE ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION test_fail_doomed_key();`);
});
afterAll(async () => {
  await ctx.deps.database.sql.unsafe(`
    DROP TRIGGER IF EXISTS test_fail_doomed_key ON idempotency_keys; DROP FUNCTION IF EXISTS test_fail_doomed_key();`);
  await ctx.close();
});

const money = async (accountId: string) => {
  const [row] = await ctx.deps.database.sql<{ balance: number; held: number; entries: number; holds: number }[]>`
    SELECT a.balance, a.held,
           (SELECT count(*)::int FROM ledger_entries e WHERE e.account_id = a.id) AS entries,
           (SELECT count(*)::int FROM holds h WHERE h.account_id = a.id) AS holds
      FROM accounts a WHERE a.id = ${accountId}`;
  return row!;
};
const keyRow = async (scope: string, key: string) => {
  const [row] = await ctx.deps.database.sql<{ status: string }[]>`
    SELECT status FROM idempotency_keys WHERE scope = ${scope} AND key = ${key}`;
  return row ?? null;
};
const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe("the stored response commits with the money change (atomic phases)", () => {
  it.each([
    ["/api/v1/usage", { amount: 300 }],
    ["/api/v1/holds", { amount: 300 }],
  ])("POST %s whose response cannot be stored changes nothing, and the retry applies it once", async (path, body) => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    const before = await money(c.accountId);
    const key = `doomed-${path.split("/").pop()}-${Date.now()}`;
    const send = () => ctx.request("POST", path, { apiKey: c.apiKey, headers: { "Idempotency-Key": key }, body });

    const failed = await send();
    expect(failed.status).toBe(500);
    expect(await money(c.accountId)).toEqual(before); // rolled back with the response
    expect(await keyRow(c.accountId, key)).toBeNull(); // released: retryable now

    await ctx.deps.database.sql`ALTER TABLE idempotency_keys DISABLE TRIGGER test_fail_doomed_key`;
    try {
      const retried = await send();
      expect(retried.status).toBe(201);
      expect((await send()).headers.get("Idempotent-Replayed")).toBe("true");
    } finally {
      await ctx.deps.database.sql`ALTER TABLE idempotency_keys ENABLE TRIGGER test_fail_doomed_key`;
    }
    const after = await money(c.accountId);
    expect(after.balance - after.held).toBe(before.balance - before.held - 300);
    expect(after.entries + after.holds).toBe(before.entries + before.holds + 1);
  });

  it("POST /holds/:id/capture whose response cannot be stored leaves the hold active", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    const hold = (await (
      await ctx.request("POST", "/api/v1/holds", { apiKey: c.apiKey, body: { amount: 400 } })
    ).json()) as { hold: { id: string } };
    const before = await money(c.accountId);
    const res = await ctx.request("POST", `/api/v1/holds/${hold.hold.id}/capture`, {
      apiKey: c.apiKey,
      headers: { "Idempotency-Key": `doomed-capture-${Date.now()}` },
      body: { amount: 250 },
    });
    expect(res.status).toBe(500);
    expect(await money(c.accountId)).toEqual(before);
    const [row] = await ctx.deps.database.sql<{ status: string }[]>`SELECT status FROM holds WHERE id = ${hold.hold.id}`;
    expect(row!.status).toBe("active");
  });
});

describe("a key left in_flight by a dead request", () => {
  /** What a request that died after its debit committed left behind (the old middleware's failure). */
  async function deadRequest(lockedForS: number) {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    const key = `dead-${Date.now()}-${Math.random()}`;
    const body = { amount: 250 };
    const committed = await debit(ctx.deps.ledger, { accountId: c.accountId, amount: 250, idempotencyKey: key });
    const hash = createHash("sha256").update(`POST /api/v1/usage\n${JSON.stringify(body)}`).digest("hex");
    await ctx.deps.database.sql`
      INSERT INTO idempotency_keys (scope, key, request_hash, status, lease_id, locked_until)
      VALUES (${c.accountId}, ${key}, ${hash}, 'in_flight', 'dead', now() + make_interval(secs => ${lockedForS}))`;
    const send = () => ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, headers: { "Idempotency-Key": key }, body });
    return { c, key, committed, send };
  }

  it(`is 409 idempotency_key_in_use while its lease (${IDEMPOTENCY_LEASE_S} s) runs`, async () => {
    const { c, send } = await deadRequest(IDEMPOTENCY_LEASE_S);
    const res = await send();
    expect(res.status).toBe(409);
    expect(await errorCode(res)).toBe("idempotency_key_in_use");
    expect((await money(c.accountId)).balance).toBe(750);
  });

  it("after the lease, a retry takes the key over and gets the committed debit replayed, not doubled", async () => {
    const { c, key, committed, send } = await deadRequest(-1);
    const res = await send();
    expect(res.status).toBe(201);
    expect(((await res.json()) as { entry: { id: string } }).entry.id).toBe(committed.entry.id);
    expect(await keyRow(c.accountId, key)).toEqual({ status: "done" });
    const replay = await send();
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await money(c.accountId)).toMatchObject({ balance: 750, entries: 2 });
  });

  it("20 concurrent retries after the lease apply the money once", async () => {
    const { c, committed, send } = await deadRequest(-1);
    const responses = await Promise.all(Array.from({ length: 20 }, () => send()));
    const outcomes = await Promise.all(
      responses.map(async (r) => (r.status === 201 ? ((await r.json()) as { entry: { id: string } }).entry.id : await errorCode(r))),
    );
    expect(outcomes.every((o) => o === committed.entry.id || o === "idempotency_key_in_use")).toBe(true);
    expect(outcomes).toContain(committed.entry.id);
    expect(await money(c.accountId)).toMatchObject({ balance: 750, entries: 2 });
  });

  it("a fresh key's 20 concurrent requests after a crash-free run also post once", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    const send = () =>
      ctx.request("POST", "/api/v1/holds", { apiKey: c.apiKey, headers: { "Idempotency-Key": "burst-hold" }, body: { amount: 100 } });
    const statuses = await Promise.all(Array.from({ length: 20 }, async () => (await send()).status));
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(await money(c.accountId)).toMatchObject({ held: 100, holds: 1 });
  });
});

describe("a top-up request that died after charging the card (no transaction can span the provider call)", () => {
  it("a retry after the lease returns the same top-up, and the card is charged and credited once", async () => {
    const c = await newCustomer(ctx);
    const first = await createTopup(ctx, c, 1_000); // pays through checkout, which saves the card
    expect((await submitCheckout(ctx, first.checkoutUrl, { card: "4242424242424242" })).status).toBe(303);
    const key = `one-click-${Date.now()}`;
    const send = () =>
      ctx.request("POST", "/api/v1/topups", {
        cookie: c.cookie,
        headers: { "Idempotency-Key": key },
        body: { amount: 2_000, paymentMethodId: "default" },
      });
    const charged = (await (await send()).json()) as { id: string; status: string };
    expect(charged.status).toBe("succeeded");
    // the request died before storing its response: the key is left in_flight, its lease over
    await ctx.deps.database.sql`
      UPDATE idempotency_keys SET status = 'in_flight', response_status = NULL, response_body = NULL,
             locked_until = now() - interval '1 second'
       WHERE scope = ${c.accountId} AND key = ${key}`;
    const retried = await send();
    expect(retried.status).toBe(201);
    expect(((await retried.json()) as { id: string }).id).toBe(charged.id);
    const [row] = await ctx.deps.database.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM topups WHERE account_id = ${c.accountId} AND kind = 'saved_card'`;
    expect(row!.n).toBe(1);
    expect(await money(c.accountId)).toMatchObject({ balance: 3_000, entries: 2 });
  });
});

describe("retention", () => {
  it("the hourly prune_idempotency_keys job deletes keys older than 24 h and keeps younger ones", async () => {
    const c = await newCustomer(ctx);
    const sql = ctx.deps.database.sql;
    await sql`
      INSERT INTO idempotency_keys (scope, key, request_hash, status, created_at)
      VALUES (${c.accountId}, 'old', 'h', 'done', now() - interval '24 hours 1 minute'),
             (${c.accountId}, 'young', 'h', 'done', now() - interval '23 hours 59 minutes')`;
    const tasks = createTaskList({ ...ctx.deps, logger: ctx.deps.logger, now: () => new Date() });
    await tasks.prune_idempotency_keys!({}, {} as never);
    expect(await keyRow(c.accountId, "old")).toBeNull();
    expect(await keyRow(c.accountId, "young")).toEqual({ status: "done" });
  });
});
