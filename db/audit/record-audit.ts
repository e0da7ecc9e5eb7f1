import type { Queryable } from "../client";
import { newId } from "../ids";

/** Who made a change, as recorded with it: actor, request id and client IP. */
export interface AuditBy {
  /** `api_key`, `operator:<id>` or `user:<id>`. */
  actor: string;
  requestId?: string | null;
  /** The client IP (server/client-ip.ts); null outside a request. */
  ip?: string | null;
}

/** One audited change: who (`api_key`, `operator:<id>`, `user:<id>`), what (`meter.created`, ...), on which object. */
export interface AuditRecord extends AuditBy {
  action: string;
  targetId: string;
  /** The object's API shape before the change (null when created) and after it. */
  before: unknown;
  after: unknown;
}

/**
 * Appends one row to `audit_log` on `q`: call it on the transaction that makes the change,
 * so the change and its audit commit together or not at all (shared/STYLE.md, openstatus).
 */
export async function recordAudit(q: Queryable, record: AuditRecord): Promise<void> {
  await q`
    INSERT INTO audit_log (id, actor, action, target_id, before, after, request_id, ip)
    VALUES (${newId("aud")}, ${record.actor}, ${record.action}, ${record.targetId},
            ${record.before === null ? null : q.json(record.before as never)}::jsonb,
            ${record.after === null ? null : q.json(record.after as never)}::jsonb, ${record.requestId ?? null}, ${record.ip ?? null})`;
}
