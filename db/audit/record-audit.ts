import type { Queryable } from "../client";
import { newId } from "../ids";

/** One audited change: who (`api_key`, `operator:<id>`, `user:<id>`), what (`meter.created`, ...), on which object. */
export interface AuditRecord {
  actor: string;
  action: string;
  targetId: string;
  /** The object's API shape before the change (null when created) and after it. */
  before: unknown;
  after: unknown;
  requestId?: string | null;
}

/**
 * Appends one row to `audit_log` on `q`: call it on the transaction that makes the change,
 * so the change and its audit commit together or not at all (shared/STYLE.md, openstatus).
 */
export async function recordAudit(q: Queryable, record: AuditRecord): Promise<void> {
  await q`
    INSERT INTO audit_log (id, actor, action, target_id, before, after, request_id)
    VALUES (${newId("aud")}, ${record.actor}, ${record.action}, ${record.targetId},
            ${record.before === null ? null : q.json(record.before as never)}::jsonb,
            ${record.after === null ? null : q.json(record.after as never)}::jsonb, ${record.requestId ?? null})`;
}
