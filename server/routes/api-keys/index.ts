import { createRoute, z } from "@hono/zod-openapi";
import { newId } from "../../../db/ids";
import { API_KEY_PREFIX, API_KEY_SCOPES, newSecret, sha256Hex } from "../../auth/tokens";
import { notFound } from "../../middleware/errors";
import { requireSession } from "../../middleware/auth";
import { createRouter } from "../router";
import { errorResponses, jsonBody, jsonResponse, Id } from "../schemas";

const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: "First characters of the secret, to tell keys apart" }),
    scopes: z.array(z.enum(API_KEY_SCOPES)),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
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
}
const toDto = (r: ApiKeyRow) => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes,
  createdAt: r.created_at.toISOString(),
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

const admins = requireSession(["owner", "admin"]);

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
        SELECT id, name, prefix, scopes, created_at, last_used_at, revoked_at FROM api_keys
         WHERE account_id = ${c.get("accountId")} ORDER BY created_at DESC`;
      return c.json({ data: rows.map(toDto) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/api-keys",
      operationId: "createApiKey",
      tags: ["api-keys"],
      summary: "Create an API key; the secret is in this response only",
      middleware: admins,
      request: jsonBody(CreateBody),
      responses: { 201: jsonResponse(CreatedApiKey, "Created") },
    }),
    async (c) => {
      const { name, scopes } = c.req.valid("json");
      const secret = newSecret(API_KEY_PREFIX);
      const { sql } = c.get("deps").database;
      const [row] = await sql<ApiKeyRow[]>`
        INSERT INTO api_keys (id, account_id, name, prefix, key_hash, scopes)
        VALUES (${newId("key")}, ${c.get("accountId")}, ${name}, ${secret.slice(0, API_KEY_PREFIX.length + 6)},
                ${sha256Hex(secret)}, ${scopes})
        RETURNING id, name, prefix, scopes, created_at, last_used_at, revoked_at`;
      return c.json({ ...toDto(row!), secret }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/api-keys/{id}",
      operationId: "revokeApiKey",
      tags: ["api-keys"],
      summary: "Revoke an API key (it stops working at once here, within API_KEY_CACHE_TTL_MS on other instances)",
      middleware: admins,
      request: { params: IdParam },
      responses: { 204: { description: "Revoked" }, ...errorResponses },
    }),
    async (c) => {
      const { sql } = c.get("deps").database;
      const revoked = await sql`
        UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
         WHERE id = ${c.req.valid("param").id} AND account_id = ${c.get("accountId")} RETURNING id`;
      if (revoked.length === 0) throw notFound("API key");
      c.get("deps").apiKeyCache.evict(c.req.valid("param").id); // other instances: within API_KEY_CACHE_TTL_MS
      return c.body(null, 204);
    },
  );
