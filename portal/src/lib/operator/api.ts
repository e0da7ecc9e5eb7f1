/**
 * The operator console's calls (shared/DESIGN.md, "Operator console"): the same transport as
 * the customer portal (`request` in ../api.ts: JSON, cookie, timeout, ApiError), on the
 * operator routes. The operator's session cookie is separate from a customer's; a 401 sends
 * the console to /operator/login (the console layout registers the handler).
 *
 * Amounts are integers in minor units, as on the wire.
 */
import { newIdempotencyKey, request, type LedgerEntry, type Page, type TransactionQuery } from "../api";
import type { components, paths } from "../api-types";

type Schemas = components["schemas"];

export type OperatorAccountSummary = Schemas["OperatorAccountSummary"];
export type OperatorAccount = Schemas["OperatorAccount"];
export type AuditEntry = Schemas["AuditEntry"];
export type RevenueRow = Schemas["RevenueAnalytics"]["data"][number];
export type LiabilityRow = Schemas["LiabilityAnalytics"]["data"][number];
export type TopAccountRow = Schemas["TopAccounts"]["data"][number];
export type OperatorTopup = Schemas["OperatorTopup"];
export type Refund = Schemas["Refund"];
export type Meter = Schemas["Meter"];
export type MeterPrice = Schemas["MeterPrice"];
export type OperatorUser = Schemas["OperatorUser"];
export type { OperatorMe } from "../api";

/**
 * GET /operator/accounts filters: q (name, member email, id or id prefix), status, belowZero,
 * autoTopup (failing | disabled_after_failures), webhookDisabled, sort (created, balance = lowest
 * first, -balance, last_activity).
 */
export type AccountQuery = Omit<NonNullable<paths["/operator/accounts"]["get"]["parameters"]["query"]>, "cursor"> & {
  cursor?: string | null;
};

/** GET /operator/accounts -> a cursor page of account summaries. */
export function listAccounts(query: AccountQuery): Promise<{ data: OperatorAccountSummary[]; nextCursor: string | null }> {
  return request("GET", "/operator/accounts", { query: { ...query } });
}

/** GET /operator/accounts/{id}: balance, members, auto top-up health, cards, endpoints, documents. 404 not_found. */
export function getAccount(id: string): Promise<OperatorAccount> {
  return request("GET", `/operator/accounts/${encodeURIComponent(id)}`);
}

/** GET /operator/accounts/{id}/transactions: the account's ledger, newest first. */
export function listAccountTransactions(id: string, query: TransactionQuery = {}): Promise<Page<LedgerEntry>> {
  return request("GET", `/operator/accounts/${encodeURIComponent(id)}/transactions`, { query: { ...query } });
}

/** The console's live stream of one account (the protocol of GET /events). */
export function openAccountStream(id: string): EventSource {
  return new EventSource(`/api/v1/operator/accounts/${encodeURIComponent(id)}/events`, { withCredentials: true });
}

/** GET /operator/accounts/{id}/topups: the latest 100 with what is refundable now. */
export async function listAccountTopups(id: string): Promise<OperatorTopup[]> {
  return (await request<{ data: OperatorTopup[] }>("GET", `/operator/accounts/${encodeURIComponent(id)}/topups`)).data;
}

/** POST /operator/accounts/{id}/adjustments (one Idempotency-Key per submitted form): a credit (> 0) or debit (< 0) with a reason. */
export function createAdjustment(
  id: string,
  input: { amount: number; type: "adjustment" | "promotion"; reason: string },
  idempotencyKey: string = newIdempotencyKey(),
): Promise<Schemas["AdjustmentResult"]> {
  return request("POST", `/operator/accounts/${encodeURIComponent(id)}/adjustments`, {
    body: input,
    headers: { "Idempotency-Key": idempotencyKey },
  });
}

/** POST /operator/topups/{id}/refunds: refunds unused balance (all that is refundable without an amount). */
export function refundTopup(topupId: string, amount?: number, idempotencyKey: string = newIdempotencyKey()): Promise<Refund> {
  return request("POST", `/operator/topups/${encodeURIComponent(topupId)}/refunds`, {
    body: amount === undefined ? {} : { amount },
    headers: { "Idempotency-Key": idempotencyKey },
  });
}

/** POST /operator/accounts/{id}/suspend | reactivate. */
export function setAccountStatus(id: string, action: "suspend" | "reactivate"): Promise<Schemas["AccountStatus"]> {
  return request("POST", `/operator/accounts/${encodeURIComponent(id)}/${action}`, action === "suspend" ? { body: { reason: "operator" } } : {});
}

/** PUT /operator/accounts/{id}/overdraft (minor units; 422 overdraft_in_use below what is in use). */
export function setOverdraft(id: string, overdraftLimit: number): Promise<Schemas["OverdraftLimit"]> {
  return request("PUT", `/operator/accounts/${encodeURIComponent(id)}/overdraft`, { body: { overdraftLimit } });
}

/** GET /operator/audit-log?targetId&actor&action&cursor, newest first. */
export function listAuditLog(query: { targetId?: string; actor?: string; action?: string; cursor?: string | null }): Promise<{
  data: AuditEntry[];
  nextCursor: string | null;
}> {
  return request("GET", "/operator/audit-log", { query: { ...query } });
}

/** GET /operator/analytics/revenue (from inclusive, to exclusive, YYYY-MM-DD UTC days): collected, refunded, disputed, usage, adjustments, promotions, net per interval. */
export async function getRevenue(query: { from: string; to: string; interval: "day" | "month"; currency: string }): Promise<RevenueRow[]> {
  return (await request<{ data: RevenueRow[] }>("GET", "/operator/analytics/revenue", { query })).data;
}

/** GET /operator/analytics/liability: customer balances per currency (prepaid money owed as service). */
export async function getLiability(query: { from?: string; to?: string } = {}): Promise<LiabilityRow[]> {
  return (await request<{ data: LiabilityRow[] }>("GET", "/operator/analytics/liability", { query })).data;
}

/** GET /operator/analytics/top-accounts?metric=usage|topups&from&to. */
export async function getTopAccounts(query: { metric: "usage" | "topups"; from: string; to: string }): Promise<TopAccountRow[]> {
  return (await request<{ data: TopAccountRow[] }>("GET", "/operator/analytics/top-accounts", { query })).data;
}

/** GET /operator/meters: every meter with all its price versions. */
export async function listMeters(): Promise<Meter[]> {
  return (await request<{ data: Meter[] }>("GET", "/operator/meters")).data;
}

/** POST /operator/meters {key, name, unit}; 409 when the key exists. */
export function createMeter(input: { key: string; name: string; unit: string }): Promise<Meter> {
  return request("POST", "/operator/meters", { body: input });
}

/** PATCH /operator/meters/{key}: name, unit, or status (archived meters refuse new usage). */
export function updateMeter(key: string, input: { name?: string; unit?: string; status?: "active" | "archived" }): Promise<Meter> {
  return request("PATCH", `/operator/meters/${encodeURIComponent(key)}`, { body: input });
}

/** POST /operator/meters/{key}/prices: a new price version (minor units per unit, exact decimal string). */
export function addMeterPrice(key: string, input: { currency: string; unitAmountDecimal: string; effectiveFrom?: string }): Promise<Meter> {
  return request("POST", `/operator/meters/${encodeURIComponent(key)}/prices`, { body: input });
}

/** GET /operator/users (admin): every operator with role and state. */
export async function listOperatorUsers(): Promise<OperatorUser[]> {
  return (await request<{ data: OperatorUser[] }>("GET", "/operator/users")).data;
}

/** POST /operator/users (admin) {email, role} -> the operator and a one-time set-password link. */
export function createOperatorUser(input: { email: string; role: "admin" | "support" }): Promise<Schemas["CreatedOperatorUser"]> {
  return request("POST", "/operator/users", { body: input });
}

/** PATCH /operator/users/{id} (admin): change role, disable or enable. */
export function updateOperatorUser(id: string, input: { role?: "admin" | "support"; disabled?: boolean }): Promise<OperatorUser> {
  return request("PATCH", `/operator/users/${encodeURIComponent(id)}`, { body: input });
}
