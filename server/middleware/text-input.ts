import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { notFound } from "./errors";

/**
 * The rule for all text input, applied once for every route (app.ts) before any route
 * code, auth or database: no string may contain a NUL character (U+0000). PostgreSQL
 * `text` cannot store it ("invalid byte sequence for encoding UTF8: 0x00"), so without
 * this rule such a value reached SQL and came back as 500 internal_error.
 * - a path containing NUL (`%00`): 404 not_found (no id or route has one);
 * - a query parameter, or any key or string value anywhere in a JSON body: 400
 *   validation_error, with `details[].field` naming the field (code `invalid_format`, format `no_nul`) (`metadata.a\u0000b`
 *   for a key).
 * Bodies that are not JSON, or not valid JSON, are left to the route (invalid_json).
 */
export function rejectNulText() {
  return createMiddleware<AppEnv>(async (c, next) => {
    // A NUL reaches a URL only as %00 and a JSON text only as the escape \u0000 (raw
    // control characters are invalid JSON): without either, nothing to parse and walk.
    if (c.req.url.includes("%00")) {
      const url = new URL(c.req.url);
      if (hasNul(safeDecode(url.pathname))) throw notFound("resource");
      for (const [name, value] of url.searchParams) {
        if (hasNul(name) || hasNul(value)) throw nulError(name);
      }
    }
    if (c.req.header("content-type")?.includes("json")) {
      // text(), not json(): Hono caches it, so the webhook route still reads the exact signed bytes
      const text = await c.req.text();
      if (mayHoldNul(text)) {
        const path = findNul(parseJson(text), []);
        if (path) throw nulError(path.join("."));
      }
    }
    return next();
  });
}

/** The JSON escape of U+0000, or a raw NUL (then the JSON is invalid anyway). */
export const mayHoldNul = (text: string) => text.includes("\\u0000") || hasNul(text);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const hasNul = (s: string) => s.includes("\u0000");

/** `s` percent-decoded; a malformed escape is left as it is (the route answers 404 for it). */
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The path (keys and indexes) of the first string or key in `value` that holds a NUL, or null. */
function findNul(value: unknown, path: string[]): string[] | null {
  if (typeof value === "string") return hasNul(value) ? path : null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findNul(item, [...path, String(i)]);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (hasNul(key)) return [...path, key];
      const found = findNul(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

function nulError(field: string): ApiError {
  const message = "must not contain NUL characters (U+0000)";
  return new ApiError("validation_error", `Invalid request: ${field}: ${message}`, [{ field, code: "invalid_format", format: "no_nul", message }]);
}
