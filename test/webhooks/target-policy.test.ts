import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../db/ids";
import { enqueueWebhookEvent } from "../../db/webhooks/enqueue";
import { namesPrivateHost } from "../../server/webhooks/targets";
import { deliverWebhook } from "../../workers/deliver-webhook";
import { createTestContext, newCustomer, type TestContext } from "../harness";
import { expectError } from "../payments/helpers";
import { startReceiver } from "./receiver";

const OPERATOR_KEY = "op_test_key_targets_0123456789abcdefghijklmnopq";
let ctx: TestContext;
beforeAll(async () => {
  // A public deployment: customers' endpoints may not reach private networks (SSRF).
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY, PUBLIC_URL: "https://balance.example.com" });
});
afterAll(() => ctx.close());

const enabledEvents = ["account.suspended"];

/** Enqueues an account.suspended delivery for the account and takes its job out of the queue, to run it here. */
async function pendingDelivery(accountId: string) {
  return ctx.deps.database.sql.begin(async (tx) => {
    const sent = await enqueueWebhookEvent(tx, { accountId, type: "account.suspended", data: {} });
    await tx`DELETE FROM graphile_worker._private_jobs WHERE payload->>'eventId' = ${sent.eventId}`;
    return sent.eventId;
  });
}

describe("webhook targets on a public deployment", () => {
  it("defaults to refusing private targets unless PUBLIC_URL is local or WEBHOOK_ALLOW_PRIVATE_TARGETS=1", async () => {
    expect(ctx.deps.webhookTargets).toEqual({ allowPrivateTargets: false });
    const local = await createTestContext();
    const forced = await createTestContext({
      PUBLIC_URL: "https://balance.example.com",
      WEBHOOK_ALLOW_PRIVATE_TARGETS: "1",
    });
    expect(local.deps.webhookTargets.allowPrivateTargets).toBe(true);
    expect(forced.deps.webhookTargets.allowPrivateTargets).toBe(true);
    await local.close();
    await forced.close();
  });

  it("names private hosts: localhost and non-public IP literals", () => {
    for (const url of [
      "http://localhost:4000/x",
      "https://127.0.0.1/x",
      "https://10.1.2.3/x",
      "https://192.168.0.10/x",
      "https://169.254.169.254/latest",
      "https://[::1]/x",
      "https://[fd00::1]/x",
      "https://0.0.0.0/x",
      "https://api.localhost/x",
    ]) {
      expect(namesPrivateHost(url), url).toBe(true);
    }
    for (const url of ["https://example.com/hooks", "https://93.184.216.34/x", "https://[2606:4700::1111]/x"]) {
      expect(namesPrivateHost(url), url).toBe(false);
    }
  });

  it("a customer cannot create an endpoint on a private address; the operator can", async () => {
    const c = await newCustomer(ctx);
    for (const url of [
      "http://localhost:4000/hooks",
      "https://10.1.2.3/hooks",
      "https://169.254.169.254/latest/meta-data",
      "https://[::1]/hooks",
    ]) {
      const res = await ctx.request("POST", "/api/v1/webhook-endpoints", {
        cookie: c.cookie,
        body: { url, enabledEvents },
      });
      await expectError(res.clone(), 400, "validation_error");
      expect(
        ((await res.json()) as { error: { details: { field: string }[] } }).error.details,
      ).toEqual([{ field: "url", code: "private_address", message: expect.stringMatching(/private network/) }]);
    }
    const listed = await ctx.request("GET", "/api/v1/webhook-endpoints", { cookie: c.cookie });
    expect(((await listed.json()) as { data: unknown[] }).data).toEqual([]);
    expect(
      (
        await ctx.request("POST", "/api/v1/webhook-endpoints", {
          cookie: c.cookie,
          body: { url: "https://example.com/hooks", enabledEvents },
        })
      ).status,
    ).toBe(201);

    const op = await ctx.request("POST", "/api/v1/operator/webhook-endpoints", {
      headers: { authorization: `Bearer ${OPERATOR_KEY}` },
      body: { url: "http://127.0.0.1:4000/internal", enabledEvents },
    });
    expect(op.status).toBe(201);
    await ctx.request("DELETE", `/api/v1/operator/webhook-endpoints/${((await op.json()) as { id: string }).id}`, {
      headers: { authorization: `Bearer ${OPERATOR_KEY}` },
    });
  });

  it("a customer endpoint whose name resolves to a private address is refused when sending; nothing reaches it", async () => {
    const receiver = await startReceiver();
    const c = await newCustomer(ctx);
    // As if created when allowed, or by a name that later resolved to loopback (DNS rebinding).
    const endpointId = newId("we");
    await ctx.deps.database.sql`
      INSERT INTO webhook_endpoints (id, account_id, url, enabled_events, secret)
      VALUES (${endpointId}, ${c.accountId}, ${receiver.url.replace("127.0.0.1", "localhost")}, ${enabledEvents}, 'whsec_dGVzdHNlY3JldHRlc3RzZWNyZXQ=')`;
    try {
      const eventId = await pendingDelivery(c.accountId);
      const result = await deliverWebhook(
        ctx.deps.database.sql,
        { endpointId, eventId },
        { attempt: 1, maxAttempts: 5 },
        ctx.deps.webhookTargets,
      );
      expect(result).toMatchObject({
        kind: "sent",
        status: "pending",
        statusCode: null,
        error: expect.stringMatching(/^Refused: .*127\.0\.0\.1.*not allowed/),
      });
      expect(receiver.received).toHaveLength(0);

      // The same delivery under the development policy goes through.
      const allowed = await deliverWebhook(
        ctx.deps.database.sql,
        { endpointId, eventId },
        { attempt: 2, maxAttempts: 5 },
        { allowPrivateTargets: true },
      );
      expect(allowed).toMatchObject({ status: "succeeded", statusCode: 200 });
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});
