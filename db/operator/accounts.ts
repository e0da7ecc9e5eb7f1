import type { Queryable } from "../client";

/** How the operator's account list is ordered: newest first, balance (lowest or highest first), latest activity first. */
export type AccountSort = "created" | "balance" | "-balance" | "last_activity";

/** The health of an account's auto top-up, for the list filter and the account page. */
export type AutoTopupHealth = "off" | "ok" | "failing" | "disabled_after_failures";

/** One customer account in the operator's list. Amounts in minor units of `currency`. */
export interface AccountSummary {
  id: string;
  name: string;
  currency: string;
  balance: number;
  held: number;
  /** balance - held. */
  available: number;
  overdraftLimit: number;
  status: "active" | "suspended" | "closed";
  suspendedReason: "operator" | "non_payment" | null;
  /** The first owner's email (null for an account without members). */
  ownerEmail: string | null;
  createdAt: string;
  /** The account row's last change: a ledger entry, a status or overdraft change (ISO 8601). */
  lastActivityAt: string;
}

export interface AccountListFilter {
  /** Name or member email (substring, case-insensitive), account id, or id prefix. */
  q?: string;
  status?: AccountSummary["status"];
  belowZero?: boolean;
  autoTopup?: Extract<AutoTopupHealth, "failing" | "disabled_after_failures">;
  /** Only accounts with a webhook endpoint turned off after failing deliveries. */
  webhookDisabled?: boolean;
  sort: AccountSort;
  /** The sort key of the previous page's last row: [value, id] (value: timestamptz text or balance). */
  after?: [string | number, string];
  /** Rows per page, 1-100. */
  limit: number;
}

interface SummaryRow {
  id: string;
  name: string;
  currency: string;
  balance: number;
  held: number;
  overdraft_limit: number;
  status: AccountSummary["status"];
  suspended_reason: AccountSummary["suspendedReason"];
  owner_email: string | null;
  created_at: Date;
  updated_at: Date;
  sort_key: string | number;
}

const toSummary = (r: SummaryRow): AccountSummary => ({
  id: r.id,
  name: r.name,
  currency: r.currency,
  balance: r.balance,
  held: r.held,
  available: r.balance - r.held,
  overdraftLimit: r.overdraft_limit,
  status: r.status,
  suspendedReason: r.suspended_reason,
  ownerEmail: r.owner_email,
  createdAt: r.created_at.toISOString(),
  lastActivityAt: r.updated_at.toISOString(),
});

/** `s` as a LIKE pattern that matches it literally (\, % and _ escaped). */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/**
 * One page of customer accounts for the operator console. Search (`q`) collects candidate
 * ids from three index-backed probes (trigram GIN on accounts.name and users.email, btree
 * text_pattern_ops on accounts.id for exact id and prefix), so it stays fast with 100 000
 * accounts (`npm run bench:operator`); filters and the keyset sort run on those candidates.
 * Sorting by balance or activity without `q` reads every customer row (no index on columns
 * each posting changes: see db/schema/accounts.ts).
 * @returns the page and the key to continue after (null on the last page)
 */
export async function listAccounts(
  q: Queryable,
  f: AccountListFilter,
): Promise<{ data: AccountSummary[]; next: [string | number, string] | null }> {
  const key = {
    created: q`a.created_at`,
    balance: q`a.balance`,
    "-balance": q`a.balance`,
    last_activity: q`a.updated_at`,
  }[f.sort];
  const descending = f.sort !== "balance";
  const keyText = f.sort === "balance" || f.sort === "-balance" ? key : q`${key}::text`;
  const after = f.after
    ? f.sort === "balance" || f.sort === "-balance"
      ? descending
        ? q`AND (a.balance, a.id) < (${Number(f.after[0])}::bigint, ${f.after[1]})`
        : q`AND (a.balance, a.id) > (${Number(f.after[0])}::bigint, ${f.after[1]})`
      : q`AND (${key}, a.id) < (${String(f.after[0])}::timestamptz, ${f.after[1]})`
    : q``;
  const pattern = f.q ? `%${likeLiteral(f.q)}%` : null;
  const search = f.q
    ? q`AND a.id IN (
          SELECT id FROM accounts WHERE kind = 'customer' AND (name ILIKE ${pattern} OR id LIKE ${likeLiteral(f.q) + "%"})
          UNION
          SELECT m.account_id FROM users u JOIN account_members m ON m.user_id = u.id WHERE u.email ILIKE ${pattern})`
    : q``;
  const rows = await q<SummaryRow[]>`
    SELECT a.id, a.name, a.currency, a.balance, a.held, a.overdraft_limit, a.status, a.suspended_reason,
           a.created_at, a.updated_at, ${keyText} AS sort_key,
           (SELECT u.email FROM account_members m JOIN users u ON u.id = m.user_id
             WHERE m.account_id = a.id ORDER BY (m.role = 'owner') DESC, m.created_at LIMIT 1) AS owner_email
      FROM accounts a
     WHERE a.kind = 'customer'
       ${search}
       ${f.status ? q`AND a.status = ${f.status}` : q``}
       ${f.belowZero ? q`AND a.balance < 0` : q``}
       ${f.autoTopup === "failing" ? q`AND EXISTS (SELECT 1 FROM auto_topup_settings s WHERE s.account_id = a.id AND s.enabled AND s.consecutive_failures > 0)` : q``}
       ${f.autoTopup === "disabled_after_failures" ? q`AND EXISTS (SELECT 1 FROM auto_topup_settings s WHERE s.account_id = a.id AND NOT s.enabled AND s.disabled_reason IS NOT NULL)` : q``}
       ${f.webhookDisabled ? q`AND EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.account_id = a.id AND w.disabled_at IS NOT NULL)` : q``}
       ${after}
     ORDER BY ${key} ${descending ? q`DESC` : q`ASC`}, a.id ${descending ? q`DESC` : q`ASC`}
     LIMIT ${f.limit + 1}`;
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return { data: page.map(toSummary), next: rows.length > f.limit && last ? [last.sort_key, last.id] : null };
}

/** Everything the console's account page shows (GET /operator/accounts/{id}). */
export interface AccountDetail extends AccountSummary {
  members: { userId: string; email: string; name: string; role: "owner" | "admin" | "viewer" }[];
  autoTopup: {
    enabled: boolean;
    threshold: number;
    amount: number | null;
    targetBalance: number | null;
    paymentMethodId: string | null;
    cooldownMinutes: number;
    monthlyCap: number | null;
    consecutiveFailures: number;
    disabledReason: string | null;
    lastAttemptAt: string | null;
    lastResult: string | null;
    lastReason: string | null;
    health: AutoTopupHealth;
  } | null;
  paymentMethods: { id: string; brand: string; last4: string; expMonth: number; expYear: number; isDefault: boolean }[];
  webhookEndpoints: {
    id: string;
    url: string;
    enabledEvents: string[];
    createdAt: string;
    disabledAt: string | null;
    disabledReason: string | null;
    /** Deliveries of the last 7 days that failed for good / are still being retried. */
    failedDeliveries7d: number;
    pendingDeliveries: number;
    lastDeliveredAt: string | null;
  }[];
  recentDocuments: { id: string; type: string; number: string; issuedAt: string; currency: string; amount: number }[];
}

/** Documents listed on the account page: the latest 10. */
const RECENT_DOCUMENTS = 10;

/** The health of an auto top-up settings row (see AutoTopupHealth). */
export function autoTopupHealth(s: { enabled: boolean; consecutive_failures: number; disabled_reason: string | null }): AutoTopupHealth {
  if (!s.enabled) return s.disabled_reason ? "disabled_after_failures" : "off";
  return s.consecutive_failures > 0 ? "failing" : "ok";
}

/**
 * One customer account with its members, auto top-up (and its health), saved cards (brand
 * and last 4 only), webhook endpoints (and their delivery health) and latest documents.
 * @returns null for an unknown id or a system account
 */
export async function getAccountDetail(q: Queryable, accountId: string): Promise<AccountDetail | null> {
  const [row] = await q<SummaryRow[]>`
    SELECT a.id, a.name, a.currency, a.balance, a.held, a.overdraft_limit, a.status, a.suspended_reason,
           a.created_at, a.updated_at, a.id AS sort_key,
           (SELECT u.email FROM account_members m JOIN users u ON u.id = m.user_id
             WHERE m.account_id = a.id ORDER BY (m.role = 'owner') DESC, m.created_at LIMIT 1) AS owner_email
      FROM accounts a WHERE a.id = ${accountId} AND a.kind = 'customer'`;
  if (!row) return null;
  const [members, settings, cards, endpoints, documents] = await Promise.all([
    q<{ user_id: string; email: string; name: string; role: "owner" | "admin" | "viewer" }[]>`
      SELECT m.user_id, u.email, u.name, m.role FROM account_members m JOIN users u ON u.id = m.user_id
       WHERE m.account_id = ${accountId} ORDER BY m.created_at, u.email`,
    q<{
      enabled: boolean; threshold: number; amount: number | null; target_balance: number | null; payment_method_id: string | null;
      cooldown_minutes: number; monthly_cap: number | null; consecutive_failures: number; disabled_reason: string | null;
      last_attempt_at: Date | null; last_result: string | null; last_reason: string | null;
    }[]>`
      SELECT enabled, threshold, amount, target_balance, payment_method_id, cooldown_minutes, monthly_cap,
             consecutive_failures, disabled_reason, last_attempt_at, last_result, last_reason
        FROM auto_topup_settings WHERE account_id = ${accountId}`,
    q<{ id: string; brand: string; last4: string; exp_month: number; exp_year: number; is_default: boolean }[]>`
      SELECT id, brand, last4, exp_month, exp_year, is_default FROM payment_methods
       WHERE account_id = ${accountId} ORDER BY created_at DESC`,
    q<{
      id: string; url: string; enabled_events: string[]; created_at: Date; disabled_at: Date | null; disabled_reason: string | null;
      failed: number; pending: number; last_delivered_at: Date | null;
    }[]>`
      SELECT w.id, w.url, w.enabled_events, w.created_at, w.disabled_at, w.disabled_reason,
             (SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = w.id AND d.status = 'failed'
                AND d.created_at > now() - interval '7 days')::int AS failed,
             (SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = w.id AND d.status = 'pending')::int AS pending,
             (SELECT max(d.delivered_at) FROM webhook_deliveries d WHERE d.endpoint_id = w.id) AS last_delivered_at
        FROM webhook_endpoints w WHERE w.account_id = ${accountId} ORDER BY w.created_at DESC`,
    q<{ id: string; type: string; number: string; issued_at: Date; currency: string; amount: number }[]>`
      SELECT id, type, number, issued_at, currency, amount FROM documents
       WHERE account_id = ${accountId} ORDER BY issued_at DESC, id DESC LIMIT ${RECENT_DOCUMENTS}`,
  ]);
  const s = settings[0];
  return {
    ...toSummary(row),
    members: members.map((m) => ({ userId: m.user_id, email: m.email, name: m.name, role: m.role })),
    autoTopup: s
      ? {
          enabled: s.enabled,
          threshold: s.threshold,
          amount: s.amount,
          targetBalance: s.target_balance,
          paymentMethodId: s.payment_method_id,
          cooldownMinutes: s.cooldown_minutes,
          monthlyCap: s.monthly_cap,
          consecutiveFailures: s.consecutive_failures,
          disabledReason: s.disabled_reason,
          lastAttemptAt: s.last_attempt_at?.toISOString() ?? null,
          lastResult: s.last_result,
          lastReason: s.last_reason,
          health: autoTopupHealth(s),
        }
      : null,
    paymentMethods: cards.map((p) => ({
      id: p.id,
      brand: p.brand,
      last4: p.last4,
      expMonth: p.exp_month,
      expYear: p.exp_year,
      isDefault: p.is_default,
    })),
    webhookEndpoints: endpoints.map((w) => ({
      id: w.id,
      url: w.url,
      enabledEvents: w.enabled_events,
      createdAt: w.created_at.toISOString(),
      disabledAt: w.disabled_at?.toISOString() ?? null,
      disabledReason: w.disabled_reason,
      failedDeliveries7d: w.failed,
      pendingDeliveries: w.pending,
      lastDeliveredAt: w.last_delivered_at?.toISOString() ?? null,
    })),
    recentDocuments: documents.map((d) => ({
      id: d.id,
      type: d.type,
      number: d.number,
      issuedAt: d.issued_at.toISOString(),
      currency: d.currency,
      amount: d.amount,
    })),
  };
}
