import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { OpenAPI3 } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WEBHOOK_EVENT_TYPES } from "../../db/webhooks/event-types";
import { formatProblems, lintOpenApi } from "../../scripts/lint-openapi";
import { buildOpenApiDocument } from "../../scripts/generate-api-types";
import { requireSession } from "../../server/middleware/auth";
import { createRouter } from "../../server/routes/router";
import { createTestContext, newCustomer, type TestContext } from "../harness";
import { OpenApiResponseChecker } from "../openapi-responses";

type Operation = {
  operationId?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, unknown> }>;
};

let doc: OpenAPI3;
let ctx: TestContext;
beforeAll(async () => {
  doc = await buildOpenApiDocument();
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const operation = (path: string, method: string) => (doc.paths as Record<string, Record<string, Operation>>)[path]![method]!;

/**
 * The paths of a router whose one route forgot what every route must declare (a public
 * route with no `security: []`, no operationId), as another developer might add it.
 */
function forgetfulRouterPaths(): Record<string, unknown> {
  const router = createRouter().openapi(
    createRoute({ method: "post", path: "/forgetful", summary: "Forgets", responses: { 204: { description: "Done" } } }),
    (c) => c.body(null, 204),
  );
  const probe = new OpenAPIHono().route("/", router).getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "1" } });
  return probe.paths ?? {};
}

describe("the OpenAPI document", () => {
  it("passes redocly lint (redocly.yaml), and the lint fails a route that declares no security or operationId", async () => {
    const withForgetfulRoute = { ...doc, paths: { ...doc.paths, ...forgetfulRouterPaths() } } as OpenAPI3;
    const problems = await lintOpenApi(withForgetfulRoute);
    const elsewhere = problems.filter((p) => !p.location[0]?.pointer.startsWith("#/paths/~1forgetful"));
    expect(elsewhere, formatProblems(elsewhere)).toEqual([]);
    expect(problems.map((p) => p.ruleId).sort()).toEqual(["operation-operationId", "security-defined"]);
  });

  it("derives security, statuses and headers from a route's middleware", () => {
    const usage = operation("/usage", "post");
    expect(usage.security).toEqual([{ apiKey: ["usage:write"] }]);
    expect(Object.keys(usage.responses).sort()).toEqual(["201", "400", "401", "402", "403", "409", "413", "422", "500"]);
    expect(usage.parameters).toContainEqual(expect.objectContaining({ name: "Idempotency-Key", in: "header" }));
    expect(Object.keys(usage.responses["201"]!.headers!)).toEqual(["Idempotent-Replayed", "X-Request-Id"]);
    expect(usage.responses["403"]).toMatchObject({ description: expect.stringContaining("insufficient_scope") });

    expect(operation("/balance", "get").security).toEqual([{ session: [] }, { apiKey: ["balance:read"] }]);
    expect(operation("/topups", "post").security).toEqual([{ session: ["owner", "admin"] }, { apiKey: ["topups:write"] }]);
    expect(operation("/operator/accounts/{id}/suspend", "post").security).toEqual([{ operatorKey: [] }, { operatorSession: [] }]);
    expect(operation("/operator/users", "get").security).toEqual([{ operatorKey: [] }, { operatorSession: ["admin"] }]);
    expect(operation("/auth/login", "post").security).toEqual([]);
    expect(operation("/auth/login", "post").responses["429"]!.headers).toHaveProperty("Retry-After");
  });

  it("documents GET /events as an event stream and every outgoing webhook event", () => {
    const events = operation("/events", "get");
    expect(events.operationId).toBe("streamEvents");
    expect(events.security).toEqual([{ session: [] }]);
    expect(Object.keys(events.responses["200"]!.content!)).toEqual(["text/event-stream"]);
    expect(Object.keys(doc.webhooks ?? {}).sort()).toEqual([...WEBHOOK_EVENT_TYPES, "webhook.test"].sort());
  });
});

describe("the response checker (run on every test request by test/harness.ts)", () => {
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", "x-request-id": "req_1", ...headers },
    });
  const error = { error: { code: "rate_limited", message: "slow down", requestId: "req_1" } };

  it("passes real responses and flags undeclared statuses, missing headers and wrong bodies", async () => {
    const checker = new OpenApiResponseChecker(doc);
    const customer = await newCustomer(ctx);
    const balance = await ctx.app.request("/api/v1/balance", { headers: { authorization: `Bearer ${customer.apiKey}` } });
    expect(await checker.problems("GET", "/api/v1/balance", balance)).toEqual([]);

    expect(await checker.problems("GET", "/api/v1/balance", json(418, error))).toEqual([
      "GET /balance -> 418: status not declared (declared: 200, 400, 401, 403, 404, 500)",
    ]);
    expect(await checker.problems("POST", "/api/v1/auth/login", json(429, error))).toEqual([
      "POST /auth/login -> 429: header Retry-After missing",
    ]);
    expect(await checker.problems("POST", "/api/v1/auth/login", json(429, error, { "retry-after": "60" }))).toEqual([]);
    const [wrongBody] = await checker.problems("GET", "/api/v1/balance", json(200, { balance: "12.50" }));
    expect(wrongBody).toMatch(/^GET \/balance -> 200: body does not match the schema: .*must have required property 'accountId'/);
    // Outside the document: not checked.
    expect(await checker.problems("GET", "/healthz", json(418, {}))).toEqual([]);
  });

  it("knows a route another router adds, from its middleware alone", async () => {
    const router = createRouter().openapi(
      createRoute({
        method: "get",
        path: "/probe",
        operationId: "probe",
        middleware: [requireSession()] as const,
        responses: { 200: { description: "ok", content: { "application/json": { schema: z.object({ ok: z.boolean() }) } } } },
      }),
      (c) => c.json({ ok: true }, 200),
    );
    const probe = new OpenAPIHono().route("/", router).getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "1" } });
    const checker = new OpenApiResponseChecker(probe as OpenAPI3);
    expect(await checker.problems("GET", "/api/v1/probe", json(401, error))).toEqual([]);
    expect(await checker.problems("GET", "/api/v1/probe", json(409, error))).toEqual([
      "GET /probe -> 409: status not declared (declared: 200, 400, 401, 403, 500)",
    ]);
  });
});
