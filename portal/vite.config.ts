import { sveltekit } from "@sveltejs/kit/vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";

// In dev the portal runs on Vite (5173) and the API on :3000; proxying keeps every
// call same-origin, exactly as in production where the API serves portal/build.
const apiOrigin = process.env.API_ORIGIN ?? "http://localhost:3000";

export default defineConfig({
  plugins: [tailwindcss(), sveltekit()],
  server: {
    proxy: {
      "/api": { target: apiOrigin, changeOrigin: false },
      "/simulated-checkout": { target: apiOrigin, changeOrigin: false },
    },
  },
});
