/**
 * The only module of the portal that talks to the server. Every call is a
 * same-origin fetch to /api/v1/... carrying the session cookie; every failure
 * becomes an `ApiError` with the server's `code`, `message` and HTTP `status`
 * (status 0 and code "network_error" when the server could not be reached).
 *
 * Amounts are integers in minor units, as on the wire.
 */

import type { components, paths } from "./api-types";

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

/** POST /auth/login -> Session; sets the session cookie. 401 invalid_credentials. */
export function login(input: Schemas["LoginRequest"]): Promise<Session> {
  return request("POST", "/auth/login", { body: input, quiet401: true });
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

// ---------------------------------------------------------------------------
// Balance, transactions, live events
// ---------------------------------------------------------------------------

/** PUT /me/locale -> the language of this user's emails and push messages. */
export function saveLocale(locale: "en" | "de"): Promise<Session> {
  return request("PUT", "/me/locale", { body: { locale } });
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
    },
  });
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
export function transactionsCsvUrl(filters: { type?: string; from?: string; to?: string }, language: string): string {
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
