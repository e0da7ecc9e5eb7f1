import { paraglideVitePlugin } from "@inlang/paraglide-js";
import { sveltekit } from "@sveltejs/kit/vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";

// In dev the portal runs on Vite (5173) and the API on :3000; proxying keeps every
// call same-origin, exactly as in production where the API serves portal/build.
const apiOrigin = process.env.API_ORIGIN ?? "http://localhost:3000";

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
      "/api": { target: apiOrigin, changeOrigin: false },
      "/simulated-checkout": { target: apiOrigin, changeOrigin: false },
    },
  },
});
