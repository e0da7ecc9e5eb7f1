// A pure SPA: the API process serves build/index.html for every non-API path and
// the browser renders every route (no server rendering, nothing prerendered).
export const ssr = false;
export const prerender = false;
