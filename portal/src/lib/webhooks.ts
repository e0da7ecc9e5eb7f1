/**
 * The webhook page's rules, mirrored from the server so the form can answer at once.
 * The server decides: it validates every request again (server/routes/webhook-endpoints).
 */

/**
 * Event types an endpoint can subscribe to, in the order the form lists them: the same
 * list as db/webhooks/event-types.ts (a unit test keeps the two equal).
 */
export const WEBHOOK_EVENT_TYPES = [
  "account.suspended",
  "account.reactivated",
  "topup.succeeded",
  "topup.refunded",
  "topup.disputed",
  "topup.dispute_won",
  "auto_topup.succeeded",
  "auto_topup.failed",
  "auto_topup.requires_action",
  "auto_topup.disabled",
  "webhook_endpoint.disabled",
  "balance.low",
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** `enabledEvents: ["*"]` subscribes to every event type, present and future. */
export const ALL_EVENTS = "*";

/** Endpoints per account (server/routes/webhook-endpoints MAX_WEBHOOK_ENDPOINTS). */
export const MAX_WEBHOOK_ENDPOINTS = 16;

/** Longest URL the server accepts. */
export const ENDPOINT_URL_MAX_LENGTH = 2048;

/** Longest description the server accepts. */
export const DESCRIPTION_MAX_LENGTH = 200;

/** Hosts that may be reached over plain http (as the server's EndpointUrl allows). */
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export type EndpointUrlProblem = "required" | "invalid" | "https";

/**
 * What is wrong with a typed endpoint URL, or null when the server will take it:
 * an absolute https URL, or http on localhost / 127.0.0.1 / [::1].
 */
export function checkEndpointUrl(raw: string): EndpointUrlProblem | null {
  const value = raw.trim();
  if (!value) return "required";
  if (value.length > ENDPOINT_URL_MAX_LENGTH || !URL.canParse(value)) return "invalid";
  const url = new URL(value);
  if (url.protocol === "https:") return url.hostname ? null : "invalid";
  if (url.protocol === "http:") return LOCAL_HOSTS.has(url.hostname) ? null : "https";
  return "https";
}

/** A delivery's stored JSON body, indented for reading; the raw text when it is not JSON. */
export function prettyPayload(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}
