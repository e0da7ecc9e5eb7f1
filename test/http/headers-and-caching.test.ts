import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, newCustomer, type Customer, type TestContext } from "../harness";

let ctx: TestContext;
let customer: Customer;

beforeAll(async () => {
  if (!existsSync("portal/build/index.html")) throw new Error("These tests need the built portal: run `npm run build:portal` first (CI does).");
  ctx = await createTestContext();
  customer = await newCustomer(ctx);
});
afterAll(() => ctx.close());

/** A hashed file of the portal build (npm run build:portal). */
const immutableAsset = () => {
  const file = readdirSync("portal/build/_app/immutable/entry").find((f) => f.endsWith(".js"))!;
  return `/_app/immutable/entry/${file}`;
};

describe("security headers", () => {
  it("the API: CSP, nosniff, DENY framing, a referrer policy, no-store; no HSTS on http", async () => {
    const res = await ctx.request("GET", "/api/v1/balance", { apiKey: customer.apiKey });
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("strict-transport-security")).toBeNull();
    const error = await ctx.request("GET", "/api/v1/balance");
    expect(error.status).toBe(401);
    expect(error.headers.get("cache-control")).toBe("no-store");
  });

  it("HSTS when PUBLIC_URL is https", async () => {
    const https = await createTestContext({ PUBLIC_URL: "https://balance.example.com" });
    try {
      const res = await https.request("GET", "/healthz");
      expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    } finally {
      await https.close();
    }
  });

  it("the portal page: its inline bootstrap script, and only it, is allowed by hash", async () => {
    const res = await ctx.request("GET", "/transactions");
    const html = await res.text();
    const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(inline.length).toBeGreaterThan(0);
    const scriptSrc = /script-src ([^;]+)/.exec(res.headers.get("content-security-policy")!)![1]!.split(" ");
    const hashes = inline.map((s) => `'sha256-${createHash("sha256").update(s).digest("base64")}'`);
    expect(scriptSrc.sort()).toEqual(["'self'", ...hashes].sort());
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  it("/docs loads Swagger UI from our origin only, under the same CSP", async () => {
    const res = await ctx.request("GET", "/docs");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>/); // no inline script
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const assets = [...html.matchAll(/(?:src|href)="(\/docs\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toHaveLength(3);
    for (const asset of assets) expect((await ctx.request("GET", asset)).status).toBe(200);
    const css = assets.find((a) => a.endsWith(".css"))!;
    expect((await ctx.request("GET", css)).headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });
});

describe("compression", () => {
  it("gzips the OpenAPI document for clients that accept it", async () => {
    const res = await ctx.request("GET", "/api/v1/openapi.json", { headers: { "accept-encoding": "gzip, deflate, br" } });
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(res.headers.get("vary")).toMatch(/accept-encoding/i);
    const doc = JSON.parse(gunzipSync(Buffer.from(await res.arrayBuffer())).toString()) as { openapi: string };
    expect(doc.openapi).toBe("3.1.0");
  });

  it("never compresses the live event stream", async () => {
    const res = await ctx.request("GET", "/api/v1/events", { cookie: customer.cookie, headers: { "accept-encoding": "gzip" } });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(res.headers.get("content-encoding")).toBeNull();
    await res.body!.cancel();
  });

  it("sends the portal's precompressed brotli asset", async () => {
    const res = await ctx.request("GET", immutableAsset(), { headers: { "accept-encoding": "gzip, br" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("br");
    expect(res.headers.get("content-type")).toMatch(/javascript/);
  });
});

describe("caching of the portal", () => {
  it("hashed assets are immutable for a year", async () => {
    const res = await ctx.request("GET", immutableAsset());
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  for (const path of ["/", "/transactions", "/service-worker.js"]) {
    it(`${path} is revalidated by ETag (304 when unchanged)`, async () => {
      const first = await ctx.request("GET", path);
      expect(first.status).toBe(200);
      expect(first.headers.get("cache-control")).toBe("no-cache");
      const tag = first.headers.get("etag")!;
      expect(tag).toBeTruthy();
      const again = await ctx.request("GET", path, { headers: { "if-none-match": tag } });
      expect(again.status).toBe(304);
    });
  }

  it("a missing file under /_app/ is 404, not the portal page", async () => {
    const res = await ctx.request("GET", "/_app/immutable/entry/missing.js");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).not.toMatch(/html/);
  });
});
