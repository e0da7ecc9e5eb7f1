import { z } from "@hono/zod-openapi";

/**
 * Keyset cursors of the operator lists: opaque to clients (base64url of a JSON array of the
 * last row's sort key, e.g. `["2026-12-03T03:00:00.000Z", "aud_..."]`). Decoding checks the
 * shape only; the values go into SQL as parameters.
 */
export const encodeCursor = (key: readonly (string | number)[]) => Buffer.from(JSON.stringify(key)).toString("base64url");

/** A query parameter holding a cursor of encodeCursor: decodes to the key, or fails validation ("invalid cursor"). */
export const CursorParam = z
  .string()
  .max(512)
  .transform((s, ctx) => {
    try {
      const key: unknown = JSON.parse(Buffer.from(s, "base64url").toString());
      if (Array.isArray(key) && key.length === 2 && key.every((v) => typeof v === "string" || Number.isSafeInteger(v))) {
        return key as [string | number, string];
      }
    } catch {
      // not JSON: reported below
    }
    ctx.addIssue({ code: "custom", message: "invalid cursor" });
    return z.NEVER;
  })
  .openapi({ type: "string", description: "nextCursor of the previous page" });
