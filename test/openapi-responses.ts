import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { OpenAPI3 } from "openapi-typescript";
import { buildOpenApiDocument } from "../scripts/generate-api-types";

/** Where the document's paths live (its `servers[0].url`). */
const API_BASE = "/api/v1";
/** The document's base URI inside ajv, so `#/components/...` refs resolve. */
const DOC_ID = "https://openapi.invalid/openapi.json";

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  params: number;
  responses: Record<string, ResponseObject>;
}
interface ResponseObject {
  headers?: Record<string, HeaderObject | { $ref: string }>;
  content?: Record<string, { schema?: unknown }>;
}
interface HeaderObject {
  required?: boolean;
}

const escapePointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/**
 * Checks real responses against the OpenAPI document the app serves: the status must be
 * one the operation declares, required response headers (X-Request-Id, Retry-After on 429)
 * must be there, the content type must be a declared one, and a JSON body must validate
 * against its schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses). Requests that match
 * no operation of the document (other paths, other methods) are not checked.
 */
export class OpenApiResponseChecker {
  readonly #operations: Operation[];
  readonly #ajv: Ajv2020;
  readonly #doc: OpenAPI3;
  readonly #validators = new Map<string, ValidateFunction>();

  constructor(doc: OpenAPI3) {
    this.#doc = doc;
    this.#ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(this.#ajv);
    this.#ajv.addSchema({ ...doc, $id: DOC_ID });
    this.#operations = Object.entries(doc.paths ?? {}).flatMap(([template, item]) =>
      Object.entries(item as Record<string, { responses?: Record<string, ResponseObject> }>)
        .filter(([, op]) => op && typeof op === "object" && "responses" in op)
        .map(([method, op]) => ({
          method: method.toUpperCase(),
          template,
          pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
          params: (template.match(/\{/g) ?? []).length,
          responses: op.responses ?? {},
        }))
        // Literal paths before templated ones (e.g. /a/b before /a/{id}).
        .sort((a, b) => a.params - b.params),
    );
  }

  /** The operation a request hits, or null outside the document. */
  operationOf(method: string, url: string): Operation | null {
    const path = new URL(url, "http://localhost").pathname;
    if (!path.startsWith(`${API_BASE}/`)) return null;
    const local = path.slice(API_BASE.length);
    return this.#operations.find((o) => o.method === method.toUpperCase() && o.pattern.test(local)) ?? null;
  }

  /**
   * What is wrong with `response` to `method url` by the document; [] when it conforms or
   * the request matches no operation. Reads a clone of JSON bodies; never an event stream.
   */
  async problems(method: string, url: string, response: Response): Promise<string[]> {
    const op = this.operationOf(method, url);
    if (!op) return [];
    const where = `${op.method} ${op.template} -> ${response.status}`;
    const declared = op.responses[String(response.status)] ?? op.responses.default;
    if (!declared) return [`${where}: status not declared (declared: ${Object.keys(op.responses).join(", ")})`];
    const problems: string[] = [];
    for (const [name, header] of Object.entries(declared.headers ?? {})) {
      if (this.#resolveHeader(header).required && !response.headers.has(name)) problems.push(`${where}: header ${name} missing`);
    }
    const mediaType = response.headers.get("content-type")?.split(";")[0]?.trim() ?? null;
    const content = declared.content ?? {};
    if (Object.keys(content).length === 0) {
      if (mediaType && response.body) problems.push(`${where}: declares no body, got ${mediaType}`);
      return problems;
    }
    if (!mediaType || !(mediaType in content)) {
      problems.push(`${where}: content type ${mediaType} not declared (${Object.keys(content).join(", ")})`);
      return problems;
    }
    if (mediaType !== "application/json") return problems;
    const status = declared === op.responses.default ? "default" : String(response.status);
    const pointer = `#/paths/${escapePointer(op.template)}/${op.method.toLowerCase()}/responses/${status}/content/${escapePointer(mediaType)}/schema`;
    const validate = this.#validator(pointer);
    const body: unknown = await response.clone().json();
    if (!validate(body)) {
      problems.push(`${where}: body does not match the schema: ${this.#ajv.errorsText(validate.errors)} in ${JSON.stringify(body).slice(0, 300)}`);
    }
    return problems;
  }

  #validator(pointer: string): ValidateFunction {
    let validate = this.#validators.get(pointer);
    if (!validate) {
      validate = this.#ajv.compile({ $ref: `${DOC_ID}${pointer}` });
      this.#validators.set(pointer, validate);
    }
    return validate;
  }

  #resolveHeader(header: HeaderObject | { $ref: string }): HeaderObject {
    if (!("$ref" in header)) return header;
    const name = header.$ref.replace("#/components/headers/", "");
    return ((this.#doc.components?.headers ?? {}) as Record<string, HeaderObject>)[name] ?? {};
  }
}

let checker: Promise<OpenApiResponseChecker> | null = null;

/** One checker per test worker, over the document the app serves. */
export function responseChecker(): Promise<OpenApiResponseChecker> {
  checker ??= buildOpenApiDocument().then((doc) => new OpenApiResponseChecker(doc));
  return checker;
}

/**
 * Throws when `response` is not what the OpenAPI document says `method url` answers
 * (test/harness.ts runs it on every request of the test suite).
 * @throws Error listing the problems, and what to declare
 */
export async function assertDocumented(method: string, url: string, response: Response): Promise<Response> {
  const problems = await (await responseChecker()).problems(method, url, response);
  if (problems.length > 0) {
    throw new Error(
      `The response is not what the OpenAPI document says (declare it on the route or its middleware, server/openapi/README.md):\n${problems.join("\n")}`,
    );
  }
  return response;
}
