import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono, type MiddlewareHandler } from "hono";
import { etag } from "hono/etag";
import type { AppEnv } from "./context";
import { onNotFound } from "./middleware/errors";
import { cspHash, extendCsp } from "./middleware/security-headers";

const BUILD_DIR = fileURLToPath(new URL("../portal/build", import.meta.url));
/** For files whose name carries a hash of their content (Vite's /_app/immutable/*): cache for a year, never revalidate. */
export const IMMUTABLE = "public, max-age=31536000, immutable";
/** For files served under a fixed name (index.html, service-worker.js, version.json): revalidate every time (ETag, 304). */
const REVALIDATE = "no-cache";

/**
 * Serves the built portal (portal/build) and falls back to its index.html for client
 * routes, so /transactions reloads work; a missing file under /_app/ is 404, not the
 * page. Hashed assets are cached for good, the rest revalidated by ETag; the build's
 * `.br`/`.gz` twins (adapter-static `precompress`) are sent to browsers that accept them.
 * The page's inline bootstrap script (SvelteKit's) is allowed by its hash in the CSP.
 * Without a build it says how to make one.
 */
export function portalStatic() {
  const app = new Hono<AppEnv>();
  const indexPath = `${BUILD_DIR}/index.html`;
  if (!existsSync(indexPath)) {
    return app.get("*", (c) => c.text("The portal is not built yet: run `npm run build:portal`.", 503));
  }
  const indexHtml = readFileSync(indexPath, "utf8");
  app.use("*", extendCsp({ scriptSrc: inlineScripts(indexHtml).map(cspHash) }));
  app.use("*", cacheControl());
  app.use("*", serveStatic({ root: BUILD_DIR, precompressed: true }));
  app.all("/_app/*", onNotFound);
  app.get("*", (c) => c.html(indexHtml));
  return app;
}

/** Cache-Control by path for successful answers, and ETag revalidation for all but hashed assets. */
function cacheControl(): MiddlewareHandler<AppEnv> {
  const revalidate = etag();
  return async (c, next) => {
    const immutable = c.req.path.startsWith("/_app/immutable/");
    await (immutable ? next() : revalidate(c, next));
    if (c.res.status === 200 || c.res.status === 304) c.res.headers.set("Cache-Control", immutable ? IMMUTABLE : REVALIDATE);
  };
}

/** The text of each `<script>` without `src` in an HTML page. */
function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
}
