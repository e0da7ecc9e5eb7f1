import type { TestContext } from "../harness";

/** The operator API key the operator tests configure (OPERATOR_API_KEY). */
export const OPERATOR_KEY = "op_test_key_0123456789abcdefghijklmnopqrstuvwxyz";

/** A request with `Authorization: Bearer <OPERATOR_KEY>` (or `key`). */
export const asOperator = (
  ctx: TestContext,
  method: string,
  path: string,
  init: { body?: unknown; headers?: Record<string, string>; key?: string } = {},
) =>
  ctx.request(method, `/api/v1/operator/${path}`, {
    body: init.body,
    headers: { authorization: `Bearer ${init.key ?? OPERATOR_KEY}`, ...init.headers },
  });

/** The audit rows of `targetId`, oldest first, straight from the table. */
export async function auditRows(ctx: TestContext, targetId: string) {
  return ctx.deps.database.sql<
    { actor: string; action: string; before: unknown; after: unknown; request_id: string | null; ip: string | null }[]
  >`SELECT actor, action, before, after, request_id, ip FROM audit_log WHERE target_id = ${targetId} ORDER BY at, id`;
}

/**
 * Makes every audit insert for `targetId` fail (a trigger on audit_log) while `fn` runs, to
 * show that the change it audits rolls back with it.
 */
export async function withFailingAudit(ctx: TestContext, targetId: string, fn: () => Promise<void>): Promise<void> {
  const { sql } = ctx.deps.database;
  const name = `fail_audit_${targetId.replace(/[^a-z0-9]/gi, "_").toLowerCase()}`;
  await sql.unsafe(`
    CREATE FUNCTION ${name}() RETURNS trigger AS $$
    BEGIN
      IF NEW.target_id = '${targetId}' THEN RAISE EXCEPTION 'audit refused (test)'; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql;
    CREATE TRIGGER ${name} BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION ${name}();`);
  try {
    await fn();
  } finally {
    await sql.unsafe(`DROP TRIGGER ${name} ON audit_log; DROP FUNCTION ${name}();`);
  }
}
