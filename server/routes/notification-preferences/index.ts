import { createRoute, z } from "@hono/zod-openapi";
import { NOTIFIED_EVENT_TYPES, PROTECTED_EVENT_TYPES } from "../../../db/notifications/enqueue";
import { getNotificationPreferences, setNotificationPreferences } from "../../../db/notifications/preferences";
import type { WebhookEventType } from "../../../db/webhooks/event-types";
import { requireSession, sessionOf } from "../../middleware/auth";
import { errors } from "../../openapi/route-docs";
import { createRouter } from "../router";
import { jsonBody, jsonResponse } from "../schemas";

// typed wide: a literal tuple is what z.enum needs
const EventType = z.enum(NOTIFIED_EVENT_TYPES as [WebhookEventType, ...WebhookEventType[]]);

const PreferencesSchema = z
  .object({
    preferences: z.array(
      z.object({
        eventType: EventType,
        email: z.boolean(),
        push: z.boolean().openapi({ description: "Web Push to this user's subscribed browsers." }),
        emailRequired: z.boolean().openapi({ description: "A protected event: always emailed, `email` cannot be turned off." }),
      }),
    ),
  })
  .openapi("NotificationPreferences");

const PutBody = z
  .object({
    preferences: z
      .array(z.object({ eventType: EventType, email: z.boolean().optional(), push: z.boolean().optional() }).strict())
      .min(1)
      .max(NOTIFIED_EVENT_TYPES.length)
      .refine((p) => new Set(p.map((x) => x.eventType)).size === p.length, "each eventType at most once"),
  })
  .strict()
  .openapi("NotificationPreferencesRequest");

const get = createRoute({
  method: "get",
  path: "/notification-preferences",
  tags: ["notifications"],
  operationId: "getNotificationPreferences",
  summary: "The signed-in user's email and push choices per notified event type (for all their accounts; default on)",
  middleware: [requireSession()] as const,
  responses: { 200: jsonResponse(PreferencesSchema, "Preferences, one per notified event type") },
});

const put = createRoute({
  method: "put",
  path: "/notification-preferences",
  tags: ["notifications"],
  operationId: "setNotificationPreferences",
  summary: "Turn email or push on or off per event type (channels left out keep their setting; audited)",
  description:
    `Events that protect the account (${PROTECTED_EVENT_TYPES.join(", ")}) are always emailed: turning their email off ` +
    "answers 422 notification_protected and changes nothing (their push can be turned off).",
  middleware: [requireSession()] as const,
  request: jsonBody(PutBody),
  responses: { 200: jsonResponse(PreferencesSchema, "Preferences after the change"), ...errors("notification_protected") },
});

/** GET|PUT /notification-preferences (shared/DESIGN.md, "Priced usage"; issue 10 point 8). */
export const notificationPreferencesRoutes = createRouter()
  .openapi(get, async (c) =>
    c.json({ preferences: await getNotificationPreferences(c.get("deps").database.sql, sessionOf(c).userId) }, 200),
  )
  .openapi(put, async (c) =>
    c.json(
      {
        preferences: await setNotificationPreferences(c.get("deps").database.sql, sessionOf(c).userId, c.req.valid("json").preferences, {
          requestId: c.get("requestId"),
        }),
      },
      200,
    ),
  );
