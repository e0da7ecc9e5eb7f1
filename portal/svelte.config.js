import adapter from "@sveltejs/adapter-static";
import { vitePreprocess } from "@sveltejs/vite-plugin-svelte";

/**
 * The portal is a pure SPA: the API process serves `build/` on the same origin
 * and falls back to index.html for unknown non-API paths, so every route renders
 * in the browser (see src/routes/+layout.ts).
 * @type {import('@sveltejs/kit').Config}
 */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({
      pages: "build",
      assets: "build",
      fallback: "index.html",
      precompress: true, // .br and .gz beside each file, sent by server/static.ts to browsers that accept them
      strict: true,
    }),
  },
};

export default config;
