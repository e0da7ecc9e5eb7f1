import type { IncomingMessage } from "node:http";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/**
 * Limits request bodies to `maxSize` bytes (413 through `onTooLarge`, which must throw or
 * answer), like hono/body-limit, which it uses when the request did not come through
 * @hono/node-server (e.g. `app.request()` in tests). Under @hono/node-server it reads the
 * body straight from Node's IncomingMessage (`c.env.incoming`) instead of `c.req.raw.body`:
 * reading the WHATWG body made the adapter build a full Request (URL, Headers, an
 * AbortController, a web ReadableStream), a large share of a debit's CPU in
 * `node --cpu-prof` profiles (README, Performance). The bytes are then:
 * - Hono's body cache (`c.req.arrayBuffer()` exact bytes; `c.req.text()`/`json()` decoded
 *   as the Fetch standard does: UTF-8, a leading BOM dropped, invalid bytes replaced);
 * - `incoming.rawBody`, from which the adapter builds `c.req.raw.body` if anything still
 *   asks for it, so no reader sees an empty body.
 * Same rules as hono/body-limit: a Content-Length (without Transfer-Encoding) over the
 * limit is refused unread; otherwise the count stops at the first byte over it.
 */
export function limitBody(maxSize: number, onTooLarge: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  const fallback = bodyLimit({ maxSize, onError: onTooLarge });
  const decoder = new TextDecoder(); // fatal: false, ignoreBOM: false, as Body.text()
  return async (c, next) => {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (!incoming || incoming.readableEnded || "rawBody" in incoming) return fallback(c, next);
    const length = incoming.headers["content-length"];
    if (length !== undefined && incoming.headers["transfer-encoding"] === undefined && parseInt(length, 10) > maxSize) {
      return onTooLarge(c);
    }
    const body = await readUpTo(incoming, maxSize);
    if (!body) return onTooLarge(c);
    (incoming as IncomingMessage & { rawBody: Buffer }).rawBody = body;
    const bytes = body.buffer.slice(body.byteOffset, body.byteOffset + body.length) as ArrayBuffer;
    // Hono keeps promises there (its types say values); arrayBuffer first: Hono converts
    // any other kind from the first cached one, so from the exact bytes
    const cache = c.req.bodyCache as Record<string, Promise<unknown>>;
    cache.arrayBuffer = Promise.resolve(bytes);
    cache.text = Promise.resolve(decoder.decode(body));
    return next();
  };
}

/** The whole body of `incoming`, or null once it exceeds `maxSize` bytes (the rest is left unread). */
export function readUpTo(incoming: IncomingMessage, maxSize: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: Buffer | null) => {
      incoming.off("data", onData).off("end", onEnd).off("error", onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxSize) {
        incoming.pause();
        return done(null);
      }
      chunks.push(chunk);
    };
    const onEnd = () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    const onError = (err: Error) => {
      incoming.off("data", onData).off("end", onEnd);
      reject(err);
    };
    incoming.on("data", onData).on("end", onEnd).on("error", onError);
  });
}
