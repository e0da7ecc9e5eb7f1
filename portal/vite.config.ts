import { paraglideVitePlugin } from "@inlang/paraglide-js";
import { sveltekit } from "@sveltejs/kit/vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig, type ProxyOptions } from "vite";

// In dev the portal runs on Vite (5173) and the API on :3000; proxying keeps every
// call same-origin, exactly as in production where the API serves portal/build.
const apiOrigin = process.env.API_ORIGIN ?? "http://localhost:3000";

// The API refuses state-changing cookie requests whose Origin is not its PUBLIC_URL
// (server/auth/same-origin.ts): the dev server's own pages speak for the API's origin.
const sameOriginProxy: ProxyOptions = {
  target: apiOrigin,
  changeOrigin: false,
  configure: (proxy) =>
    proxy.on("proxyReq", (request, incoming) => {
      if (incoming.headers.origin === `http://${incoming.headers.host}`) request.setHeader("origin", apiOrigin);
    }),
};

export default defineConfig({
  plugins: [
    // Compiles messages/*.json into src/lib/paraglide (generated, not committed) on build
    // and dev. No URL prefixes: the language switch's choice (localStorage), else the
    // browser's language, else English. Not under vitest: there its file watcher keeps
    // the process from exiting for 10 s; `npm test` and `npm run typecheck` compile with
    // the same options first (`npm run portal:messages`).
    process.env.VITEST
      ? null
      : paraglideVitePlugin({
          project: "./project.inlang",
          outdir: "./src/lib/paraglide",
          strategy: ["localStorage", "preferredLanguage", "baseLocale"],
        }),
    tailwindcss(),
    sveltekit(),
  ],
  server: {
    proxy: {
      "/api": sameOriginProxy,
      "/simulated-checkout": sameOriginProxy,
    },
  },
});
