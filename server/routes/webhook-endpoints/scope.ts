import type { Context, MiddlewareHandler } from "hono";
import type { EndpointRow } from "../../../db/webhooks/edit-endpoint";
import type { AuditBy } from "../../../db/audit/record-audit";
import type { AppEnv } from "../../context";

/**
 * Whose endpoints a router manages: `path` prefix, who may call, and the owner column's
 * value for the caller (an account id, or null for the operator's platform-wide endpoints).
 */
export interface Scope {
  prefix: string;
  tag: string;
  auth: MiddlewareHandler<AppEnv>;
  owner: (c: Context<AppEnv>) => string | null;
  who: string;
  /** Subject to WEBHOOK_ALLOW_PRIVATE_TARGETS (customers); the operator is not. */
  restricted: boolean;
  /** Prefix of the routes' operationIds ("" or e.g. "operator"), unique across scopes. */
  operationPrefix: string;
  /** Who to record in the audit log for a change: the customer's user, or the operator. */
  auditBy: (c: Context<AppEnv>) => AuditBy;
}

/** The routes' operationId for `name` in `scope` (`listWebhookEndpoints`, `operatorListWebhookEndpoints`). */
export const scopedOperationId = (scope: Scope, name: string) =>
  scope.operationPrefix ? scope.operationPrefix + name[0]!.toUpperCase() + name.slice(1) : name;

/** The endpoint as the API shows it (never a secret). */
export const toEndpointDto = (r: EndpointRow) => ({
  id: r.id,
  url: r.url,
  description: r.description,
  enabledEvents: r.enabled_events,
  createdAt: r.created_at.toISOString(),
  disabledAt: r.disabled_at?.toISOString() ?? null,
  disabledReason: r.disabled_reason,
  previousSecretExpiresAt: r.previous_secret_expires_at?.toISOString() ?? null,
});
