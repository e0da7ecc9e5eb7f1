import type { Queryable } from "../client";

/** One audit_log row as the API shows it (GET /operator/audit-log; shared/DESIGN.md "Operator console"). */
export interface AuditEntry {
  id: string;
  /** ISO 8601. */
  at: string;
  actor: string;
  action: string;
  targetId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
  ip: string | null;
}

export interface AuditFilter {
  targetId?: string;
  actor?: string;
  action?: string;
  /** Continue after this (at, id): the last row of the previous page. */
  after?: { at: string; id: string };
  /** Rows to return, 1-200. */
  limit: number;
}

/**
 * One page of audit rows, newest first (keyset on (at, id); indexes audit_log_target_idx,
 * audit_log_actor_idx, audit_log_action_idx and audit_log_at_idx serve each filter).
 * `next` is the key to continue after (`at` at full microsecond precision, as PostgreSQL
 * text), null on the last page.
 */
export async function listAudit(
  q: Queryable,
  filter: AuditFilter,
): Promise<{ data: AuditEntry[]; next: { at: string; id: string } | null }> {
  const rows = await q<
    {
      id: string; at: Date; at_key: string; actor: string; action: string; target_id: string;
      before: unknown; after: unknown; request_id: string | null; ip: string | null;
    }[]
  >`
    SELECT id, at, at::text AS at_key, actor, action, target_id, before, after, request_id, ip FROM audit_log
     WHERE (${filter.targetId ?? null}::text IS NULL OR target_id = ${filter.targetId ?? null})
       AND (${filter.actor ?? null}::text IS NULL OR actor = ${filter.actor ?? null})
       AND (${filter.action ?? null}::text IS NULL OR action = ${filter.action ?? null})
       ${filter.after ? q`AND (at, id) < (${filter.after.at}::timestamptz, ${filter.after.id})` : q``}
     ORDER BY at DESC, id DESC
     LIMIT ${filter.limit + 1}`;
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  const data = page.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    actor: r.actor,
    action: r.action,
    targetId: r.target_id,
    before: r.before,
    after: r.after,
    requestId: r.request_id,
    ip: r.ip,
  }));
  return { data, next: rows.length > filter.limit && last ? { at: last.at_key, id: last.id } : null };
}
