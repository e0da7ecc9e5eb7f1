import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import type { AppEnv } from "./context";

const BUILD_DIR = fileURLToPath(new URL("../portal/build", import.meta.url));

/**
 * Serves the built portal (portal/build) and falls back to its index.html for client
 * routes, so /transactions reloads work. Without a build it says how to make one.
 */
export function portalStatic() {
  const app = new Hono<AppEnv>();
  const indexPath = `${BUILD_DIR}/index.html`;
  if (!existsSync(indexPath)) {
    return app.get("*", (c) => c.text("The portal is not built yet: run `npm run build:portal`.", 503));
  }
  const indexHtml = readFileSync(indexPath, "utf8");
  app.use("*", serveStatic({ root: BUILD_DIR }));
  app.get("*", (c) => c.html(indexHtml));
  return app;
}
