import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { AppEnv } from "../../context";
import { requireSession } from "../../middleware/auth";
import { openBalanceStream } from "../../sse/balance-stream";

/**
 * GET /events: Server-Sent Events for the session's account (shared/DESIGN.md, "Live
 * events"). See server/sse/balance-stream.ts for the protocol.
 */
export const eventsRoutes = new Hono<AppEnv>().get("/events", requireSession(), (c) => {
  const lastEventId = parseLastEventId(c.req.header("Last-Event-ID") ?? c.req.query("lastEventId"));
  c.header("X-Accel-Buffering", "no"); // nginx: do not buffer this response
  return streamSSE(c, (stream) =>
    openBalanceStream(stream, {
      deps: c.get("deps"),
      accountId: c.get("accountId"),
      lastEventId,
      log: c.get("log"),
    }),
  );
});

function parseLastEventId(raw: string | undefined): number | null {
  if (!raw || !/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}
