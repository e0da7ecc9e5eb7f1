import type { HttpBindings } from "@hono/node-server";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { Context } from "hono";
import type { AppEnv } from "../context";
import { openBalanceStream, type BalanceStreamInput } from "./balance-stream";
import { nodeSseSink, webSseSink } from "./sse-sink";

/**
 * Answers a request with the balance stream of `input.accountId` (GET /events, and the
 * console's GET /operator/accounts/{id}/events). Under @hono/node-server the frames go
 * straight to Node's ServerResponse and the handler returns at once (RESPONSE_ALREADY_SENT),
 * so nothing of the request's Hono context stays alive with the connection (most of the
 * memory per idle connection: loadtest/sse-memory.ts). Elsewhere (app.request in tests) the
 * body is a ReadableStream fed by the same protocol code.
 */
export function respondWithBalanceStream(
  c: Context<AppEnv & { Bindings: Partial<HttpBindings> }>,
  input: BalanceStreamInput,
): Response {
  const headers = {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no", // nginx: do not buffer this response
    "X-Request-Id": input.requestId, // requestContext() sets it after the handler: too late for a response already sent
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
}
