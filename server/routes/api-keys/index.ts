import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { recordAudit, type AuditBy } from "../../../db/audit/record-audit";
import type { Queryable } from "../../../db/client";
import { newId } from "../../../db/ids";
import { spendSoFar } from "../../../db/ledger/post-entry";
import { clientIp } from "../../client-ip";
import type { AppEnv } from "../../context";
import { API_KEY_PREFIX, API_KEY_SCOPES, newSecret, sha256Hex } from "../../auth/tokens";
import { notFound } from "../../middleware/errors";
import { requireSession, sessionOf } from "../../middleware/auth";
import { createRouter } from "../router";
import { AmountMinor, errorResponses, jsonBody, jsonResponse, Id } from "../schemas";

const Limit = AmountMinor.nullable();

const KeySpendLimits = z
  .object({
    daily: Limit.openapi({ description: "Most usage this key may debit per UTC day, minor units; null = no limit." }),
    monthly: Limit.openapi({ description: "Most usage this key may debit per calendar month (UTC), minor units; null = no limit." }),
    spentToday: z.number().int().openapi({ description: "Usage this key debited today, counted since a limit was first set." }),
    spentThisMonth: z.number().int(),
  })
  .openapi("ApiKeySpendLimits");

const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: "First characters of the secret, to tell keys apart" }),
    scopes: z.array(z.enum(API_KEY_SCOPES)),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    spendLimits: KeySpendLimits.openapi({
      description: "The key's own usage limits, on top of the account's (a leaked key cannot drain the balance).",
    }),
  })
  .openapi("ApiKey");

const CreatedApiKey = ApiKeySchema.extend({
  secret: z.string().openapi({ description: "The key itself. Shown once; store it now." }),
}).openapi("CreatedApiKey");

const CreateBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).default(["usage:write", "balance:read"]),
  })
  .openapi("CreateApiKeyRequest");

const IdParam = z.object({ id: Id });

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: (typeof API_KEY_SCOPES)[number][];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  spend_limit_daily: number | null;
  spend_limit_monthly: number | null;
  spent_today: number;
  spent_this_month: number;
}
/** The api_keys columns of an ApiKeyRow, as SQL on `q` (counters of an earlier day or month read as 0). */
const columns = (q: Queryable) => {
  const spent = spendSoFar(q);
  return q`id, name, prefix, scopes, created_at, last_used_at, revoked_at, spend_limit_daily, spend_limit_monthly,
           ${spent.today} AS spent_today, ${spent.thisMonth} AS spent_this_month`;
};
const toDto = (r: ApiKeyRow) => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes,
  createdAt: r.created_at.toISOString(),
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
  revokedAt: r.revoked_at?.toISOString() ?? null,
  spendLimits: { daily: r.spend_limit_daily, monthly: r.spend_limit_monthly, spentToday: r.spent_today, spentThisMonth: r.spent_this_month },
});

const admins = requireSession(["owner", "admin"]);

/**
 * Drops a changed key (revoked, new limits) from this process's API key cache now and from
 * every other process's through the event bus (server/auth/api-key-cache.ts).
 */
function forgetKey(c: Context<AppEnv>, apiKeyId: string): void {
  c.get("deps").apiKeyCache.evict(apiKeyId);
  c.get("deps").bus.apiKeyChanged(apiKeyId);
}

const SpendLimitsBody = z.object({ daily: Limit, monthly: Limit }).strict().openapi("ApiKeySpendLimitsRequest");

/** Who changes a key, for its audit row (a portal member; the routes are session-only). */
const auditBy = (c: Context<AppEnv>): AuditBy => ({
  actor: `user:${sessionOf(c).userId}`,
  requestId: c.get("requestId"),
  ip: clientIp(c, c.get("deps").env.TRUST_PROXY === "1"),
});

export const apiKeysRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/api-keys",
      operationId: "listApiKeys",
      tags: ["api-keys"],
      summary: "List the account's API keys (secrets are never returned)",
      middleware: admins,
      responses: { 200: jsonResponse(z.object({ data: z.array(ApiKeySchema) }), "Keys") },
    }),
    async (c) => {
      const { sql } = c.get("deps").database;
      const rows = await sql<ApiKeyRow[]>`
        SELECT ${columns(sql)} FROM api_keys WHERE account_id = ${c.get("accountId")} ORDER BY created_at DESC`;
      return c.json({ data: rows.map(toDto) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/api-keys",
      operationId: "createApiKey",
      tags: ["api-keys"],
      summary: "Create an API key; the secret is in this response only (audited)",
      middleware: admins,
      request: jsonBody(CreateBody),
      responses: { 201: jsonResponse(CreatedApiKey, "Created") },
    }),
    async (c) => {
      const { name, scopes } = c.req.valid("json");
      const secret = newSecret(API_KEY_PREFIX);
      const { sql } = c.get("deps").database;
      const row = await sql.begin(async (tx) => {
        const [created] = await tx<ApiKeyRow[]>`
          INSERT INTO api_keys (id, account_id, name, prefix, key_hash, scopes)
          VALUES (${newId("key")}, ${c.get("accountId")}, ${name}, ${secret.slice(0, API_KEY_PREFIX.length + 6)},
                  ${sha256Hex(secret)}, ${scopes})
          RETURNING ${columns(tx)}`;
        await recordAudit(tx, { ...auditBy(c), action: "api_key.created", targetId: created!.id, before: null, after: toDto(created!) });
        return created!;
      });
      return c.json({ ...toDto(row), secret }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/api-keys/{id}",
      operationId: "revokeApiKey",
      tags: ["api-keys"],
      summary: "Revoke an API key (audited; it stops working at once here and within milliseconds on every other instance)",
      middleware: admins,
      request: { params: IdParam },
      responses: { 204: { description: "Revoked" }, ...errorResponses },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await c.get("deps").database.sql.begin(async (tx) => {
        const [before] = await tx<ApiKeyRow[]>`
          SELECT ${columns(tx)} FROM api_keys WHERE id = ${id} AND account_id = ${c.get("accountId")} FOR UPDATE`;
        if (!before) throw notFound("API key");
        if (before.revoked_at) return; // revoked already: nothing changes, nothing to audit
        const [after] = await tx<ApiKeyRow[]>`UPDATE api_keys SET revoked_at = now() WHERE id = ${id} RETURNING ${columns(tx)}`;
        await recordAudit(tx, { ...auditBy(c), action: "api_key.revoked", targetId: id, before: toDto(before), after: toDto(after!) });
      });
      forgetKey(c, id);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/api-keys/{id}/spend-limits",
      operationId: "setApiKeySpendLimits",
      tags: ["api-keys"],
      summary: "Set an API key's own daily and monthly usage limits (owner, admin; audited)",
      description:
        "Usage sent with this key beyond either limit is refused with 402 spend_limit_exceeded (details.scope " +
        "\"api_key\") and nothing is debited, exact under concurrency; the account's own limits (PUT /spend-limits) " +
        "apply as well. The key counts its usage from when it first gets a limit. Takes effect at once here, within " +
        "milliseconds on every other instance (broadcast over the event bus). null removes a limit.",
      middleware: admins,
      request: { params: IdParam, ...jsonBody(SpendLimitsBody) },
      responses: { 200: jsonResponse(ApiKeySchema, "The key with its new limits"), ...errorResponses },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { daily, monthly } = c.req.valid("json");
      const row = await c.get("deps").database.sql.begin(async (tx) => {
        const [before] = await tx<ApiKeyRow[]>`
          SELECT ${columns(tx)} FROM api_keys
           WHERE id = ${id} AND account_id = ${c.get("accountId")} AND revoked_at IS NULL FOR UPDATE`;
        if (!before) throw notFound("API key");
        const [after] = await tx<ApiKeyRow[]>`
          UPDATE api_keys SET spend_limit_daily = ${daily}, spend_limit_monthly = ${monthly} WHERE id = ${id}
          RETURNING ${columns(tx)}`;
        await recordAudit(tx, { ...auditBy(c), action: "api_key.spend_limits_updated", targetId: id, before: toDto(before), after: toDto(after!) });
        return after!;
      });
      forgetKey(c, id); // its usage takes the limited path from the next request
      return c.json(toDto(row), 200);
    },
  );
