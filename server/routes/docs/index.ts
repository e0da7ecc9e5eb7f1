import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { IMMUTABLE } from "../../static";

/** swagger-ui-dist from node_modules: the docs page loads nothing from a CDN. */
const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const SWAGGER_VERSION = (JSON.parse(readFileSync(`${SWAGGER_DIR}/package.json`, "utf8")) as { version: string }).version;
/** Asset URLs carry the package version, so they are cached for good and change with an upgrade. */
const ASSETS = `/docs/assets/${SWAGGER_VERSION}`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>Live prepaid balance API</title>
<link rel="stylesheet" href="${ASSETS}/swagger-ui.css" />
</head>
<body>
<div id="swagger-ui"></div>
<script src="${ASSETS}/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;
/** No inline script: the page passes the strict CSP of server/middleware/security-headers.ts. */
const INIT = `window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui" });\n`;

/**
 * GET /docs: Swagger UI for /api/v1/openapi.json, served from our origin (swagger-ui-dist),
 * its two assets under a versioned path (`Cache-Control: immutable`).
 */
export const docsRoutes = new Hono<AppEnv>()
  .get("/docs", (c) => c.html(PAGE))
  .get("/docs/init.js", (c) => c.body(INIT, 200, { "Content-Type": "text/javascript; charset=utf-8" }))
  .get(
    `${ASSETS}/:file{swagger-ui\\.css|swagger-ui-bundle\\.js}`,
    async (c, next) => {
      await next();
      if (c.res.status === 200) c.res.headers.set("Cache-Control", IMMUTABLE);
    },
    serveStatic({ root: SWAGGER_DIR, rewriteRequestPath: (path) => path.slice(ASSETS.length) }),
  );
