import { createPublicKey, verify } from "node:crypto";
import type { Runner } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reactivateAccount, suspendAccount } from "../../db/ledger/account-status";
import { SEND_PUSH_TASK } from "../../db/notifications/enqueue";
import { createTestContext, newCustomer, startTaskWorker, type Customer, type TestContext } from "../harness";
import { expectError } from "../payments/helpers";
import { startReceiver } from "../webhooks/receiver";
import { browserSubscription, decrypt } from "./push-browser";

/**
 * Web Push over real HTTP: a browser's subscription is stored, and notified events are
 * encrypted for it (RFC 8291, aes128gcm) and signed with the deployment's VAPID key
 * (RFC 8292). The local receiver plays the push service and decrypts with the
 * subscription's private key, as the browser would.
 */
let ctx: TestContext;
let worker: Runner;
let pushService: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  ctx = await createTestContext();
  worker = await startTaskWorker(ctx, SEND_PUSH_TASK);
  pushService = await startReceiver();
});
afterAll(async () => {
  await worker?.stop();
  await ctx?.close();
  await pushService?.close();
});

const pushOrigin = () => new URL(pushService.url).origin;
const subscribe = (c: Customer, body: unknown) =>
  ctx.request("POST", "/api/v1/push-subscriptions", { cookie: c.cookie, body });

/** Checks a `vapid t=<JWT>, k=<public key>` header: ES256 signature by k, audience, expiry, subject. */
function checkVapid(header: string, endpoint: string, publicKey: string) {
  const [, token, key] = /^vapid t=([^,]+), k=(\S+)$/.exec(header)!;
  expect(key).toBe(publicKey);
  const [head, claims, signature] = token!.split(".");
  const point = Buffer.from(key!, "base64url");
  const jwk = {
    kty: "EC",
    crv: "P-256",
    x: point.subarray(1, 33).toString("base64url"),
    y: point.subarray(33).toString("base64url"),
  };
  const valid = verify(
    "sha256",
    Buffer.from(`${head}.${claims}`),
    { key: createPublicKey({ key: jwk, format: "jwk" }), dsaEncoding: "ieee-p1363" },
    Buffer.from(signature!, "base64url"),
  );
  expect(valid).toBe(true);
  const body = JSON.parse(Buffer.from(claims!, "base64url").toString()) as { aud: string; exp: number; sub: string };
  expect(body.aud).toBe(new URL(endpoint).origin);
  expect(body.exp * 1000).toBeGreaterThan(Date.now());
  expect(body.sub).toMatch(/^mailto:|^https:/);
}

describe("web push", () => {
  it("a subscribed browser gets the suspension, encrypted for it and signed with the VAPID key", async () => {
    const c = await newCustomer(ctx);
    const browser = browserSubscription(pushOrigin());
    const res = await subscribe(c, browser.json);
    expect(res.status, await res.clone().text()).toBe(201);
    const list = (await (await ctx.request("GET", "/api/v1/push-subscriptions", { cookie: c.cookie })).json()) as {
      publicKey: string;
      data: { id: string }[];
    };
    expect(list.data).toHaveLength(1);
    expect(Buffer.from(list.publicKey, "base64url")).toHaveLength(65);

    const before = pushService.received.length;
    await suspendAccount(ctx.deps.ledger, c.accountId, "non_payment");
    await pushService.waitFor(before + 1);
    const push = pushService.received.find((r) => browser.json.endpoint.endsWith(r.path))!;
    expect(push.headers["content-encoding"]).toBe("aes128gcm");
    expect(push.headers.ttl).toBe("86400");
    checkVapid(String(push.headers.authorization), browser.json.endpoint, list.publicKey);
    expect(decrypt(push.raw, browser.ecdh, browser.auth)).toEqual({
      title: 'Your account "Test Co" is suspended',
      body: expect.stringContaining("below zero for too long"),
      url: "http://localhost:3000/",
      tag: "account.suspended",
    });
    // Another browser's keys cannot read it.
    const other = browserSubscription(pushOrigin());
    expect(() => decrypt(push.raw, other.ecdh, other.auth)).toThrow();
  });

  it("a push service answering 410 (expired) removes the subscription; nothing more is sent to it", async () => {
    const c = await newCustomer(ctx);
    const browser = browserSubscription(pushOrigin());
    expect((await subscribe(c, browser.json)).status).toBe(201);
    pushService.statuses.push(410);
    const before = pushService.received.length;
    await suspendAccount(ctx.deps.ledger, c.accountId, "operator");
    await pushService.waitFor(before + 1);
    await expect
      .poll(
        async () =>
          (await ctx.deps.database.sql`SELECT 1 FROM push_subscriptions WHERE endpoint = ${browser.json.endpoint}`)
            .length,
      )
      .toBe(0);
    await reactivateAccount(ctx.deps.ledger, c.accountId, { actor: "test" });
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(pushService.received.filter((r) => browser.json.endpoint.endsWith(r.path))).toHaveLength(1);
  });

  it("subscribing again replaces the browser's row; each user sees and removes only their own", async () => {
    const c = await newCustomer(ctx);
    const d = await newCustomer(ctx);
    const browser = browserSubscription(pushOrigin());
    const first = (await (await subscribe(c, browser.json)).json()) as { id: string };
    const again = (await (await subscribe(c, browser.json)).json()) as { id: string };
    expect(again.id).toBe(first.id);
    const list = (await (await ctx.request("GET", "/api/v1/push-subscriptions", { cookie: d.cookie })).json()) as {
      data: unknown[];
    };
    expect(list.data).toEqual([]);
    await expectError(
      await ctx.request("DELETE", `/api/v1/push-subscriptions/${first.id}`, { cookie: d.cookie }),
      404,
      "not_found",
    );
    expect((await ctx.request("DELETE", `/api/v1/push-subscriptions/${first.id}`, { cookie: c.cookie })).status).toBe(
      204,
    );
    await expectError(
      await ctx.request("DELETE", `/api/v1/push-subscriptions/${first.id}`, { cookie: c.cookie }),
      404,
      "not_found",
    );
  });

  it("bad subscriptions are 400 and store nothing; at most 10 browsers per user", async () => {
    const c = await newCustomer(ctx);
    const good = browserSubscription(pushOrigin()).json;
    await expectError(await subscribe(c, "{not json"), 400, "invalid_json");
    const bad: unknown[] = [
      { ...good, keys: { ...good.keys, p256dh: good.keys.p256dh.slice(0, 40) } },
      { ...good, keys: { ...good.keys, auth: "!!!" } },
      { ...good, endpoint: "http://push.example.com/x" },
      { ...good, endpoint: "not a url" },
      { ...good, extra: 1 },
      { keys: good.keys },
    ];
    for (const body of bad) await expectError(await subscribe(c, body), 400, "validation_error");
    await expectError(await ctx.request("POST", "/api/v1/push-subscriptions", { body: good }), 401, "unauthenticated");
    const rows = await ctx.deps.database.sql`SELECT 1 FROM push_subscriptions WHERE account_id = ${c.accountId}`;
    expect(rows).toHaveLength(0);

    const results = await Promise.all(
      Array.from({ length: 12 }, () => subscribe(c, browserSubscription(pushOrigin()).json)),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    for (const r of results.filter((r) => r.status !== 201)) await expectError(r, 422, "limit_exceeded");
  });

  it("outside development a push endpoint on a private network is refused", async () => {
    const strict = await createTestContext({ WEBHOOK_ALLOW_PRIVATE_TARGETS: "0" });
    try {
      const c = await newCustomer(strict);
      const res = await strict.request("POST", "/api/v1/push-subscriptions", {
        cookie: c.cookie,
        body: { ...browserSubscription(pushOrigin()).json, endpoint: "https://169.254.169.254/push" },
      });
      await expectError(res, 400, "validation_error");
    } finally {
      await strict.close();
    }
  });
});
