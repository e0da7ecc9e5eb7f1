import { createRoute, z } from "@hono/zod-openapi";
import { newId } from "../../../db/ids";
import { FieldError } from "../../../db/ledger/errors";
import { ApiError } from "../../errors";
import { requireSession, sessionOf } from "../../middleware/auth";
import { notFound } from "../../middleware/errors";
import { namesPrivateHost } from "../../webhooks/targets";
import { EndpointUrl } from "../webhook-endpoints/schemas";
import { createRouter } from "../router";
import { errors } from "../../openapi/route-docs";
import { errorResponses, jsonBody, jsonResponse, Id } from "../schemas";

/** Browsers one user may subscribe per account: 10 (phones, laptops; old ones expire at their push service). */
export const MAX_PUSH_SUBSCRIPTIONS = 10;

/** base64url of exactly `bytes` bytes (RFC 8291: p256dh is an uncompressed P-256 point, 65 bytes; auth 16 bytes). */
const base64urlOf = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, "must be base64url")
    .refine((s) => Buffer.from(s, "base64url").length === bytes, `must encode ${bytes} bytes`);

const SubscribeBody = z
  .object({
    endpoint: EndpointUrl.openapi({ description: "PushSubscription.endpoint: the browser's push service URL." }),
    expirationTime: z.number().nullable().optional(),
    keys: z.object({ p256dh: base64urlOf(65), auth: base64urlOf(16) }).strict(),
  })
  .strict()
  .openapi("PushSubscriptionRequest", { description: "What `PushSubscription.toJSON()` returns in the browser." });

const PushSubscriptionSchema = z
  .object({
    id: z.string(),
    endpoint: z.string().openapi({ description: "The browser's push service URL (tells a browser which row is its own)." }),
    userAgent: z.string().nullable(),
    createdAt: z.string(),
    lastSentAt: z.string().nullable(),
  })
  .openapi("PushSubscription");

const List = z.object({
  publicKey: z
    .string()
    .openapi({ description: "VAPID public key (base64url): PushManager.subscribe's applicationServerKey." }),
  data: z.array(PushSubscriptionSchema),
});

interface Row {
  id: string;
  endpoint: string;
  user_agent: string | null;
  created_at: Date;
  last_sent_at: Date | null;
}
const toDto = (r: Row) => ({
  id: r.id,
  endpoint: r.endpoint,
  userAgent: r.user_agent,
  createdAt: r.created_at.toISOString(),
  lastSentAt: r.last_sent_at?.toISOString() ?? null,
});

const tags = ["push-subscriptions"];
const list = createRoute({
  method: "get",
  path: "/push-subscriptions",
  operationId: "listPushSubscriptions",
  tags,
  summary: "The VAPID public key, and this user's browsers that get Web Push notifications for the account",
  middleware: [requireSession()] as const,
  responses: { 200: jsonResponse(List, "Public key and subscriptions") },
});
const subscribe = createRoute({
  method: "post",
  path: "/push-subscriptions",
  operationId: "subscribePush",
  tags,
  summary: "Subscribe this browser (its PushSubscription) to the account's notifications; again replaces it",
  middleware: [requireSession()] as const,
  request: jsonBody(SubscribeBody),
  responses: { 201: jsonResponse(PushSubscriptionSchema, "Subscribed"), ...errors("limit_exceeded") },
});
const unsubscribe = createRoute({
  method: "delete",
  path: "/push-subscriptions/{id}",
  operationId: "unsubscribePush",
  tags,
  summary: "Stop notifications to one of this user's browsers",
  middleware: [requireSession()] as const,
  request: { params: z.object({ id: Id }) },
  responses: { 204: { description: "Unsubscribed" }, ...errorResponses },
});

/** The session user's own Web Push subscriptions (any role: notifications are per person and device). */
export const pushSubscriptionsRoutes = createRouter()
  .openapi(list, async (c) => {
    const { database, vapid } = c.get("deps");
    const rows = await database.sql<Row[]>`
      SELECT id, endpoint, user_agent, created_at, last_sent_at FROM push_subscriptions
       WHERE account_id = ${c.get("accountId")} AND user_id = ${sessionOf(c).userId}
       ORDER BY created_at DESC`;
    return c.json({ publicKey: vapid.publicKey, data: rows.map(toDto) }, 200);
  })
  .openapi(subscribe, async (c) => {
    const { database, webhookTargets } = c.get("deps");
    const body = c.req.valid("json");
    const userId = sessionOf(c).userId;
    if (!webhookTargets.allowPrivateTargets && namesPrivateHost(body.endpoint)) {
      const message = "points to a private network address; push services are public";
      throw new FieldError({ field: "endpoint", code: "private_address", message });
    }
    const row = await database.sql.begin(async (tx) => {
      // Serializes this user's subscribes, so the limit holds under concurrent requests.
      await tx`SELECT pg_advisory_xact_lock(hashtext(${"push_subscriptions:" + userId}))`;
      const [others] = await tx<{ count: number }[]>`
        SELECT count(*)::int AS count FROM push_subscriptions
         WHERE user_id = ${userId} AND account_id = ${c.get("accountId")} AND endpoint <> ${body.endpoint}`;
      if (others!.count >= MAX_PUSH_SUBSCRIPTIONS) {
        throw new ApiError("limit_exceeded", `At most ${MAX_PUSH_SUBSCRIPTIONS} browsers per user; remove one first.`);
      }
      const [saved] = await tx<Row[]>`
        INSERT INTO push_subscriptions (id, user_id, account_id, endpoint, p256dh, auth, user_agent)
        VALUES (${newId("psub")}, ${userId}, ${c.get("accountId")}, ${body.endpoint}, ${body.keys.p256dh},
                ${body.keys.auth}, ${c.req.header("user-agent")?.slice(0, 300) ?? null})
        ON CONFLICT (endpoint) DO UPDATE
          SET user_id = EXCLUDED.user_id, account_id = EXCLUDED.account_id, p256dh = EXCLUDED.p256dh,
              auth = EXCLUDED.auth, user_agent = EXCLUDED.user_agent
        RETURNING id, endpoint, user_agent, created_at, last_sent_at`;
      return saved!;
    });
    return c.json(toDto(row), 201);
  })
  .openapi(unsubscribe, async (c) => {
    const deleted = await c.get("deps").database.sql`
      DELETE FROM push_subscriptions
       WHERE id = ${c.req.valid("param").id} AND account_id = ${c.get("accountId")}
         AND user_id = ${sessionOf(c).userId}
      RETURNING id`;
    if (deleted.length === 0) throw notFound("push subscription");
    return c.body(null, 204);
  });
