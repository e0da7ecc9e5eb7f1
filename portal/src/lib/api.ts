/**
 * The only module of the portal that talks to the server. Every call is a
 * same-origin fetch to /api/v1/... carrying the session cookie; every failure
 * becomes an `ApiError` with the server's `code`, `message` and HTTP `status`
 * (status 0 and code "network_error" when the server could not be reached).
 *
 * Amounts are integers in minor units, as on the wire.
 */

const BASE = "/api/v1";

/** Upper bound for one request, so a hung server never leaves a spinner forever. */
const REQUEST_TIMEOUT_MS = 20_000;

// ---------------------------------------------------------------------------
// Types (mirror the API contract)
// ---------------------------------------------------------------------------

export interface User {
  id: string;
  email: string;
  name: string;
}

export type AccountRole = "owner" | "admin" | "viewer";
export type AccountStatus = "active" | "suspended" | "closed";

export interface Account {
  id: string;
  name: string;
  currency: string;
  role: AccountRole | string;
  status: AccountStatus | string;
}

/** Response of signup, login and GET /me. */
export interface Session {
  user: User;
  account: Account;
}

export interface Balance {
  accountId: string;
  currency: string;
  balance: number;
  held: number;
  available: number;
  overdraftLimit: number;
  sequence: number;
  status: AccountStatus | string;
}

export type LedgerEntryType =
  | "topup"
  | "usage"
  | "promotion"
  | "adjustment"
  | "refund"
  | "capture"
  | (string & {});

export interface LedgerEntry {
  id: string;
  accountId: string;
  type: LedgerEntryType;
  /** Signed minor units: credit > 0, debit < 0. */
  amount: number;
  balanceAfter: number;
  sequence: number;
  currency: string;
  idempotencyKey: string | null;
  externalRef: string | null;
  description: string | null;
  metadata: Record<string, string> | null;
  createdAt: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface TransactionQuery {
  /** 1..100 */
  limit?: number;
  cursor?: string | null;
  type?: LedgerEntryType;
  /** ISO 8601 timestamps. */
  from?: string;
  to?: string;
}

export type TopupStatus = "pending" | "succeeded" | "failed" | "canceled" | "expired";

export interface Topup {
  id: string;
  amount: number;
  currency: string;
  status: TopupStatus;
  createdAt?: string;
  settledAt?: string | null;
}

export interface CreatedTopup extends Topup {
  checkoutUrl: string;
}

/** A one-click top-up: settled (or failed, or waiting for authentication) before the call returns. */
export interface ChargedTopup extends Topup {
  failureReason: string | null;
  actionUrl: string | null;
}

/** A card saved by checkout for one-click and auto top-ups. */
export interface PaymentMethod {
  id: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  isDefault: boolean;
  createdAt: string;
}

/** GET/PUT /auto-topup. Amounts in minor units; times ISO 8601. */
export interface AutoTopupSettings {
  enabled: boolean;
  threshold: number;
  amount: number | null;
  targetBalance: number | null;
  paymentMethodId: string | null;
  cooldownMinutes: number;
  monthlyCap: number | null;
  consecutiveFailures: number;
  disabledReason: string | null;
  actionUrl: string | null;
  lastAttemptAt: string | null;
  lastResult: "succeeded" | "failed" | "requires_action" | "skipped" | null;
  lastReason: string | null;
  nextEligibleAt: string | null;
}

export type AutoTopupInput = Pick<AutoTopupSettings, "enabled" | "threshold" | "amount" | "targetBalance" | "paymentMethodId" | "cooldownMinutes" | "monthlyCap">;

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

export type ApiKeyScope = "usage:write" | "balance:read" | (string & {});

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey extends ApiKey {
  /** Shown once; the server keeps only a hash. */
  secret: string;
}

/** First event on the stream. */
export interface SnapshotEvent {
  accountId: string;
  currency: string;
  balance: number;
  held: number;
  available: number;
  sequence: number;
}

/** One committed balance change; `sequence` is the account's gap-free sequence. */
export interface BalanceEvent extends SnapshotEvent {
  entry: LedgerEntry;
  committedAtMs: number;
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/** A failed API call: `code` from the error body, `status` the HTTP status (0 = network). */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly requestId: string | undefined;

  constructor(code: string, message: string, status: number, requestId?: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
    this.requestId = requestId;
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

interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | null | undefined>;
  /** Do not call the unauthenticated handler on 401 (login, signup, me). */
  quiet401?: boolean;
  /** The `fetch` of a SvelteKit load function, when called from one. */
  fetch?: typeof fetch;
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
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
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }

  if (!response.ok) {
    const error = (json as { error?: { code?: unknown; message?: unknown; requestId?: unknown } } | null)
      ?.error;
    const apiError = new ApiError(
      typeof error?.code === "string" ? error.code : `http_${response.status}`,
      typeof error?.message === "string" ? error.message : response.statusText || "Request failed",
      response.status,
      typeof error?.requestId === "string" ? error.requestId : undefined,
    );
    if (response.status === 401 && !options.quiet401) onUnauthenticated?.();
    throw apiError;
  }

  if (json === null) {
    throw new ApiError("invalid_response", "The server sent an unreadable response.", response.status);
  }
  return json as T;
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

export interface SignupInput {
  email: string;
  password: string;
  name: string;
  currency?: string;
}

/** POST /auth/signup -> 201 Session; sets the session cookie. 409 email_taken. */
export function signup(input: SignupInput): Promise<Session> {
  return request("POST", "/auth/signup", { body: input, quiet401: true });
}

/** POST /auth/login -> Session; sets the session cookie. 401 invalid_credentials. */
export function login(input: { email: string; password: string }): Promise<Session> {
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

// ---------------------------------------------------------------------------
// Balance, transactions, live events
// ---------------------------------------------------------------------------

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
export function createTopup(amountMinor: number, idempotencyKey: string): Promise<CreatedTopup> {
  return request("POST", "/topups", {
    body: { amount: amountMinor },
    headers: { "Idempotency-Key": idempotencyKey },
  });
}

/** GET /topups/:id -> the top-up and its status. */
/** One-click top-up: charges a saved card ("default" or its id) off-session, no redirect. */
export function chargeSavedCard(amountMinor: number, paymentMethodId: string, idempotencyKey: string): Promise<ChargedTopup> {
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

export function getTopup(id: string): Promise<Topup> {
  return request("GET", `/topups/${encodeURIComponent(id)}`);
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
