import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { Hono } from "hono";
import { newId } from "../../../db/ids";
import { LedgerError } from "../../../db/ledger/errors";
import { MAX_BODY_BYTES } from "../../app";
import { authenticateApiKey } from "../../middleware/auth";
import type { AppDeps, AppEnv } from "../../context";
import { classify } from "../../errors";
import { readUpTo } from "../../middleware/body-limit";
import { errorBody } from "../../middleware/errors";
import { noStore, securityHeaders } from "../../middleware/security-headers";
import { mayHoldNul } from "../../middleware/text-input";
import { parseDebitRequest, postUsage, toDebitDto } from "./index";

/** The path, and the `route` label of http_request_duration_seconds the Hono route gets (server/middleware/metrics.ts). */
const USAGE_PATH = "/api/v1/usage";
/** Content types the lean path reads; anything else goes the Hono way (its validator decides). */
const JSON_TYPES = new Set(["application/json", "application/json; charset=utf-8"]);

/**
 * The lean path of the hottest route, `POST /api/v1/usage` (issue 13: Node CPU per debit):
 * a node:http listener in front of the Hono app's (`fallback`) that answers a plain debit
 * straight from Node's IncomingMessage and ServerResponse, with the route's own pieces
 * (parseDebitRequest, authenticateApiKey, postUsage, toDebitDto, the error body of
 * shared/DESIGN.md) and no WHATWG Request/Response, middleware chain or router.
 * It takes a request only when it can answer it exactly as the app would:
 * - POST to exactly /api/v1/usage, Content-Type application/json, a Content-Length within
 *   the app's 64 KiB limit, an Authorization header, no Idempotency-Key;
 * - a body that is valid JSON without NUL, passes DebitRequest and has no `description`
 *   or `metadata` (so the answer stays under hono/compress' 1 KiB threshold: never compressed).
 * Anything else goes to `fallback` untouched (a body already read is handed over as
 * `incoming.rawBody`, which @hono/node-server and server/middleware/body-limit.ts read).
 * Answers carry the app's headers (security headers and Cache-Control from the same
 * middleware, X-Request-Id), are observed in http_request_duration_seconds under the
 * route's label, and a ledger refusal is counted in ledger_rejections_total, as the app does.
 * test/usage/fast-path.test.ts compares its answers with the app's.
 * @returns the listener to serve (USAGE_FAST_PATH=0: `fallback` itself)
 */
export async function withUsageFastPath(deps: AppDeps, fallback: RequestListener): Promise<RequestListener> {
  if (deps.env.USAGE_FAST_PATH === "0") return fallback;
  const headers = await appHeaders(deps);
  const decoder = new TextDecoder(); // as Body.text(): UTF-8, a leading BOM dropped, invalid bytes replaced

  // the histogram's child per status: no label hashing per answer
  const durations = new Map<number, { observe(seconds: number): void }>();
  const durationOf = (status: number) => {
    let child = durations.get(status);
    if (!child) durations.set(status, (child = deps.metrics.httpRequestDuration.labels({ method: "POST", route: USAGE_PATH, status: String(status) })));
    return child;
  };

  const answer = (res: ServerResponse, status: number, json: string, requestId: string, startedAt: number) => {
    res.writeHead(status, [...headers, "content-type", "application/json", "content-length", String(Buffer.byteLength(json)), "x-request-id", requestId]);
    res.end(json);
    durationOf(status).observe((performance.now() - startedAt) / 1000);
    if (deps.logger.isLevelEnabled("debug")) {
      deps.logger.debug({ requestId, method: "POST", path: USAGE_PATH, status, durationMs: Math.round((performance.now() - startedAt) * 10) / 10 }, "request");
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const startedAt = performance.now();
    const body = await readUpTo(req, MAX_BODY_BYTES);
    if (!body) return fallback(req, res); // cannot happen within a stated Content-Length; the app answers 413
    (req as IncomingMessage & { rawBody: Buffer }).rawBody = body;
    const text = decoder.decode(body);
    let parsed;
    try {
      parsed = mayHoldNul(text) ? null : parseDebitRequest(JSON.parse(text));
    } catch {
      parsed = null; // invalid JSON: the app's 400 invalid_json
    }
    if (!parsed?.success || parsed.data.description !== undefined || parsed.data.metadata !== undefined) return fallback(req, res);
    const requestId = newId("req");
    try {
      const principal = await authenticateApiKey(deps, req.headers.authorization!, "usage:write");
      const posted = await postUsage(deps, principal, parsed.data, { key: null, completion: null });
      answer(res, 201, JSON.stringify(toDebitDto(posted)), requestId, startedAt);
    } catch (err) {
      const { status, code, message, details } = classify(err);
      if (status >= 500) deps.logger.error({ err, requestId }, "unhandled error");
      if (err instanceof LedgerError && status !== 404) deps.metrics.ledgerRejections.inc({ route: USAGE_PATH, reason: code });
      answer(res, status, JSON.stringify(errorBody(code, message, requestId, details)), requestId, startedAt);
    }
  };

  return (req, res) => {
    const h = req.headers;
    const length = h["content-length"];
    const takes =
      req.method === "POST" && req.url === USAGE_PATH && h.authorization !== undefined && h["idempotency-key"] === undefined &&
      h["transfer-encoding"] === undefined && length !== undefined && Number(length) <= MAX_BODY_BYTES &&
      JSON_TYPES.has((h["content-type"] ?? "").toLowerCase());
    if (!takes) return fallback(req, res);
    handle(req, res).catch((err: unknown) => {
      deps.logger.error({ err }, "POST /usage lean path failed");
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
}

/**
 * The headers the app's global middleware puts on an API answer (security headers,
 * Cache-Control: no-store), read once from that same middleware so both paths send the same.
 */
async function appHeaders(deps: AppDeps): Promise<string[]> {
  const probe = new Hono<AppEnv>();
  probe.use(async (c, next) => {
    c.set("deps", deps);
    await next();
  });
  probe.use(securityHeaders(), noStore());
  probe.post("/", (c) => c.body(null, 201));
  const res = await probe.request("/", { method: "POST" });
  return [...res.headers].flat();
}
