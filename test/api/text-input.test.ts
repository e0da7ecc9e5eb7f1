import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, newCustomer, type TestContext } from "../harness";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const NUL = "a\u0000b";

interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
}
interface Operation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

/**
 * Every JSON value that puts a NUL into one text input of `schema`: each string property,
 * each key and value of a record (metadata), each string array item, nested objects too.
 * Returns [field path, body] pairs.
 */
function nulBodies(doc: OpenApiDocument, schema: Schema | undefined, path: string[] = []): [string, unknown][] {
  if (!schema) return [];
  if (schema.$ref) return nulBodies(doc, doc.components!.schemas![schema.$ref.split("/").pop()!], path);
  const variants = [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])];
  if (variants.length > 0) return variants.flatMap((v) => nulBodies(doc, v, path)).slice(0, 1);
  const types = [schema.type].flat();
  if (types.includes("string")) return [[path.join("."), NUL]];
  if (types.includes("array")) {
    return nulBodies(doc, schema.items, [...path, "0"]).map(([field, value]) => [field, [value]]);
  }
  const cases: [string, unknown][] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    for (const [field, value] of nulBodies(doc, property, [...path, name])) cases.push([field, { [name]: value }]);
  }
  if (typeof schema.additionalProperties === "object") {
    cases.push([[...path, NUL].join("."), { [NUL]: "x" }]);
    for (const [field, value] of nulBodies(doc, schema.additionalProperties, [...path, "k"])) cases.push([field, { k: value }]);
  }
  return cases;
}

describe("one rule for text input: NUL is refused before any route code or SQL", () => {
  it("every JSON string field, record key, query parameter and path id of every operation in the OpenAPI document", async () => {
    const doc = (await (await ctx.request("GET", "/api/v1/openapi.json")).json()) as OpenApiDocument;
    const checked: string[] = [];
    for (const [template, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const pathParams = (op.parameters ?? []).filter((p) => p.in === "path");
        const concrete = template.replace(/\{[^}]+\}/g, "id_1");
        for (const param of pathParams) {
          const url = `/api/v1${template.replace(`{${param.name}}`, "a%00b").replace(/\{[^}]+\}/g, "id_1")}`;
          const res = await ctx.request(method.toUpperCase(), url);
          expect([url, res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([url, 404, "not_found"]);
          checked.push(`${method} ${url}`);
        }
        for (const param of (op.parameters ?? []).filter((p) => p.in === "query")) {
          const url = `/api/v1${concrete}?${param.name}=a%00b`;
          const res = await ctx.request(method.toUpperCase(), url);
          expect([url, res.status]).toEqual([url, 400]);
          checked.push(`${method} ${url}`);
        }
        for (const [field, body] of nulBodies(doc, op.requestBody?.content?.["application/json"]?.schema)) {
          const res = await ctx.request(method.toUpperCase(), `/api/v1${concrete}`, { body });
          const error = ((await res.json()) as { error: { code: string; details?: { field: string }[] } }).error;
          const what = `${method} ${concrete} ${JSON.stringify(field)}`;
          expect([what, res.status, error.code, error.details?.[0]?.field]).toEqual([what, 400, "validation_error", field]);
          checked.push(what);
        }
      }
    }
    // the sweep found the fields the issue names, so it is not vacuous
    expect(checked).toEqual(
      expect.arrayContaining([
        'post /usage "description"',
        `post /usage ${JSON.stringify(`metadata.${NUL}`)}`,
        'post /usage "metadata.k"',
        'post /auth/signup "email"',
        'post /auth/signup "name"',
        'post /topups "paymentMethodId"',
        'put /auto-topup "paymentMethodId"',
        "post /api/v1/holds/a%00b/capture",
      ]),
    );
  });

  it("an authenticated debit with NUL in a metadata value is 400 and posts nothing", async () => {
    const c = await newCustomer(ctx);
    const res = await ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount: 1, metadata: { k: NUL } } });
    expect(res.status).toBe(400);
    const [row] = await ctx.deps.database.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM ledger_entries WHERE account_id = ${c.accountId}`;
    expect(row!.n).toBe(0);
  });
});

describe("empty ids are no ids", () => {
  it('PUT /auto-topup with paymentMethodId "" is 400 validation_error, not a foreign-key 500', async () => {
    const c = await newCustomer(ctx);
    const res = await ctx.request("PUT", "/api/v1/auto-topup", {
      cookie: c.cookie,
      body: { enabled: true, threshold: 500, amount: 2_000, paymentMethodId: "" },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("validation_error");
  });

  it('POST /topups with paymentMethodId "" is 400 validation_error', async () => {
    const c = await newCustomer(ctx);
    const res = await ctx.request("POST", "/api/v1/topups", { cookie: c.cookie, body: { amount: 1_000, paymentMethodId: "" } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("validation_error");
  });
});
