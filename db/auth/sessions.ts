import type { Queryable, Sql } from "../client";
import { recordAudit } from "../audit/record-audit";

/** One portal session of a user, as the sessions list shows it. */
export interface SessionRow {
  publicId: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  /** The session of the request asking. */
  current: boolean;
}

/** The user's unexpired sessions, most recently seen first; `currentId` is the asking session's id (token hash). */
export async function listSessions(q: Queryable, userId: string, currentId: string): Promise<SessionRow[]> {
  const rows = await q<
    {
      public_id: string;
      user_agent: string | null;
      ip: string | null;
      created_at: Date;
      last_seen_at: Date;
      current: boolean;
    }[]
  >`
    SELECT public_id, user_agent, ip, created_at, last_seen_at, id = ${currentId} AS current
      FROM sessions WHERE user_id = ${userId} AND expires_at > now()
     ORDER BY last_seen_at DESC, created_at DESC`;
  return rows.map((r) => ({
    publicId: r.public_id,
    userAgent: r.user_agent,
    ip: r.ip,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    current: r.current,
  }));
}

/**
 * Ends the user's sessions: the one with `publicId`, or, with `allBut`, every one except
 * the asking session (token hash). Another user's session id matches nothing. Audited as
 * `session.ended` / `session.ended_others` when anything ended.
 * @returns how many sessions ended
 */
export async function endUserSessions(
  sql: Sql,
  input: { userId: string; requestId?: string | null } & (
    { publicId: string; allBut?: never } | { allBut: string; publicId?: never }
  ),
): Promise<number> {
  return sql.begin(async (tx) => {
    const ended = await tx<{ public_id: string }[]>`
      DELETE FROM sessions
       WHERE user_id = ${input.userId}
         AND (${input.publicId ?? null}::text IS NULL OR public_id = ${input.publicId ?? null})
         AND (${input.allBut ?? null}::text IS NULL OR id <> ${input.allBut ?? null})
      RETURNING public_id`;
    if (ended.length > 0) {
      await recordAudit(tx, {
        actor: `user:${input.userId}`,
        action: input.publicId ? "session.ended" : "session.ended_others",
        targetId: input.publicId ?? input.userId,
        before: { sessions: ended.map((s) => s.public_id) },
        after: null,
        requestId: input.requestId,
      });
    }
    return ended.length;
  });
}
