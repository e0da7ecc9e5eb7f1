import type { HttpBindings } from "@hono/node-server";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { requireSession } from "../../middleware/auth";
import { openBalanceStream, type BalanceStreamInput } from "../../sse/balance-stream";
import { nodeSseSink, webSseSink } from "../../sse/sse-sink";

/**
 * GET /events: Server-Sent Events for the session's account (shared/DESIGN.md, "Live
 * events"). See server/sse/balance-stream.ts for the protocol.
 *
 * Under @hono/node-server the frames go straight to Node's ServerResponse and the
 * handler returns at once (RESPONSE_ALREADY_SENT), so nothing of the request's Hono
 * context stays alive with the connection: with 10 000 idle connections that is most of
 * the memory per connection (loadtest/sse-memory.ts). Elsewhere (app.request in tests)
 * the body is a ReadableStream fed by the same protocol code.
 */
export const eventsRoutes = new Hono<AppEnv & { Bindings: Partial<HttpBindings> }>().get("/events", requireSession(), (c) => {
  const requestId = c.get("requestId");
  const input: BalanceStreamInput = {
    deps: c.get("deps"),
    accountId: c.get("accountId"),
    lastEventId: parseLastEventId(c.req.header("Last-Event-ID") ?? c.req.query("lastEventId")),
    requestId,
  };
  const headers = {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no", // nginx: do not buffer this response
    "X-Request-Id": requestId, // requestContext() sets it after the handler: too late for a response already sent
  };
  const outgoing = c.env?.outgoing;
  if (outgoing) {
    outgoing.writeHead(200, headers);
    outgoing.flushHeaders();
    void openBalanceStream(nodeSseSink(outgoing), input);
    return RESPONSE_ALREADY_SENT;
  }
  const { sink, body } = webSseSink();
  void openBalanceStream(sink, input);
  return c.body(body, 200, headers);
});

function parseLastEventId(raw: string | undefined): number | null {
  if (!raw || !/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}
