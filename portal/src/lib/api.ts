/**
 * The only module of the portal that talks to the server. Every call is a
 * same-origin fetch to /api/v1/... carrying the session cookie; every failure
 * becomes an `ApiError` with the server's `code`, `message` and HTTP `status`
 * (status 0 and code "network_error" when the server could not be reached).
 *
 * Amounts are integers in minor units, as on the wire.
 */

import type { components, operations, paths } from "./api-types";

const BASE = "/api/v1";

/** Upper bound for one request, so a hung server never leaves a spinner forever. */
const REQUEST_TIMEOUT_MS = 20_000;

// ---------------------------------------------------------------------------
// Types: aliases of ./api-types.ts, generated from the server's OpenAPI document
// (`npm run api:types`), so a change to a server schema shows up in svelte-check.
// ---------------------------------------------------------------------------

type Schemas = components["schemas"];

/** Response of signup, login and GET /me. */
export type Session = Schemas["Me"];
export type User = Session["user"];
export type Account = Session["account"];
export type AccountRole = Account["role"];
export type AccountStatus = Account["status"];

export type Balance = Schemas["Balance"];

/** `amount` is signed minor units: credit > 0, debit < 0. */
export type LedgerEntry = Schemas["LedgerEntry"];
export type LedgerEntryType = LedgerEntry["type"];

/** A cursor page (GET /transactions): `nextCursor` null on the last page. */
export type Page<T> = Omit<Schemas["TransactionsPage"], "data"> & { data: T[] };

type TransactionParams = NonNullable<paths["/transactions"]["get"]["parameters"]["query"]>;

/** GET /transactions filters: limit 1..100, from/to ISO 8601. */
export type TransactionQuery = Omit<TransactionParams, "cursor" | "type"> & {
  /** null or absent: the first page. */
  cursor?: string | null;
  /**
   * Any string: the transactions page passes its URL's `?type=` through, and the
   * server answers 400 validation_error for a type outside LedgerEntryType.
   */
  type?: LedgerEntryType | (string & {});
};

/** One top-up; `checkoutUrl` is set for kind "checkout", `failureReason`/`actionUrl` for card charges. */
export type Topup = Schemas["Topup"];
export type TopupStatus = Topup["status"];

/** POST /topups without a card: a checkout top-up, whose checkoutUrl createTopup() checks is set. */
export type CreatedTopup = Topup & { checkoutUrl: string };

/** A one-click top-up: settled (or failed, or waiting for authentication) before the call returns. */
export type ChargedTopup = Topup;

/** A card saved by checkout for one-click and auto top-ups. */
export type PaymentMethod = Schemas["PaymentMethod"];

/** GET/PUT /auto-topup. Amounts in minor units; times ISO 8601. */
export type AutoTopupSettings = Schemas["AutoTopupSettings"];

/** PUT /auto-topup body: enabled and threshold required; amount and targetBalance exclusive. */
export type AutoTopupInput = Schemas["PutAutoTopupRequest"];

export type ApiKeyScope = Schemas["ApiKey"]["scopes"][number];

export type ApiKey = Schemas["ApiKey"];

/** An API key's own daily and monthly usage limits (minor units, null = none) and its usage so far. */
export type ApiKeySpendLimits = Schemas["ApiKeySpendLimits"];

/** The account's daily and monthly usage limits (minor units, null = none), its usage so far and its currency. */
export type SpendLimits = Schemas["SpendLimits"];

/** PUT /spend-limits and PUT /api-keys/{id}/spend-limits: both limits in minor units, null = no limit. */
export type SpendLimitsInput = Schemas["SpendLimitsRequest"];

/** `secret` is shown once; the server keeps only a hash. */
export type CreatedApiKey = Schemas["CreatedApiKey"];

/** A webhook endpoint (GET/POST /webhook-endpoints). `enabledEvents` may hold "*" (all events). */
export type WebhookEndpoint = Schemas["WebhookEndpoint"];

/** `secret`: the signing secret (`whsec_...`, Standard Webhooks); shown once, never returned again. */
export type CreatedWebhookEndpoint = Schemas["CreatedWebhookEndpoint"];

/** url: https, or http on localhost only; enabledEvents: at least one event type, or ["*"]. */
export type CreateWebhookEndpointInput = Schemas["CreateWebhookEndpointRequest"];

/** One event sent (or being sent) to one endpoint, with the outcome of its last attempt. */
export type WebhookDelivery = Schemas["WebhookDelivery"];

/** Usage of one meter (null: plain amounts) in one UTC interval (GET /usage/summary); `amount` minor units. */
export type UsageBucket = Schemas["UsageSummary"]["buckets"][number];

/** GET /usage/summary query: ISO instants (`to` exclusive), UTC buckets, optionally one meter. */
export type UsageSummaryQuery = operations["getUsageSummary"]["parameters"]["query"];

/** A browser of the session's user that gets Web Push notifications (GET /push-subscriptions). */
export type PushDevice = Schemas["PushSubscription"];

/** What `PushSubscription.toJSON()` gives, as POST /push-subscriptions takes it. */
export type PushSubscriptionInput = Schemas["PushSubscriptionRequest"];
export type WebhookDeliveryStatus = WebhookDelivery["status"];

// The live stream (GET /events, Server-Sent Events) is not in the OpenAPI document: its
// payloads are declared here by hand (server/sse/balance-stream.ts, db/ledger/types.ts),
// on the generated Balance and LedgerEntry types.

/**
 * A live notice without a sequence (SSE events `notification`, `account`, `hold`):
 * auto top-up outcomes, suspension, held amount changes. `type` e.g. `auto_topup.failed`.
 */
export interface NoticeEvent {
  accountId: string;
  event: "notification" | "account" | "hold";
  type: string;
  data: Record<string, unknown>;
  at: string;
}

/**
 * First event on the stream. The server sends the whole GET /balance body; these are the
 * fields it shares with BalanceEvent, which the portal reads from both.
 */
export type SnapshotEvent = Pick<Balance, "accountId" | "currency" | "balance" | "held" | "available" | "sequence">;

/** One committed balance change; `sequence` is the account's gap-free sequence. */
export interface BalanceEvent extends SnapshotEvent {
  entry: LedgerEntry;
  committedAtMs: number;
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/**
 * One problem with one field of a 400 validation_error (`details[]`): `field` e.g.
 * "amount", `code` e.g. "too_small" with `minimum` (minor units for amounts, a length
 * with origin "string").
 */
export type FieldIssue = Schemas["FieldIssue"];

/** A failed API call: `code` from the error body, `status` the HTTP status (0 = network). */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly requestId: string | undefined;
  /** The error body's `details`: FieldIssues of a validation_error, facts (amounts) otherwise. */
  readonly details: unknown;

  constructor(code: string, message: string, status: number, requestId?: string, details?: unknown) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
    this.requestId = requestId;
    this.details = details;
  }

  /** The FieldIssues of a validation_error (those with a string field and code); empty otherwise. */
  get fieldIssues(): FieldIssue[] {
    if (this.code !== "validation_error" || !Array.isArray(this.details)) return [];
    return this.details.filter(
      (issue: unknown): issue is FieldIssue =>
        typeof (issue as FieldIssue | null)?.field === "string" && typeof (issue as FieldIssue).code === "string",
    );
  }

  /** The field paths (e.g. "url", "enabledEvents.0") a validation_error names; empty otherwise. */
  get invalidFields(): string[] {
    return this.fieldIssues.map((issue) => issue.field);
  }
}

let onUnauthenticated: (() => void) | null = null;

/**
 * Registers what to do when a protected call answers 401 (the session expired):
 * the signed-in layout sends the user to /login. Auth endpoints never trigger it.
 */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

// ---------------------------------------------------------------------------
// Transport
// ---------------------------------------------------------------------------

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | null | undefined>;
  /** Do not call the unauthenticated handler on 401 (login, signup, me). */
  quiet401?: boolean;
  /** The `fetch` of a SvelteKit load function, when called from one. */
  fetch?: typeof fetch;
}

/**
 * One call to /api/v1 + `path`: JSON in and out, the cookie sent, a 20 s timeout; throws
 * ApiError for any failure. Exported for the operator console's client (lib/operator/api.ts).
 */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  let url = BASE + path;
  if (options.query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query)) {
      if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
    }
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }

  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: "same-origin",
      signal: controller.signal,
    });
  } catch (cause) {
    const timedOut = cause instanceof DOMException && cause.name === "AbortError";
    throw new ApiError(
      timedOut ? "timeout" : "network_error",
      timedOut ? "The server took too long to answer." : "Could not reach the server.",
      0,
    );
  } finally {
    clearTimeout(timer);
  }

  if (response.status === 204) return undefined as T;

  const text = await response.text();
  // 202 without a body: accepted, nothing to report (POST /auth/password-reset, PUT /me/email).
  if (response.status === 202 && !text) return undefined as T;
  // undefined: no JSON body; a JSON `null` is a real answer (GET /billing-details when none are saved).
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }

  if (!response.ok) {
    if (response.status === 401 && !options.quiet401) onUnauthenticated?.();
    throw toApiError(response, json);
  }

  if (json === undefined) {
    throw new ApiError("invalid_response", "The server sent an unreadable response.", response.status);
  }
  return json as T;
}

/** The ApiError of a failed response from its parsed JSON body (`{ error: { code, message, requestId, details } }`). */
function toApiError(response: Response, json: unknown): ApiError {
  const error = (json as { error?: { code?: unknown; message?: unknown; requestId?: unknown; details?: unknown } } | null)
    ?.error;
  return new ApiError(
    typeof error?.code === "string" ? error.code : `http_${response.status}`,
    typeof error?.message === "string" ? error.message : response.statusText || "Request failed",
    response.status,
    typeof error?.requestId === "string" ? error.requestId : undefined,
    error?.details ?? undefined,
  );
}

/**
 * An idempotency key for a money-moving POST. crypto.randomUUID needs a secure
 * context (https or localhost); plain-http deployments fall back to a v4 UUID
 * built from crypto.getRandomValues.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---------------------------------------------------------------------------
// Auth
// ---------------------------------------------------------------------------

export type SignupInput = Schemas["SignupRequest"];

/** POST /auth/signup -> 201 Session; sets the session cookie. 409 email_taken. */
export function signup(input: SignupInput): Promise<Session> {
  return request("POST", "/auth/signup", { body: input, quiet401: true });
}

/** The answer of the password step when two-factor log-in is on (202): send `token` with a code to loginTwoFactor. */
export type TwoFactorChallenge = Schemas["TwoFactorChallenge"];

/**
 * POST /auth/login -> Session (cookie set), or a TwoFactorChallenge when the user has
 * two-factor log-in on. 401 invalid_credentials, 429 rate_limited.
 */
export function login(input: Schemas["LoginRequest"]): Promise<Session | TwoFactorChallenge> {
  return request("POST", "/auth/login", { body: input, quiet401: true });
}

/** POST /auth/login/two-factor -> Session; a TOTP or recovery code. 422 invalid_two_factor_code, 401 login_challenge_expired. */
export function loginTwoFactor(input: Schemas["TwoFactorLoginRequest"]): Promise<Session> {
  return request("POST", "/auth/login/two-factor", { body: input, quiet401: true });
}

export type TwoFactorStatus = Schemas["TwoFactorStatus"];
export type TotpEnrolment = Schemas["TotpEnrolment"];

/** GET /me/two-factor (base `/me/two-factor`) or the operator's own (`/operator/me/two-factor`). */
export function getTwoFactor(base = "/me/two-factor"): Promise<TwoFactorStatus> {
  return request("GET", base);
}

/** POST .../enrolment -> a new secret with its QR code (shown once; not in force until confirmed). */
export function startTwoFactorEnrolment(base = "/me/two-factor"): Promise<TotpEnrolment> {
  return request("POST", `${base}/enrolment`);
}

/** POST .../enrolment/confirm -> the 10 recovery codes (shown once). 422 invalid_two_factor_code. */
export async function confirmTwoFactorEnrolment(code: string, base = "/me/two-factor"): Promise<string[]> {
  return (await request<{ recoveryCodes: string[] }>("POST", `${base}/enrolment/confirm`, { body: { code } })).recoveryCodes;
}

/** POST /me/two-factor/disable -> 204; the password and a code. */
export function disableTwoFactor(password: string, code: string): Promise<void> {
  return request("POST", "/me/two-factor/disable", { body: { password, code } });
}

/** POST /me/two-factor/recovery-codes -> 10 new recovery codes (the old ones stop working). */
export async function regenerateRecoveryCodes(code: string): Promise<string[]> {
  return (await request<{ recoveryCodes: string[] }>("POST", "/me/two-factor/recovery-codes", { body: { code } })).recoveryCodes;
}

// ---------------------------------------------------------------------------
// Operator console (its own session cookie, lb_operator)
// ---------------------------------------------------------------------------

export type OperatorMe = Schemas["OperatorMe"];
/** The TOTP routes of the logged-in operator (the `base` of the two-factor functions above). */
export const OPERATOR_TWO_FACTOR_BASE = "/operator/me/two-factor";

/** POST /operator/auth/login -> OperatorMe (no TOTP yet: enrolment is due) or a TwoFactorChallenge. */
export function operatorLogin(input: Schemas["OperatorLoginRequest"]): Promise<OperatorMe | TwoFactorChallenge> {
  return request("POST", "/operator/auth/login", { body: input, quiet401: true });
}

/** POST /operator/auth/login/two-factor -> OperatorMe. */
export function operatorLoginTwoFactor(input: Schemas["TwoFactorLoginRequest"]): Promise<OperatorMe> {
  return request("POST", "/operator/auth/login/two-factor", { body: input, quiet401: true });
}

/** POST /operator/auth/set-password with the one-time link's token -> OperatorMe (logged in; enrolment due). 404: link invalid. */
export function operatorSetPassword(input: Schemas["OperatorSetPasswordRequest"]): Promise<OperatorMe> {
  return request("POST", "/operator/auth/set-password", { body: input, quiet401: true });
}

/** GET /operator/me -> the logged-in operator; 401 without an operator session. */
export function getOperatorMe(fetchFn?: typeof fetch): Promise<OperatorMe> {
  return request("GET", "/operator/me", { quiet401: true, fetch: fetchFn });
}

/** POST /operator/auth/logout -> 204. */
export function operatorLogout(): Promise<void> {
  return request("POST", "/operator/auth/logout", { quiet401: true });
}

/** PUT /account/two-factor-policy (owners): require two-factor log-in of every member. */
export async function setTwoFactorPolicy(requireTwoFactor: boolean): Promise<boolean> {
  return (await request<{ requireTwoFactor: boolean }>("PUT", "/account/two-factor-policy", { body: { requireTwoFactor } })).requireTwoFactor;
}

/** POST /auth/logout -> 204; clears the session. */
export function logout(): Promise<void> {
  return request("POST", "/auth/logout", { quiet401: true });
}

/**
 * GET /me -> Session; 401 unauthenticated when there is no valid session.
 * Load functions pass their own `fetch`.
 */
export function getMe(fetchFn?: typeof fetch): Promise<Session> {
  return request("GET", "/me", { quiet401: true, fetch: fetchFn });
}

/**
 * GET /session -> the Session, or null when signed out (200 either way, so the log-in
 * and sign-up pages ask without a failed request in the console). Load functions pass their `fetch`.
 */
export async function getSessionState(fetchFn?: typeof fetch): Promise<Session | null> {
  return (await request<{ session: Session | null }>("GET", "/session", { quiet401: true, fetch: fetchFn })).session;
}

/** POST /auth/password-reset -> 202 whether or not the email has an account (429 when asked too often). */
export function requestPasswordReset(email: string): Promise<void> {
  return request("POST", "/auth/password-reset", { body: { email }, quiet401: true });
}

/** POST /auth/password-reset/:token -> 204; 404 not_found for a used, expired or unknown link; 400 for a weak password. */
export function resetPassword(token: string, password: string): Promise<void> {
  return request("POST", `/auth/password-reset/${encodeURIComponent(token)}`, { body: { password }, quiet401: true });
}

/** POST /auth/email-verification/:token -> the verified address; 404 for a used or expired link, 409 email_taken. */
export function verifyEmail(token: string): Promise<{ email: string }> {
  return request("POST", `/auth/email-verification/${encodeURIComponent(token)}`, { quiet401: true });
}

/** POST /me/email-verification -> 202: a new verification link to the log-in email. */
export function resendEmailVerification(): Promise<void> {
  return request("POST", "/me/email-verification");
}

/** PUT /me/password -> 204; 401 invalid_credentials when the current password is wrong (not a lost session). */
export function changePassword(input: Schemas["ChangePasswordRequest"]): Promise<void> {
  return request("PUT", "/me/password", { body: input, quiet401: true });
}

/** PUT /me/email -> 202: a link to the new address; 409 email_taken, 401 invalid_credentials. */
export function changeEmail(input: Schemas["ChangeEmailRequest"]): Promise<void> {
  return request("PUT", "/me/email", { body: input, quiet401: true });
}

export type UserSession = Schemas["UserSession"];

/** GET /me/sessions -> the user's sessions, most recently seen first. */
export async function listSessions(): Promise<UserSession[]> {
  return (await request<{ data: UserSession[] }>("GET", "/me/sessions")).data;
}

/** DELETE /me/sessions/:id -> 204. */
export function endSession(id: string): Promise<void> {
  return request("DELETE", `/me/sessions/${encodeURIComponent(id)}`);
}

/** POST /me/sessions/end-others -> how many sessions ended. */
export async function endOtherSessions(): Promise<number> {
  return (await request<{ ended: number }>("POST", "/me/sessions/end-others")).ended;
}

// ---------------------------------------------------------------------------
// Balance, transactions, live events
// ---------------------------------------------------------------------------

/** PUT /me/locale -> the language of this user's emails and push messages. */
export function saveLocale(locale: "en" | "de"): Promise<Session> {
  return request("PUT", "/me/locale", { body: { locale } });
}

/** Top-ups and usage since a moment (minor units, both >= 0). */
export type PeriodTotals = Schemas["PeriodTotals"];

/** GET /balance/totals?from -> top-ups and usage (usage + captured holds) since `from` (ISO 8601, within 366 days). */
export function getBalanceTotals(from: string): Promise<PeriodTotals> {
  return request("GET", "/balance/totals", { query: { from } });
}

/** GET /balance -> the account's balance, held and available amounts (minor units). */
export function getBalance(): Promise<Balance> {
  return request("GET", "/balance");
}

/** GET /transactions -> a page of ledger entries, newest first, with the next cursor. */
export function listTransactions(query: TransactionQuery = {}): Promise<Page<LedgerEntry>> {
  return request("GET", "/transactions", {
    query: {
      limit: query.limit,
      cursor: query.cursor,
      type: query.type,
      from: query.from,
      to: query.to,
      q: query.q,
    },
  });
}

/** One ledger entry with the top-up it settled (kind, card) or the hold it captured. */
export type TransactionDetails = Schemas["TransactionDetails"];

/** GET /transactions/:id -> the entry with its top-up or hold; 404 for an unknown or another account's id. */
export function getTransaction(id: string): Promise<TransactionDetails> {
  return request("GET", `/transactions/${encodeURIComponent(id)}`);
}

/**
 * Opens the account's live event stream (GET /events, cookie auth). The caller
 * owns the EventSource: it listens for `snapshot` and `balance` and closes it.
 */
export function openEventStream(): EventSource {
  // Same origin: the session cookie is sent without withCredentials.
  return new EventSource(`${BASE}/events`);
}

// ---------------------------------------------------------------------------
// Top-ups
// ---------------------------------------------------------------------------

/**
 * POST /topups with an Idempotency-Key -> 201 pending top-up with its checkoutUrl.
 * Reuse the same key when retrying the same top-up after a failure.
 */
export async function createTopup(amountMinor: number, idempotencyKey: string, saveCard = true): Promise<CreatedTopup> {
  const topup = await request<Topup>("POST", "/topups", {
    body: { amount: amountMinor, saveCard },
    headers: { "Idempotency-Key": idempotencyKey },
  });
  // The schema allows null (card top-ups have none); a checkout top-up always has one.
  if (topup.checkoutUrl === null) {
    throw new ApiError("invalid_response", "The server sent a top-up without a checkout URL.", 201);
  }
  return { ...topup, checkoutUrl: topup.checkoutUrl };
}

/** One-click top-up: charges a saved card ("default" or its id) off-session, no redirect. */
export function chargeSavedCard(
  amountMinor: number,
  paymentMethodId: string,
  idempotencyKey: string,
): Promise<ChargedTopup> {
  return request("POST", "/topups", {
    body: { amount: amountMinor, paymentMethodId },
    headers: { "Idempotency-Key": idempotencyKey },
  });
}

export async function listPaymentMethods(): Promise<PaymentMethod[]> {
  return (await request<{ data: PaymentMethod[] }>("GET", "/payment-methods")).data;
}

/** Opens a setup-mode checkout to add a card without paying; returns where to send the browser. */
export function startCardSetup(idempotencyKey: string): Promise<{ checkoutUrl: string }> {
  return request("POST", "/payment-methods", { headers: { "Idempotency-Key": idempotencyKey } });
}

export async function setDefaultPaymentMethod(id: string): Promise<PaymentMethod[]> {
  return (await request<{ data: PaymentMethod[] }>("POST", `/payment-methods/${encodeURIComponent(id)}/default`)).data;
}

export async function removePaymentMethod(id: string): Promise<PaymentMethod[]> {
  return (await request<{ data: PaymentMethod[] }>("DELETE", `/payment-methods/${encodeURIComponent(id)}`)).data;
}

/** One notified event type's email and push choice for the signed-in user; `emailRequired`: always emailed. */
export type NotificationPreference = Schemas["NotificationPreferences"]["preferences"][number];

/** GET /notification-preferences -> one per notified event type. */
export async function getNotificationPreferences(): Promise<NotificationPreference[]> {
  return (await request<{ preferences: NotificationPreference[] }>("GET", "/notification-preferences")).preferences;
}

/** PUT /notification-preferences: changes some channels (422 notification_protected for a protected email). */
export async function putNotificationPreferences(
  preferences: Schemas["NotificationPreferencesRequest"]["preferences"],
): Promise<NotificationPreference[]> {
  return (await request<{ preferences: NotificationPreference[] }>("PUT", "/notification-preferences", { body: { preferences } })).preferences;
}

/** Low-balance alert thresholds and those that fired (available fell below them and has not risen back); minor units. */
export type BalanceAlerts = Schemas["BalanceAlerts"];

/** GET /balance-alerts. */
export function getBalanceAlerts(): Promise<BalanceAlerts> {
  return request("GET", "/balance-alerts");
}

/** GET /usage/summary -> the account's usage per interval and meter, oldest first. */
export async function getUsageSummary(query: UsageSummaryQuery): Promise<UsageBucket[]> {
  return (await request<{ buckets: UsageBucket[] }>("GET", "/usage/summary", { query })).buckets;
}

export function getAutoTopup(): Promise<AutoTopupSettings> {
  return request("GET", "/auto-topup");
}

export function putAutoTopup(input: AutoTopupInput): Promise<AutoTopupSettings> {
  return request("PUT", "/auto-topup", { body: input });
}

/** GET /topups/:id -> the top-up and its status (a paid checkout is settled on the way). */
export function getTopup(id: string): Promise<Topup> {
  return request("GET", `/topups/${encodeURIComponent(id)}`);
}

/** GET /topups -> the account's latest top-ups, newest first (`kind: "auto"`: the auto top-up attempts; limit 1..50). */
export async function listTopups(query: { kind?: Topup["kind"]; limit?: number } = {}): Promise<Topup[]> {
  return (await request<{ data: Topup[] }>("GET", "/topups", { query })).data;
}

/** POST /topups/:id/cancel -> the top-up, `expired` unless it was paid: its checkout can no longer be paid. */
export function cancelTopup(id: string): Promise<Topup> {
  return request("POST", `/topups/${encodeURIComponent(id)}/cancel`);
}

// ---------------------------------------------------------------------------
// API keys
// ---------------------------------------------------------------------------

/** GET /api-keys -> all keys of the account, revoked ones included. */
export async function listApiKeys(): Promise<ApiKey[]> {
  const page = await request<{ data: ApiKey[] }>("GET", "/api-keys");
  return page.data;
}

/** POST /api-keys -> 201 the new key with its secret (shown once). */
export function createApiKey(input: { name: string; scopes: ApiKeyScope[] }): Promise<CreatedApiKey> {
  return request("POST", "/api-keys", { body: input });
}

/** DELETE /api-keys/:id -> 204; the key stops working immediately. */
export function revokeApiKey(id: string): Promise<void> {
  return request("DELETE", `/api-keys/${encodeURIComponent(id)}`);
}

/**
 * PUT /api-keys/:id/spend-limits -> the key with its new limits (owners and admins). Usage sent
 * with the key beyond one is refused with 402 spend_limit_exceeded; 404 not_found for a revoked key.
 */
export function putApiKeySpendLimits(id: string, input: SpendLimitsInput): Promise<ApiKey> {
  return request("PUT", `/api-keys/${encodeURIComponent(id)}/spend-limits`, { body: input });
}

// ---------------------------------------------------------------------------
// Spend limits of the account
// ---------------------------------------------------------------------------

/** GET /spend-limits -> the account's limits and its usage this UTC day and month (any member). */
export function getSpendLimits(): Promise<SpendLimits> {
  return request("GET", "/spend-limits");
}

/** PUT /spend-limits -> the saved limits with the usage so far (owners and admins; 403 forbidden otherwise). */
export function putSpendLimits(input: SpendLimitsInput): Promise<SpendLimits> {
  return request("PUT", "/spend-limits", { body: input });
}

// ---------------------------------------------------------------------------
// Webhook endpoints (owners and admins)
// ---------------------------------------------------------------------------

/** GET /webhook-endpoints -> the account's endpoints, newest first (secrets are never listed). */
export async function listWebhookEndpoints(): Promise<WebhookEndpoint[]> {
  return (await request<{ data: WebhookEndpoint[] }>("GET", "/webhook-endpoints")).data;
}

/**
 * POST /webhook-endpoints -> 201 the endpoint with its signing secret (shown once).
 * 400 validation_error (`details` names the fields, e.g. a private address for url),
 * 422 limit_exceeded (16 endpoints per account).
 */
export function createWebhookEndpoint(input: CreateWebhookEndpointInput): Promise<CreatedWebhookEndpoint> {
  return request("POST", "/webhook-endpoints", { body: input });
}

/** Fields of PATCH /webhook-endpoints/:id; only those given change, description null/"" clears it. */
export type UpdateWebhookEndpointInput = Schemas["UpdateWebhookEndpointRequest"];

/** PATCH /webhook-endpoints/:id -> the endpoint with its new URL, description or events (audited). 400 validation_error, 404. */
export function updateWebhookEndpoint(id: string, input: UpdateWebhookEndpointInput): Promise<WebhookEndpoint> {
  return request("PATCH", `/webhook-endpoints/${encodeURIComponent(id)}`, { body: input });
}

/** POST /webhook-endpoints/:id/roll-secret response: the endpoint and its new secret (shown once). */
export type RolledWebhookSecret = Schemas["RolledWebhookSecret"];

/**
 * POST /webhook-endpoints/:id/roll-secret -> a new signing secret; the old one keeps signing
 * next to it for `overlapHours` (0..168, default 24; `previousSecretExpiresAt` says until when).
 */
export function rollWebhookSecret(id: string, overlapHours: number): Promise<RolledWebhookSecret> {
  return request("POST", `/webhook-endpoints/${encodeURIComponent(id)}/roll-secret`, { body: { overlapHours } });
}

/** DELETE /webhook-endpoints/:id -> 204; the endpoint, its delivery log and pending retries are gone. */
export function deleteWebhookEndpoint(id: string): Promise<void> {
  return request("DELETE", `/webhook-endpoints/${encodeURIComponent(id)}`);
}

/** GET /webhook-endpoints/:id/deliveries -> the latest 50 deliveries, newest first. */
export async function listWebhookDeliveries(id: string): Promise<WebhookDelivery[]> {
  const page = await request<{ data: WebhookDelivery[] }>(
    "GET",
    `/webhook-endpoints/${encodeURIComponent(id)}/deliveries`,
  );
  return page.data;
}

/** POST /webhook-endpoints/:id/enable -> the endpoint, turned on again after it was turned off for failing. */
export function enableWebhookEndpoint(id: string): Promise<WebhookEndpoint> {
  return request("POST", `/webhook-endpoints/${encodeURIComponent(id)}/enable`);
}

/** POST /webhook-endpoints/:id/test -> 202 `{eventId}`: a `webhook.test` event, sent by the worker. */
export function sendWebhookTest(id: string): Promise<{ eventId: string }> {
  return request("POST", `/webhook-endpoints/${encodeURIComponent(id)}/test`);
}

/** Sends a delivered or failed event to the endpoint again (409 delivery_pending while it is in flight). */
export function redeliverWebhook(id: string, eventId: string): Promise<{ eventId: string }> {
  return request(
    "POST",
    `/webhook-endpoints/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(eventId)}/redeliver`,
  );
}

// ---------------------------------------------------------------------------
// Web Push (the session's user's own browsers)
// ---------------------------------------------------------------------------

/** GET /push-subscriptions -> the VAPID public key (base64url) and this user's subscribed browsers. */
export function listPushDevices(): Promise<{ publicKey: string; data: PushDevice[] }> {
  return request("GET", "/push-subscriptions");
}

/** POST /push-subscriptions -> 201; the same endpoint again replaces its row. 422 limit_exceeded at 10 browsers. */
export function subscribePush(input: PushSubscriptionInput): Promise<PushDevice> {
  return request("POST", "/push-subscriptions", { body: input });
}

/** DELETE /push-subscriptions/:id -> 204; that browser gets no more notifications. */
export function removePushDevice(id: string): Promise<void> {
  return request("DELETE", `/push-subscriptions/${encodeURIComponent(id)}`);
}

// ---------------------------------------------------------------------------
// Documents, CSV export and billing details (issue 9)
// ---------------------------------------------------------------------------

/** A receipt, credit note or statement (GET /documents); amounts in minor units. */
export type BillingDocument = Schemas["Document"];
export type DocumentType = BillingDocument["type"];

/** GET/PUT /billing-details: the buyer on receipts and credit notes; null when none are saved. */
export type BillingDetails = NonNullable<Schemas["BillingDetails"]>;
export type BillingDetailsInput = Schemas["PutBillingDetailsRequest"];

/**
 * GET /documents -> a page of documents, newest first. `topupIds`: only those top-ups'
 * documents (at most 100), e.g. the receipts of the top-ups on a transactions page.
 */
export function listDocuments(
  query: { type?: DocumentType; cursor?: string | null; limit?: number; topupIds?: string[] } = {},
): Promise<Page<BillingDocument>> {
  return request("GET", "/documents", {
    query: { type: query.type, cursor: query.cursor, limit: query.limit, topupId: query.topupIds?.join(",") },
  });
}

/** Where the browser downloads a document's PDF (GET /documents/{id}/pdf, session cookie). */
export function documentPdfUrl(id: string): string {
  return `${BASE}/documents/${encodeURIComponent(id)}/pdf`;
}

/** Where the browser downloads the statement of `period` (YYYY-MM); the running month's is interim. */
export function statementPdfUrl(period: string): string {
  return `${BASE}/statements/${encodeURIComponent(period)}/pdf`;
}

/**
 * Any month's statement PDF (GET /statements/{period}/pdf), fetched whole so the page can
 * show progress and a clear error (404 `not_found` for a month the account did not have)
 * instead of navigating to an error body. No timeout: a busy month is a large file.
 * @returns the file and the name the server gives it (Content-Disposition)
 * @throws ApiError as every call
 */
export async function fetchStatementPdf(period: string): Promise<{ blob: Blob; fileName: string }> {
  let response: Response;
  try {
    response = await fetch(statementPdfUrl(period), { credentials: "same-origin" });
  } catch {
    throw new ApiError("network_error", "Could not reach the server.", 0);
  }
  if (!response.ok) {
    if (response.status === 401) onUnauthenticated?.();
    throw toApiError(response, await response.json().catch(() => undefined));
  }
  const fileName = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? `statement-${period}.pdf`;
  return { blob: await response.blob(), fileName };
}

/**
 * The CSV export (GET /transactions.csv) of the same filters as GET /transactions; German
 * gets semicolons and decimal commas (delimiter=semicolon&locale=de) for spreadsheet apps.
 */
export function transactionsCsvUrl(
  filters: { type?: string; from?: string; to?: string; q?: string },
  language: string,
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  if (language === "de") {
    params.set("delimiter", "semicolon");
    params.set("locale", "de");
  }
  const qs = params.toString();
  return `${BASE}/transactions.csv${qs ? `?${qs}` : ""}`;
}

/** GET /billing-details -> the saved details, or null (owners and admins; 403 forbidden otherwise). */
export function getBillingDetails(): Promise<BillingDetails | null> {
  return request("GET", "/billing-details");
}

/** PUT /billing-details -> the saved details; 400 validation_error names the fields (details[].field). */
export function putBillingDetails(input: BillingDetailsInput): Promise<BillingDetails> {
  return request("PUT", "/billing-details", { body: input });
}

// ---------------------------------------------------------------------------
// Team members, invitations, account switching and settings (issue 12)
// ---------------------------------------------------------------------------

export type Member = Schemas["Member"];
export type Invitation = Schemas["Invitation"];
export type InvitationPreview = Schemas["InvitationPreview"];
/** An account the user belongs to (GET /me `accounts`). */
export type Membership = Schemas["Membership"];
export type AccountSettings = Schemas["AccountSettings"];
export type SignupFromInvitation = NonNullable<Schemas["AcceptInvitationRequest"]["signup"]>;

/** GET /members -> members (owners first) and pending invitations. */
export function listMembers(): Promise<{ members: Member[]; invitations: Invitation[] }> {
  return request("GET", "/members");
}

/** POST /members/invitations -> the invitation; the link goes by email. 403 forbidden, 409 already_member. */
export function inviteMember(input: { email: string; role: AccountRole }): Promise<Invitation> {
  return request("POST", "/members/invitations", { body: input });
}

/** DELETE /members/invitations/{id} -> 204; the link stops working. */
export function revokeInvitation(id: string): Promise<void> {
  return request("DELETE", `/members/invitations/${encodeURIComponent(id)}`);
}

/** PATCH /members/{userId} -> the member. 409 last_owner. */
export function changeMemberRole(userId: string, role: AccountRole): Promise<Member> {
  return request("PATCH", `/members/${encodeURIComponent(userId)}`, { body: { role } });
}

/** DELETE /members/{userId} -> 204 (your own id: leave). 409 last_owner. */
export function removeMember(userId: string): Promise<void> {
  return request("DELETE", `/members/${encodeURIComponent(userId)}`);
}

/** GET /invitations/{token} -> what the link offers; 404 once used, revoked or expired. No session needed. */
export function getInvitation(token: string): Promise<InvitationPreview> {
  return request("GET", `/invitations/${encodeURIComponent(token)}`, { quiet401: true });
}

/**
 * POST /invitations/{token}/accept -> Session on the joined account: as the logged-in user,
 * or, with `signup`, as a new user (sets the session cookie). 403 invitation_email_mismatch.
 */
export function acceptInvitation(token: string, signup?: SignupFromInvitation): Promise<Session> {
  return request("POST", `/invitations/${encodeURIComponent(token)}/accept`, { body: signup ? { signup } : {}, quiet401: true });
}

/** PUT /me/account -> Session acting on `accountId` (one of Session.accounts). */
export function switchAccount(accountId: string): Promise<Session> {
  return request("PUT", "/me/account", { body: { accountId } });
}

/** GET /account -> name, currency (fixed once money moved), status, balance. */
export function getAccountSettings(): Promise<AccountSettings> {
  return request("GET", "/account");
}

/** PATCH /account -> saved settings (owners and admins). 409 currency_locked. */
export function updateAccountSettings(input: { name?: string; currency?: string }): Promise<AccountSettings> {
  return request("PATCH", "/account", { body: input });
}

/** POST /account/close -> the closed account (owners). 409 account_not_empty (details: balance, held, currency). */
export function closeAccount(): Promise<AccountSettings> {
  return request("POST", "/account/close");
}
