import { z } from "@hono/zod-openapi";
import { DEFAULT_SECRET_OVERLAP_HOURS, MAX_SECRET_OVERLAP_HOURS } from "../../../db/webhooks/edit-endpoint";
import { ALL_EVENTS, WEBHOOK_EVENT_TYPES } from "../../../db/webhooks/event-types";

/** Hosts that may be reached over plain http (local development, as for the session cookie's Secure flag). */
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** An endpoint URL: https, or http on localhost; at most 2048 characters. */
export const EndpointUrl = z
  .string()
  .max(2048)
  .url()
  .refine((raw) => {
    if (!URL.canParse(raw)) return false; // reported by .url() already
    const url = new URL(raw);
    return url.protocol === "https:" || (url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname));
  }, "must be an https URL (http only on localhost)")
  .openapi({ example: "https://example.com/hooks/balance" });

export const EventTypeOrAll = z.enum([...WEBHOOK_EVENT_TYPES, ALL_EVENTS]);

export const WebhookEndpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    enabledEvents: z.array(z.string()).openapi({ description: "Event types sent here; `*` = all." }),
    createdAt: z.string().openapi({ format: "date-time" }),
    disabledAt: z
      .string()
      .nullable()
      .openapi({ format: "date-time", description: "Set while turned off after days of failed deliveries; no new events." }),
    disabledReason: z.string().nullable(),
    previousSecretExpiresAt: z.string().nullable().openapi({
      format: "date-time",
      description: "After a secret roll: until then deliveries are signed with the old secret too; null otherwise.",
    }),
  })
  .openapi("WebhookEndpoint");

export const CreatedWebhookEndpoint = WebhookEndpointSchema.extend({
  secret: z.string().openapi({
    description:
      "Signing secret (`whsec_...`, Standard Webhooks). Shown once; verify each delivery's webhook-signature with it.",
  }),
}).openapi("CreatedWebhookEndpoint");

export const CreateWebhookEndpointBody = z
  .object({
    url: EndpointUrl,
    enabledEvents: z
      .array(EventTypeOrAll)
      .min(1)
      .max(WEBHOOK_EVENT_TYPES.length + 1),
    description: z.string().trim().max(200).optional(),
  })
  .openapi("CreateWebhookEndpointRequest");

export const UpdateWebhookEndpointBody = z
  .object({
    url: EndpointUrl.optional(),
    enabledEvents: CreateWebhookEndpointBody.shape.enabledEvents.optional(),
    description: z.string().trim().max(200).nullable().optional().openapi({ description: "null or \"\" clears it." }),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), "give at least one of url, description, enabledEvents")
  .openapi("UpdateWebhookEndpointRequest");

export const RollWebhookSecretBody = z
  .object({
    overlapHours: z
      .number()
      .int()
      .min(0)
      .max(MAX_SECRET_OVERLAP_HOURS)
      .default(DEFAULT_SECRET_OVERLAP_HOURS)
      .openapi({
        description: `Hours the old secret keeps signing next to the new one (0 = stop at once; default ${DEFAULT_SECRET_OVERLAP_HOURS}, at most ${MAX_SECRET_OVERLAP_HOURS}).`,
      }),
  })
  .openapi("RollWebhookSecretRequest");

export const RolledWebhookSecret = WebhookEndpointSchema.extend({
  secret: z.string().openapi({ description: "The new signing secret (`whsec_...`). Shown once." }),
}).openapi("RolledWebhookSecret");

export const WebhookDeliverySchema = z
  .object({
    eventId: z.string().openapi({ description: "Also the webhook-id header: the same on every retry." }),
    eventType: z.string(),
    status: z.enum(["pending", "succeeded", "failed"]),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: z.string().nullable().openapi({ description: "Approximate time of the next retry while pending." }),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
    payload: z.string().openapi({ description: "The exact JSON body sent." }),
  })
  .openapi("WebhookDelivery");
