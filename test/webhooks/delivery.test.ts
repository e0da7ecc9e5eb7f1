import { createHmac } from "node:crypto";
import type { Runner } from "graphile-worker";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELIVER_WEBHOOK_TASK, enqueueWebhookEvent } from "../../db/webhooks/enqueue";
import { deliverWebhook } from "../../workers/deliver-webhook";
import { dropPreviousWebhookSecret } from "../../db/webhooks/edit-endpoint";
import { createTestContext, newCustomer, startTaskWorker, type Customer, type TestContext } from "../harness";
import { declineThreeTimes } from "../auto-topup/helpers";
import { createTopup, expectError, submitCheckout } from "../payments/helpers";
import { startReceiver, type ReceivedWebhook } from "./receiver";

const OPERATOR_KEY = "op_test_key_delivery_0123456789abcdefghijklmnop";
/** The receivers run on 127.0.0.1: the development policy (PUBLIC_URL on localhost) allows it. */
const LOCAL = { allowPrivateTargets: true };
let ctx: TestContext;
let worker: Runner;
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
  // A worker for deliver_webhook only: graphile-worker runs only the tasks it is given, so
  // the other test files' auto top-up jobs on this shared database are left alone.
  worker = await startTaskWorker(ctx, DELIVER_WEBHOOK_TASK);
});
afterAll(async () => {
  await worker.stop();
  await ctx.close();
});

const operatorHeaders = { authorization: `Bearer ${OPERATOR_KEY}` };
async function createEndpoint(c: Customer | "operator", url: string, enabledEvents: string[]) {
  const res =
    c === "operator"
      ? await ctx.request("POST", "/api/v1/operator/webhook-endpoints", {
          headers: operatorHeaders,
          body: { url, enabledEvents },
        })
      : await ctx.request("POST", "/api/v1/webhook-endpoints", { cookie: c.cookie, body: { url, enabledEvents } });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string; secret: string };
}

/** Checks the Standard Webhooks signature by hand (HMAC-SHA256 of id.timestamp.body, base64 key). */
function signatureMatches(w: ReceivedWebhook, secret: string): boolean {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const signed = `${String(w.headers["webhook-id"])}.${String(w.headers["webhook-timestamp"])}.${w.body}`;
  const expected = `v1,${createHmac("sha256", key).update(signed).digest("base64")}`;
  return String(w.headers["webhook-signature"]).split(" ").includes(expected);
}

const eventOf = (w: ReceivedWebhook) =>
  JSON.parse(w.body) as { id: string; type: string; timestamp: string; data: Record<string, unknown> };
const forAccount = (all: ReceivedWebhook[], accountId: string) =>
  all.filter((w) => eventOf(w).data.accountId === accountId);

async function deliveries(endpointId: string) {
  return ctx.deps.database.sql<
    { event_id: string; status: string; attempts: number; last_status_code: number | null; last_error: string | null }[]
  >`
    SELECT event_id, status, attempts, last_status_code, last_error FROM webhook_deliveries WHERE endpoint_id = ${endpointId} ORDER BY created_at`;
}

describe("outgoing webhooks", () => {
  it("suspension and reactivation reach the account's endpoint and the operator's, signed", async () => {
    const receiver = await startReceiver();
    const platform = await startReceiver();
    const c = await newCustomer(ctx);
    const own = await createEndpoint(c, receiver.url, ["account.suspended", "account.reactivated"]);
    const all = await createEndpoint("operator", platform.url, ["*"]);
    try {
      const op = (action: string) =>
        ctx.request("POST", `/api/v1/operator/accounts/${c.accountId}/${action}`, {
          headers: operatorHeaders,
          body: {},
        });
      expect((await op("suspend")).status).toBe(200);
      expect((await op("suspend")).status).toBe(200); // already suspended: no second event
      expect((await op("reactivate")).status).toBe(200);
      await receiver.waitFor(2);
      await expect.poll(() => forAccount(platform.received, c.accountId).length).toBe(2);

      for (const [got, secret] of [
        [receiver.received, own.secret],
        [forAccount(platform.received, c.accountId), all.secret],
      ] as const) {
        expect(got.map((w) => eventOf(w).type).sort()).toEqual(["account.reactivated", "account.suspended"]);
        for (const w of got) {
          expect(w.headers["content-type"]).toBe("application/json");
          expect(w.headers["webhook-id"]).toBe(eventOf(w).id);
          expect(Math.abs(Number(w.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
          expect(signatureMatches(w, secret)).toBe(true);
          // The standardwebhooks library, as a receiver would use it, accepts it ...
          expect(new Webhook(secret).verify(w.body, w.headers as Record<string, string>)).toMatchObject({
            data: { accountId: c.accountId },
          });
          // ... and rejects a tampered body or another endpoint's secret.
          expect(() =>
            new Webhook(secret).verify(w.body.replace("account", "acc0unt"), w.headers as Record<string, string>),
          ).toThrow();
          expect(signatureMatches(w, secret === own.secret ? all.secret : own.secret)).toBe(false);
        }
      }
      const suspended = receiver.received.map(eventOf).find((e) => e.type === "account.suspended")!;
      expect(suspended.data).toEqual({ accountId: c.accountId, reason: "operator" });
      // The worker records an attempt after the receiver has answered: wait for both records.
      await expect
        .poll(() => deliveries(own.id))
        .toEqual([
          expect.objectContaining({ status: "succeeded", attempts: 1, last_status_code: 200, last_error: null }),
          expect.objectContaining({ status: "succeeded", attempts: 1, last_status_code: 200, last_error: null }),
        ]);
    } finally {
      await ctx.request("DELETE", `/api/v1/operator/webhook-endpoints/${all.id}`, { headers: operatorHeaders });
      await receiver.close();
      await platform.close();
    }
  });

  it("a paid top-up sends topup.succeeded; unsubscribed types and other accounts send nothing", async () => {
    const receiver = await startReceiver();
    const c = await newCustomer(ctx);
    const other = await newCustomer(ctx);
    const endpoint = await createEndpoint(c, receiver.url, ["topup.succeeded"]);
    try {
      const topup = await createTopup(ctx, c, 2_500);
      await submitCheckout(ctx, topup.checkoutUrl, { card: "4242424242424242" });
      const otherTopup = await createTopup(ctx, other, 1_000);
      await submitCheckout(ctx, otherTopup.checkoutUrl, { card: "4242424242424242" });
      await ctx.request("POST", `/api/v1/operator/accounts/${c.accountId}/suspend`, {
        headers: operatorHeaders,
        body: {},
      });
      await receiver.waitFor(1);
      await new Promise((r) => setTimeout(r, 1_000)); // room for anything that should not come
      expect(receiver.received.map(eventOf)).toEqual([
        {
          id: expect.stringMatching(/^evt_/),
          type: "topup.succeeded",
          timestamp: expect.any(String),
          data: {
            accountId: c.accountId,
            topupId: topup.id,
            amount: 2_500,
            currency: "EUR",
            balance: 2_500,
            ledgerEntryId: expect.stringMatching(/^le_/),
            receiptId: expect.stringMatching(/^doc_/),
            receiptNumber: expect.stringMatching(/^R-\d{4}-\d{6}$/),
          },
        },
      ]);
      expect(await deliveries(endpoint.id)).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it("auto top-up declines send auto_topup.failed, then auto_topup.disabled with the reason", async () => {
    const receiver = await startReceiver();
    const c = await newCustomer(ctx);
    await createEndpoint(c, receiver.url, ["auto_topup.failed", "auto_topup.disabled"]);
    try {
      await declineThreeTimes(ctx, c);
      await receiver.waitFor(4);
      const events = receiver.received.map(eventOf).sort((a, b) => a.id.localeCompare(b.id));
      expect(events.map((e) => [e.type, e.data.consecutiveFailures])).toEqual([
        ["auto_topup.failed", 1],
        ["auto_topup.failed", 2],
        ["auto_topup.failed", 3],
        ["auto_topup.disabled", 3],
      ]);
      expect(events[3]!.data).toMatchObject({
        accountId: c.accountId,
        amount: 2_000,
        currency: "EUR",
        reason: expect.stringMatching(/3 failed attempts in a row/),
      });
    } finally {
      await receiver.close();
    }
  });

  it("a failed attempt is retried by the worker with the same webhook-id and signature scheme", async () => {
    const receiver = await startReceiver([500]);
    const c = await newCustomer(ctx);
    const endpoint = await createEndpoint(c, receiver.url, ["*"]);
    try {
      const res = await ctx.request("POST", `/api/v1/webhook-endpoints/${endpoint.id}/test`, { cookie: c.cookie });
      expect(res.status).toBe(202);
      const { eventId } = (await res.json()) as { eventId: string };
      await receiver.waitFor(1);
      await expect
        .poll(async () => (await deliveries(endpoint.id))[0])
        .toMatchObject({ status: "pending", attempts: 1, last_status_code: 500, last_error: "HTTP 500" });
      await receiver.waitFor(2, 20_000); // graphile-worker's backoff: e^1 s
      expect(receiver.received.map((w) => w.headers["webhook-id"])).toEqual([eventId, eventId]);
      expect(receiver.received.every((w) => signatureMatches(w, endpoint.secret))).toBe(true);
      expect(eventOf(receiver.received[1]!)).toMatchObject({
        type: "webhook.test",
        data: { accountId: c.accountId, endpointId: endpoint.id },
      });
      await expect
        .poll(async () => (await deliveries(endpoint.id))[0])
        .toMatchObject({ status: "succeeded", attempts: 2, last_status_code: 200 });

      const log = (await (
        await ctx.request("GET", `/api/v1/webhook-endpoints/${endpoint.id}/deliveries`, { cookie: c.cookie })
      ).json()) as {
        data: Record<string, unknown>[];
      };
      expect(log.data).toEqual([
        expect.objectContaining({
          eventId,
          eventType: "webhook.test",
          status: "succeeded",
          attempts: 2,
          lastStatusCode: 200,
          nextAttemptAt: null,
        }),
      ]);
      const attempts = await ctx.deps.database.sql<{ attempt: number; status_code: number; response_body: string }[]>`
        SELECT attempt, status_code, response_body FROM webhook_delivery_attempts WHERE endpoint_id = ${endpoint.id} ORDER BY attempt`;
      expect(attempts).toEqual([
        { attempt: 1, status_code: 500, response_body: "ok from receiver" },
        { attempt: 2, status_code: 200, response_body: "ok from receiver" },
      ]);
    } finally {
      await receiver.close();
    }
  });

  it("the last attempt marks the delivery failed; unreachable endpoints and redirects are failures; settled ones are not resent", async () => {
    const receiver = await startReceiver([302, 503]);
    const c = await newCustomer(ctx);
    const endpoint = await createEndpoint(c, receiver.url, ["*"]);
    const closed = await startReceiver();
    await closed.close(); // its port now refuses connections
    const unreachable = await createEndpoint(c, closed.url, ["*"]);
    try {
      const { eventId } = await ctx.deps.database.sql.begin(async (tx) => {
        const sent = await enqueueWebhookEvent(tx, {
          accountId: c.accountId,
          type: "account.suspended",
          data: { reason: "operator" },
        });
        // Run the attempts here, not in the worker.
        await tx`DELETE FROM graphile_worker._private_jobs WHERE payload->>'eventId' = ${sent.eventId}`;
        return sent;
      });
      const key = { endpointId: endpoint.id, eventId };
      const sql = ctx.deps.database.sql;
      expect(await deliverWebhook(sql, key, { attempt: 1, maxAttempts: 3 }, LOCAL)).toMatchObject({
        status: "pending",
        statusCode: 302,
        retry: true,
      });
      expect(await deliverWebhook(sql, key, { attempt: 2, maxAttempts: 3 }, LOCAL)).toMatchObject({
        status: "pending",
        statusCode: 503,
        retry: true,
      });
      expect(await deliverWebhook(sql, key, { attempt: 3, maxAttempts: 3 }, LOCAL)).toMatchObject({
        status: "succeeded",
        statusCode: 200,
        retry: false,
      });
      expect(await deliverWebhook(sql, key, { attempt: 4, maxAttempts: 5 }, LOCAL)).toEqual({ kind: "gone" });
      expect(receiver.received).toHaveLength(3);

      const refused = { endpointId: unreachable.id, eventId };
      expect(await deliverWebhook(sql, refused, { attempt: 1, maxAttempts: 2 }, LOCAL)).toMatchObject({
        status: "pending",
        statusCode: null,
        error: "ECONNREFUSED",
      });
      expect(await deliverWebhook(sql, refused, { attempt: 2, maxAttempts: 2 }, LOCAL)).toMatchObject({
        status: "failed",
        retry: false,
      });
      expect((await deliveries(unreachable.id))[0]).toMatchObject({
        status: "failed",
        attempts: 2,
        last_error: "ECONNREFUSED",
      });
    } finally {
      await receiver.close();
    }
  });

  it("a failed delivery can be sent again: same event id, its attempt log continues; 409 while pending, 404 for others", async () => {
    const receiver = await startReceiver([500]);
    const c = await newCustomer(ctx);
    const other = await newCustomer(ctx);
    const endpoint = await createEndpoint(c, receiver.url, ["*"]);
    try {
      const { eventId } = await ctx.deps.database.sql.begin(async (tx) => {
        const sent = await enqueueWebhookEvent(tx, { accountId: c.accountId, type: "account.suspended", data: {} });
        await tx`DELETE FROM graphile_worker._private_jobs WHERE payload->>'eventId' = ${sent.eventId}`;
        return sent;
      });
      const redeliver = (who: Customer, event = eventId) =>
        ctx.request("POST", `/api/v1/webhook-endpoints/${endpoint.id}/deliveries/${event}/redeliver`, {
          cookie: who.cookie,
        });
      await expectError(await redeliver(c), 409, "delivery_pending");
      const key = { endpointId: endpoint.id, eventId };
      expect(await deliverWebhook(ctx.deps.database.sql, key, { attempt: 1, maxAttempts: 1 }, LOCAL)).toMatchObject({
        status: "failed",
      });

      await expectError(await redeliver(other), 404, "not_found");
      await expectError(await redeliver(c, "evt_unknown"), 404, "not_found");
      expect((await redeliver(c)).status).toBe(202);
      await expect
        .poll(async () => (await deliveries(endpoint.id))[0], { timeout: 10_000 })
        .toMatchObject({ status: "succeeded", attempts: 2 });
      expect(receiver.received.map((w) => w.headers["webhook-id"])).toEqual([eventId, eventId]);
      const log = await ctx.deps.database.sql<{ attempt: number; status_code: number }[]>`
        SELECT attempt, status_code FROM webhook_delivery_attempts WHERE endpoint_id = ${endpoint.id} ORDER BY attempt`;
      expect(log).toEqual([
        { attempt: 1, status_code: 500 },
        { attempt: 2, status_code: 200 },
      ]);
    } finally {
      await receiver.close();
    }
  });

  it("nothing is enqueued when the transaction rolls back; a deleted endpoint gets nothing more", async () => {
    const c = await newCustomer(ctx);
    const endpoint = await createEndpoint(c, "https://example.com/hooks", ["*"]);
    await expect(
      ctx.deps.database.sql.begin(async (tx) => {
        await enqueueWebhookEvent(tx, { accountId: c.accountId, type: "account.suspended", data: {} });
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await deliveries(endpoint.id)).toEqual([]);
    const jobs = await ctx.deps.database
      .sql`SELECT 1 FROM graphile_worker._private_jobs WHERE payload->>'endpointId' = ${endpoint.id}`;
    expect(jobs).toHaveLength(0);

    const pending = await ctx.deps.database.sql.begin(async (tx) => {
      const sent = await enqueueWebhookEvent(tx, { accountId: c.accountId, type: "account.suspended", data: {} });
      await tx`DELETE FROM graphile_worker._private_jobs WHERE payload->>'eventId' = ${sent.eventId}`;
      return sent;
    });
    expect(pending.deliveries).toBe(1);
    await ctx.request("DELETE", `/api/v1/webhook-endpoints/${endpoint.id}`, { cookie: c.cookie });
    expect(await deliveries(endpoint.id)).toEqual([]); // the log goes with the endpoint
    const key = { endpointId: endpoint.id, eventId: pending.eventId };
    expect(await deliverWebhook(ctx.deps.database.sql, key, { attempt: 1, maxAttempts: 3 }, LOCAL)).toEqual({
      kind: "gone",
    });
    const sent = await enqueueWebhookEvent(ctx.deps.database.sql, {
      accountId: c.accountId,
      type: "account.suspended",
      data: {},
    });
    expect(sent.deliveries).toBe(0);
  });

  it("an endpoint deleted while a money transaction enqueues its event never fails that transaction", async () => {
    const c = await newCustomer(ctx);
    const endpoint = await createEndpoint(c, "https://example.com/hooks", ["*"]);
    // The delete runs first and commits only after the enqueue has started: the enqueue
    // waits on the endpoint row, then finds it gone (a foreign key error here was a 500 on
    // a top-up settling while an operator deleted an endpoint).
    const deleter = await ctx.deps.database.sql.reserve();
    try {
      await deleter`BEGIN`;
      await deleter`DELETE FROM webhook_endpoints WHERE id = ${endpoint.id}`;
      const enqueued = enqueueWebhookEvent(ctx.deps.database.sql, {
        accountId: c.accountId,
        type: "account.suspended",
        data: {},
      });
      await waitForLockWait();
      await deleter`COMMIT`;
      expect((await enqueued).deliveries).toBe(0);
    } finally {
      deleter.release();
    }
    expect(await deliveries(endpoint.id)).toEqual([]);
  });
});

/** Resolves once a session of the test database inserting webhook deliveries waits on a lock. */
async function waitForLockWait(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const waiting = await ctx.deps.database.sql`
      SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
         AND query LIKE '%INSERT INTO webhook_deliveries%'`;
    if (waiting.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("no session waited on a lock within 2 s");
}

describe("endpoints that keep failing", () => {
  /** Enqueues `type` for the account and runs its delivery to `endpointId` as the last allowed attempt, here. */
  async function failForGood(accountId: string | null, endpointId: string, type: "account.suspended" | "webhook.test") {
    const { eventId } = await ctx.deps.database.sql.begin(async (tx) => {
      const sent = await enqueueWebhookEvent(tx, { accountId, type, data: {} }, endpointId);
      await tx`DELETE FROM graphile_worker._private_jobs WHERE payload->>'eventId' = ${sent.eventId}`;
      return sent;
    });
    return deliverWebhook(ctx.deps.database.sql, { endpointId, eventId }, { attempt: 20, maxAttempts: 20 }, LOCAL);
  }
  const endpointOf = async (c: Customer, id: string) => {
    const list = (await (await ctx.request("GET", "/api/v1/webhook-endpoints", { cookie: c.cookie })).json()) as {
      data: { id: string; disabledAt: string | null; disabledReason: string | null }[];
    };
    return list.data.find((e) => e.id === id)!;
  };
  const newDeliveries = async (endpointId: string, accountId: string) => {
    const sent = await enqueueWebhookEvent(ctx.deps.database.sql, { accountId, type: "account.suspended", data: {} });
    const rows = await ctx.deps.database.sql`
      SELECT 1 FROM webhook_deliveries WHERE endpoint_id = ${endpointId} AND event_id = ${sent.eventId}`;
    return rows.length;
  };

  it("an account's endpoint with no success for 3 days is turned off at its final failure; turning it on resumes", async () => {
    const failing = await startReceiver([500]);
    const watcher = await startReceiver();
    const c = await newCustomer(ctx);
    const other = await newCustomer(ctx);
    try {
      const endpoint = await createEndpoint(c, failing.url, ["*"]);
      const watch = await createEndpoint(c, watcher.url, ["webhook_endpoint.disabled"]);
      expect(await failForGood(c.accountId, endpoint.id, "webhook.test")).toMatchObject({ status: "failed" });

      const off = await endpointOf(c, endpoint.id);
      expect(off.disabledAt).not.toBeNull();
      expect(off.disabledReason).toMatch(/no delivery succeeded for 3 days \(last: HTTP 500\)/);
      // The account hears of it: its other endpoint gets webhook_endpoint.disabled (and people
      // get an email and a push: test/notifications).
      const told = await ctx.deps.database.sql<{ payload: string }[]>`
        SELECT payload FROM webhook_deliveries WHERE endpoint_id = ${watch.id} AND event_type = 'webhook_endpoint.disabled'`;
      expect(told).toHaveLength(1);
      expect(JSON.parse(told[0]!.payload).data).toMatchObject({ endpointId: endpoint.id, url: failing.url });
      expect(await newDeliveries(endpoint.id, c.accountId)).toBe(0);

      await expectError(
        await ctx.request("POST", `/api/v1/webhook-endpoints/${endpoint.id}/enable`, { cookie: other.cookie }),
        404,
        "not_found",
      );
      const on = await ctx.request("POST", `/api/v1/webhook-endpoints/${endpoint.id}/enable`, { cookie: c.cookie });
      expect(on.status).toBe(200);
      expect(await on.json()).toMatchObject({ id: endpoint.id, disabledAt: null, disabledReason: null });
      expect(await newDeliveries(endpoint.id, c.accountId)).toBe(1);
    } finally {
      await failing.close();
      await watcher.close();
    }
  });

  it("a recent success keeps an endpoint on; the operator's endpoints are never turned off", async () => {
    // Always 500: while the operator's endpoint exists, other files' events may reach it too.
    const failing = await startReceiver(Array<number>(100).fill(500));
    const c = await newCustomer(ctx);
    try {
      const endpoint = await createEndpoint(c, failing.url, ["account.suspended"]);
      await ctx.deps.database.sql`
        INSERT INTO webhook_deliveries (endpoint_id, event_id, account_id, event_type, payload, status, attempts, delivered_at)
        VALUES (${endpoint.id}, 'evt_earlier_success', ${c.accountId}, 'webhook.test', '{}', 'succeeded', 1, now() - interval '2 days')`;
      expect(await failForGood(c.accountId, endpoint.id, "webhook.test")).toMatchObject({ status: "failed" });
      expect((await endpointOf(c, endpoint.id)).disabledAt).toBeNull();

      const platform = await createEndpoint("operator", failing.url, ["account.suspended"]);
      try {
        expect(await failForGood(null, platform.id, "webhook.test")).toMatchObject({ status: "failed" });
        const [row] = await ctx.deps.database.sql`SELECT disabled_at FROM webhook_endpoints WHERE id = ${platform.id}`;
        expect(row!.disabled_at).toBeNull();
      } finally {
        await ctx.request("DELETE", `/api/v1/operator/webhook-endpoints/${platform.id}`, { headers: operatorHeaders });
      }
    } finally {
      await failing.close();
    }
  });

  it("after a secret roll both secrets sign during the overlap, only the new one after it; the old is then dropped", async () => {
    const receiver = await startReceiver();
    const c = await newCustomer(ctx);
    const endpoint = await createEndpoint(c, receiver.url, ["*"]);
    const sendTest = async (n: number) => {
      const res = await ctx.request("POST", `/api/v1/webhook-endpoints/${endpoint.id}/test`, { cookie: c.cookie });
      expect(res.status).toBe(202);
      await receiver.waitFor(n);
      return receiver.received[n - 1]!;
    };
    const verifies = (w: ReceivedWebhook, secret: string) => {
      try {
        new Webhook(secret).verify(w.body, w.headers as Record<string, string>);
        return true;
      } catch {
        return false;
      }
    };
    try {
      const res = await ctx.request("POST", `/api/v1/webhook-endpoints/${endpoint.id}/roll-secret`, {
        cookie: c.cookie,
        body: { overlapHours: 1 },
      });
      expect(res.status).toBe(200);
      const { secret } = (await res.json()) as { secret: string };

      const during = await sendTest(1);
      expect(String(during.headers["webhook-signature"]).split(" ")).toHaveLength(2);
      expect(verifies(during, secret)).toBe(true);
      expect(verifies(during, endpoint.secret)).toBe(true);

      // The hour is over (moved back rather than waited for): only the new secret signs.
      await ctx.deps.database.sql`
        UPDATE webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = ${endpoint.id}`;
      const after = await sendTest(2);
      expect(String(after.headers["webhook-signature"]).split(" ")).toHaveLength(1);
      expect(verifies(after, secret)).toBe(true);
      expect(verifies(after, endpoint.secret)).toBe(false);

      // The drop job (scheduled at the overlap's end) clears the old secret for good.
      expect(await dropPreviousWebhookSecret(ctx.deps.database.sql, endpoint.id)).toBe(true);
      const [row] = await ctx.deps.database.sql<{ previous_secret: string | null }[]>`
        SELECT previous_secret FROM webhook_endpoints WHERE id = ${endpoint.id}`;
      expect(row!.previous_secret).toBeNull();
      const [job] = await ctx.deps.database.sql<{ run_at: Date }[]>`
        SELECT run_at FROM graphile_worker.jobs WHERE key = ${`drop_previous_webhook_secret:${endpoint.id}`}`;
      expect(Math.abs(job!.run_at.getTime() - (Date.now() + 3600_000))).toBeLessThan(60_000);
    } finally {
      await receiver.close();
    }
  });
});
