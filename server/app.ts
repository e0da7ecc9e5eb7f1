import { OpenAPIHono } from "@hono/zod-openapi";
import { compress } from "hono/compress";
import { methodNotAllowed } from "hono/method-not-allowed";
import type { AppDeps, AppEnv } from "./context";
import { ApiError } from "./errors";
import { errorResponse, onError, onNotFound } from "./middleware/errors";
import { limitBody as bodyLimit } from "./middleware/body-limit";
import { httpMetrics } from "./middleware/metrics";
import { noStore, securityHeaders } from "./middleware/security-headers";
import { requestContext } from "./middleware/request-context";
import { serveOpenApiDocument } from "./openapi/document";
import { rejectNulText } from "./middleware/text-input";
import { accountRoutes } from "./routes/account/index";
import { apiKeysRoutes } from "./routes/api-keys/index";
import { authRoutes } from "./routes/auth/index";
import { recoveryRoutes } from "./routes/auth/recovery";
import { autoTopupRoutes } from "./routes/auto-topup/index";
import { balanceRoutes } from "./routes/balance/index";
import { billingDetailsRoutes } from "./routes/billing-details/index";
import { checkoutRoutes } from "./routes/checkout/index";
import { documentsRoutes, statementsRoutes } from "./routes/documents/index";
import { docsRoutes } from "./routes/docs/index";
import { eventsRoutes } from "./routes/events/index";
import { healthRoutes } from "./routes/health/index";
import { holdsRoutes } from "./routes/holds/index";
import { meRoutes } from "./routes/me/index";
import { twoFactorRoutes } from "./routes/me/two-factor";
import { profileRoutes } from "./routes/me/profile";
import { sessionsRoutes } from "./routes/me/sessions";
import { membersRoutes } from "./routes/members/index";
import { metricsRoutes } from "./routes/metrics/index";
import { operatorEventsRoutes, operatorTransactionsRoutes } from "./routes/operator/account-activity";
import { operatorRoutes } from "./routes/operator/index";
import { operatorAuthRoutes } from "./routes/operator/auth";
import { operatorUserRoutes } from "./routes/operator/users";
import { payRoutes } from "./routes/pay/index";
import { meterRoutes } from "./routes/operator/meters";
import { usageBatchRoutes } from "./routes/usage/batch";
import { usageSummaryRoutes } from "./routes/usage/summary";
import { spendLimitsRoutes } from "./routes/spend-limits/index";
import { balanceAlertsRoutes } from "./routes/balance-alerts/index";
import { notificationPreferencesRoutes } from "./routes/notification-preferences/index";
import { pushSubscriptionsRoutes } from "./routes/push-subscriptions/index";
import { refundsRoutes } from "./routes/refunds/index";
import { paymentMethodsRoutes } from "./routes/payment-methods/index";
import { topupsRoutes } from "./routes/topups/index";
import { transactionsCsvRoutes } from "./routes/transactions/csv";
import { transactionsRoutes } from "./routes/transactions/index";
import { usageRoutes } from "./routes/usage/index";
import { accountWebhookEndpointRoutes, operatorWebhookEndpointRoutes } from "./routes/webhook-endpoints/index";
import { webhooksRoutes } from "./routes/webhooks/index";
import { portalStatic } from "./static";

/** Largest request body accepted: 64 KiB (every API body is small JSON). */
export const MAX_BODY_BYTES = 64 * 1024;
/** POST /usage/batch carries up to 1000 events (db/ledger/post-usage-batch.ts): ~1 KB each at most in practice. */
const MAX_BATCH_BODY_BYTES = 1024 * 1024;
const BATCH_PATH = "/api/v1/usage/batch";

/**
 * Composes the HTTP application: ops routes, the API under /api/v1 (OpenAPI document
 * at /api/v1/openapi.json, docs UI at /docs), and the portal SPA for everything else.
 */
export function createApp(deps: AppDeps) {
  const api = new OpenAPIHono<AppEnv>();
  // A known path with another method: 405 with Allow, from the routes registered below.
  api.use(
    methodNotAllowed({
      app: api,
      onMethodNotAllowed: (c, methods) => {
        const allow = methods.sort().join(", ");
        const res = errorResponse(c, "method_not_allowed", `${c.req.method} is not allowed on ${c.req.path}; allowed: ${allow}.`);
        res.headers.set("Allow", allow);
        return res;
      },
    }),
  );
  api
    .route("/", authRoutes)
    .route("/", recoveryRoutes)
    .route("/", meRoutes)
    .route("/", twoFactorRoutes)
    .route("/", profileRoutes)
    .route("/", sessionsRoutes)
    .route("/", membersRoutes)
    .route("/", accountRoutes)
    .route("/", balanceRoutes)
    .route("/", transactionsCsvRoutes)
    .route("/", transactionsRoutes)
    .route("/", eventsRoutes)
    .route("/", apiKeysRoutes)
    .route("/", usageRoutes)
    .route("/", usageBatchRoutes)
    .route("/", usageSummaryRoutes)
    .route("/", spendLimitsRoutes)
    .route("/", balanceAlertsRoutes)
    .route("/", notificationPreferencesRoutes)
    .route("/", topupsRoutes)
    .route("/", webhooksRoutes)
    .route("/", holdsRoutes)
    .route("/", paymentMethodsRoutes)
    .route("/", pushSubscriptionsRoutes)
    .route("/", autoTopupRoutes)
    .route("/", operatorRoutes)
    .route("/", operatorTransactionsRoutes)
    .route("/", operatorEventsRoutes)
    .route("/", operatorAuthRoutes)
    .route("/", operatorUserRoutes)
    .route("/", meterRoutes)
    .route("/", refundsRoutes)
    .route("/", billingDetailsRoutes)
    .route("/", documentsRoutes)
    .route("/", statementsRoutes)
    .route("/", accountWebhookEndpointRoutes)
    .route("/", operatorWebhookEndpointRoutes);

  serveOpenApiDocument(api);

  const app = new OpenAPIHono<AppEnv>();
  app.use("*", requestContext(deps));
  app.use("*", httpMetrics());
  app.use("*", securityHeaders());
  // outside compress: when compress rebuilds an answer (Vary, gzip), @hono/node-server's
  // Response drops headers set on it earlier through `res.headers` (seen with no-store on errors)
  app.use("/api/*", noStore());
  // gzip/deflate for compressible answers over 1 KiB (JSON, HTML, the OpenAPI document);
  // never text/event-stream (hono's default filter); the portal's assets come precompressed.
  app.use("*", compress());
  const bodyLimitOf = (maxSize: number) =>
    bodyLimit(maxSize, (c) => {
      // The body is left unread: say the connection ends with this answer, so the client
      // does not send its next request on a connection the server is about to drop
      // (@hono/node-server drains an unread body for at most 500 ms, then destroys the socket).
      c.header("Connection", "close");
      throw new ApiError("payload_too_large", `Request bodies are limited to ${maxSize} bytes.`);
    });
  const limitBody = bodyLimitOf(MAX_BODY_BYTES);
  const limitBatchBody = bodyLimitOf(MAX_BATCH_BODY_BYTES);
  // Not for GET/HEAD (no body is read): reading `c.req.raw.body` makes @hono/node-server
  // build a full WHATWG Request (+ AbortController) that then lives as long as the
  // connection, ~1.3 KB per open SSE connection (GET /api/v1/events).
  app.use("/api/*", (c, next) =>
    c.req.method === "GET" || c.req.method === "HEAD" ? next() : (c.req.path === BATCH_PATH ? limitBatchBody : limitBody)(c, next),
  );
  app.use("*", rejectNulText());
  app.route("/", healthRoutes);
  app.route("/", metricsRoutes);
  app.route("/api/v1", api);
  app.route("/", docsRoutes);
  app.all("/api/*", onNotFound);
  app.route("/", checkoutRoutes);
  app.route("/", payRoutes);
  app.route("/", portalStatic());
  app.onError(onError);
  app.notFound(onNotFound);
  return app;
}

export type App = ReturnType<typeof createApp>;
