import type { OpenAPIHono, RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context";
import { CODE_TO_STATUS, type ErrorCode } from "../errors";
import { ErrorBody } from "./error-body";

/**
 * What a middleware adds to the OpenAPI operation of every route that uses it, so that
 * a route's document follows from the middleware it runs (security from its auth
 * middleware, 409 and Idempotency-Key from idempotent(), ...) instead of being repeated
 * per route. Attach it with `documented(middleware, doc)`; routes of `createRouter()`
 * pick it up (withMiddlewareDocs).
 */
export interface MiddlewareDoc {
  /** Security requirements, any one of which lets the caller in (OpenAPI: alternatives). */
  security?: Record<string, string[]>[];
  /** Error codes the middleware can answer with (grouped by status via CODE_TO_STATUS). */
  errors?: ErrorCode[];
  /** Request headers the middleware reads (OpenAPI parameter objects, `in: header`). */
  headers?: HeaderParameter[];
  /** Headers it may set on success (2xx) responses, by name (e.g. `sharedHeaders(...)`). */
  successHeaders?: Headers;
}

export interface HeaderParameter {
  name: string;
  in: "header";
  required?: boolean;
  description: string;
  schema: Record<string, unknown>;
}

type Headers = Record<string, HeaderObject | { $ref: string }>;

// A type alias, not an interface: assignable to openapi3-ts' HeaderObject (its x- index signature).
export type HeaderObject = {
  description: string;
  required?: boolean;
  schema: Record<string, unknown>;
};

const docs = new WeakMap<object, MiddlewareDoc>();

/**
 * Marks `middleware` with what it contributes to a route's OpenAPI operation.
 * @returns the same middleware (for `export const x = documented(createMiddleware(...), {...})`)
 */
export function documented<M extends MiddlewareHandler<AppEnv>>(middleware: M, doc: MiddlewareDoc): M {
  docs.set(middleware, doc);
  return middleware;
}

/**
 * Response headers used by many operations, registered once under `components/headers`
 * (server/openapi/document.ts) and referred to by name.
 */
export const SHARED_HEADERS: Record<string, HeaderObject> = {
  /** Every API response carries it (server/middleware/request-context.ts). */
  "X-Request-Id": {
    description: "This request's id (`req_...`), also in error bodies; quote it when asking for support.",
    required: true,
    schema: { type: "string" },
  },
  /** On 429: seconds to wait (RFC 9110, section 10.2.3). */
  "Retry-After": { description: "Seconds to wait before trying again.", required: true, schema: { type: "integer", minimum: 0 } },
  /** Set by idempotent() on a replayed response. */
  "Idempotent-Replayed": {
    description: "`true` when this is the stored response of an earlier request with the same Idempotency-Key.",
    schema: { type: "string", enum: ["true"] },
  },
};

/** `{ name: $ref }` for shared headers. */
export const sharedHeaders = (...names: (keyof typeof SHARED_HEADERS)[]): Record<string, { $ref: string }> =>
  Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

const REQUEST_ID_HEADER = sharedHeaders("X-Request-Id");
const RETRY_AFTER_HEADER = sharedHeaders("Retry-After");

/** Error codes whose responses belong to a response object (the description lists them). */
const codesOf = new WeakMap<object, ErrorCode[]>();

/**
 * OpenAPI responses for error codes: one response per status, its description listing
 * the codes (e.g. `errors("insufficient_funds", "account_suspended")` gives 402 and 403).
 * A 429 also declares its Retry-After header. Spread into a route's `responses`.
 */
export function errors(...codes: ErrorCode[]): Record<number, ResponseDoc> {
  const byStatus: Record<number, ErrorCode[]> = {};
  for (const code of codes) (byStatus[CODE_TO_STATUS[code]] ??= []).push(code);
  const out: Record<number, ResponseDoc> = {};
  for (const [status, list] of Object.entries(byStatus)) out[Number(status)] = errorResponse(Number(status), list);
  return out;
}

/** A response of a route (never a $ref here), and its headers. */
type ResponseDoc = Exclude<RouteConfig["responses"][string], { $ref: string }>;
const asHeaders = (headers: Headers) => headers as ResponseDoc["headers"];

function errorResponse(status: number, codes: ErrorCode[]): ResponseDoc {
  const unique = [...new Set(codes)];
  const response: ResponseDoc = {
    description: `Error code ${unique.map((c) => `\`${c}\``).join(" or ")}`,
    content: { "application/json": { schema: ErrorBody } },
    ...(status === 429 ? { headers: asHeaders(RETRY_AFTER_HEADER) } : {}),
  };
  codesOf.set(response, unique);
  return response;
}

/** Adds `codes` to a route's response for their status: merged with its own codes, or appended to its description. */
function addErrors(responses: Record<string, ResponseDoc>, codes: ErrorCode[]): void {
  for (const [status, extra] of Object.entries(errors(...codes))) {
    const own = responses[status];
    if (!own) {
      responses[status] = extra;
      continue;
    }
    const ownCodes = codesOf.get(own);
    responses[status] = ownCodes
      ? errorResponse(Number(status), [...ownCodes, ...codesOf.get(extra)!])
      : { ...own, description: `${own.description}; ${extra.description}` };
  }
}

const middlewareList = (route: RouteConfig): MiddlewareHandler[] =>
  (route.middleware === undefined ? [] : Array.isArray(route.middleware) ? route.middleware : [route.middleware]) as MiddlewareHandler[];

const headerNames = (route: RouteConfig): Set<string> => {
  const headers = route.request?.headers;
  const shape = headers && !Array.isArray(headers) && "shape" in headers ? (headers.shape as Record<string, unknown>) : {};
  return new Set(Object.keys(shape).map((k) => k.toLowerCase()));
};

/**
 * A route's OpenAPI operation completed from what is true of every API route and from
 * its middleware's MiddlewareDoc:
 * - `security`: the union of its middleware's alternatives, unless the route sets its own
 *   (a public route must say `security: []`; none at all fails the OpenAPI lint);
 * - the middleware's error codes, and for every route `internal_error` (500), for every
 *   method but GET `payload_too_large` (413), for a route with a JSON body `invalid_json`,
 *   `validation_error` (400, NUL in a query parameter is refused everywhere), and for a route
 *   with path parameters `not_found` (404);
 * - the middleware's request headers as parameters (unless the route declares them) and
 *   success headers on its 2xx responses; `X-Request-Id` on every response.
 * The route's own responses win; codes for a status it declares are merged into it.
 */
export function withMiddlewareDocs<R extends RouteConfig>(route: R): R {
  const found = middlewareList(route).flatMap((m) => docs.get(m) ?? []);
  const responses = { ...route.responses } as Record<string, ResponseDoc>;
  const codes: ErrorCode[] = ["internal_error", ...found.flatMap((d) => d.errors ?? [])];
  const request = route.request ?? {};
  if (route.method !== "get") codes.push("payload_too_large"); // bodyLimit on /api/* (server/app.ts)
  if (request.body) codes.push("invalid_json");
  // rejectNulText (server/app.ts) refuses NUL in any query parameter of every route: 400; in a path, 404
  codes.push("validation_error");
  if (request.params) codes.push("not_found");
  addErrors(responses, codes);

  const successHeaders = Object.assign({}, ...found.map((d) => d.successHeaders ?? {})) as Headers;
  for (const [status, response] of Object.entries(responses)) {
    const extra = status.startsWith("2") ? { ...successHeaders, ...REQUEST_ID_HEADER } : REQUEST_ID_HEADER;
    responses[status] = { ...response, headers: asHeaders({ ...extra, ...(response.headers as Headers) }) };
  }

  const declared = headerNames(route);
  const parameters = [
    ...(route.parameters ?? []),
    ...found.flatMap((d) => d.headers ?? []).filter((h) => !declared.has(h.name.toLowerCase())),
  ];
  const security = route.security ?? (found.some((d) => d.security) ? found.flatMap((d) => d.security ?? []) : undefined);
  return {
    ...route,
    responses,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(security ? { security } : {}),
  };
}

/**
 * Documents a route that is not an `openapi()` one (a plain Hono handler, e.g. a stream):
 * registers `route` (with withMiddlewareDocs) in `router`'s document. Its `middleware` is
 * read for the document only; the caller still mounts it with the handler.
 */
export function registerOperation<E extends AppEnv>(router: OpenAPIHono<E>, route: RouteConfig): void {
  const { middleware: _middleware, ...operation } = withMiddlewareDocs(route);
  router.openAPIRegistry.registerPath(operation);
}
