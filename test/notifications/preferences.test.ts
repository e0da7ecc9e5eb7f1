import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../db/ids";
import { enqueueNotifications, NOTIFIED_EVENT_TYPES } from "../../db/notifications/enqueue";
import { createTestContext, newCustomer, type Customer, type TestContext } from "../harness";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

type Preference = { eventType: string; email: boolean; push: boolean; emailRequired: boolean };
const read = async (c: Customer) => {
  const res = await ctx.request("GET", "/api/v1/notification-preferences", { cookie: c.cookie });
  expect(res.status).toBe(200);
  return ((await res.json()) as { preferences: Preference[] }).preferences;
};
const put = (c: Customer, body: unknown) => ctx.request("PUT", "/api/v1/notification-preferences", { cookie: c.cookie, body });
const userIdOf = async (c: Customer) =>
  (await ctx.deps.database.sql<{ id: string }[]>`SELECT id FROM users WHERE email = ${c.email}`)[0]!.id;

/** A push subscription row for the customer's user (nothing is sent: the jobs are only counted). */
async function subscribePush(c: Customer): Promise<void> {
  await ctx.deps.database.sql`
    INSERT INTO push_subscriptions (id, user_id, account_id, endpoint, p256dh, auth)
    VALUES (${newId("psub")}, ${await userIdOf(c)}, ${c.accountId}, ${`https://push.example.test/${newId("psub")}`}, 'p', 'a')`;
}

describe("GET|PUT /notification-preferences", () => {
  it("defaults to everything on; turns channels off and on per event type, keeping channels left out", async () => {
    const c = await newCustomer(ctx);
    const initial = await read(c);
    expect(initial.map((p) => p.eventType)).toEqual(NOTIFIED_EVENT_TYPES);
    expect(initial.every((p) => p.email && p.push)).toBe(true);
    expect(initial.filter((p) => p.emailRequired).map((p) => p.eventType).sort()).toEqual(["account.suspended", "auto_topup.disabled"]);

    const res = await put(c, { preferences: [{ eventType: "topup.succeeded", email: false }, { eventType: "balance.low", push: false }] });
    expect(res.status).toBe(200);
    const after = ((await res.json()) as { preferences: Preference[] }).preferences;
    expect(after.find((p) => p.eventType === "topup.succeeded")).toMatchObject({ email: false, push: true });
    expect(after.find((p) => p.eventType === "balance.low")).toMatchObject({ email: true, push: false });
    expect(await read(c)).toEqual(after);

    await put(c, { preferences: [{ eventType: "topup.succeeded", email: true }] });
    expect((await read(c)).find((p) => p.eventType === "topup.succeeded")).toMatchObject({ email: true, push: true });

    const [audit] = await ctx.deps.database.sql<{ actor: string }[]>`
      SELECT actor FROM audit_log WHERE action = 'notification_preferences.updated' AND target_id = ${await userIdOf(c)} LIMIT 1`;
    expect(audit!.actor).toBe(`user:${await userIdOf(c)}`);
  });

  it("refuses to turn off the email of a protected event with 422 notification_protected, changing nothing; its push may go off", async () => {
    const c = await newCustomer(ctx);
    const res = await put(c, {
      preferences: [{ eventType: "topup.succeeded", email: false }, { eventType: "account.suspended", email: false }],
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("notification_protected");
    expect((await read(c)).every((p) => p.email)).toBe(true);

    expect((await put(c, { preferences: [{ eventType: "auto_topup.disabled", push: false, email: true }] })).status).toBe(200);
    expect((await read(c)).find((p) => p.eventType === "auto_topup.disabled")).toMatchObject({ email: true, push: false });
  });

  it("refuses bad input with 400 and API keys (per-user settings need a session)", async () => {
    const c = await newCustomer(ctx);
    for (const body of [
      {},
      { preferences: [] },
      { preferences: [{ eventType: "topup.dispute_won", email: false }] }, // not a notified event
      { preferences: [{ eventType: "nope", email: false }] },
      { preferences: [{ eventType: "balance.low", email: "no" }] },
      { preferences: [{ eventType: "balance.low", sms: false }] },
      { preferences: [{ eventType: "balance.low", email: false }, { eventType: "balance.low", push: false }] },
      { preferences: [{ eventType: "balance.low" }], extra: 1 },
      "not json",
    ]) {
      expect((await put(c, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await read(c)).every((p) => p.email && p.push)).toBe(true);
    expect((await ctx.request("GET", "/api/v1/notification-preferences", { apiKey: c.apiKey })).status).toBe(401);
    expect((await ctx.request("GET", "/api/v1/notification-preferences")).status).toBe(401);
  });
});

describe("enqueueing respects the preferences", () => {
  it("leaves out the email and push a user turned off, per event type; never a protected event's email", async () => {
    const c = await newCustomer(ctx);
    await subscribePush(c);
    const send = (type: "topup.refunded" | "balance.low" | "account.suspended") =>
      enqueueNotifications(ctx.deps.database.sql, { accountId: c.accountId, type, data: { amount: 100, available: 100, threshold: 500 } });

    expect(await send("topup.refunded")).toMatchObject({ emails: 1, pushes: 1 });
    await put(c, { preferences: [{ eventType: "topup.refunded", email: false }, { eventType: "balance.low", push: false, email: false }] });
    expect(await send("topup.refunded")).toMatchObject({ emails: 0, pushes: 1 });
    expect(await send("balance.low")).toMatchObject({ emails: 0, pushes: 0 });

    // a stored "off" for a protected email (written behind the API's back) is ignored
    await ctx.deps.database.sql`
      INSERT INTO notification_preferences (user_id, event_type, channel, enabled)
      VALUES (${await userIdOf(c)}, 'account.suspended', 'email', false), (${await userIdOf(c)}, 'account.suspended', 'push', false)`;
    expect(await send("account.suspended")).toMatchObject({ emails: 1, pushes: 0 });
  });
});
