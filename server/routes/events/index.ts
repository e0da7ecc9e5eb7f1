import type { HttpBindings } from "@hono/node-server";
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../context";
import { requireSession } from "../../middleware/auth";
import { registerOperation } from "../../openapi/route-docs";
import { respondWithBalanceStream } from "../../sse/respond";

/**
 * GET /events: Server-Sent Events for the session's account (shared/DESIGN.md, "Live
 * events"). See server/sse/balance-stream.ts for the protocol, server/sse/respond.ts for
 * how the response is written.
 */
const auth = requireSession();

const STREAM_DESCRIPTION = `Server-Sent Events (text/event-stream) for the session's account, in this order:

1. \`retry: <ms>\`: how long the browser waits before reconnecting;
2. with \`Last-Event-ID\` (or \`?lastEventId=\`): the missed \`balance\` events after it, oldest first;
3. \`event: snapshot\` (no id): the Balance now (data: accountId, currency, balance, held, available, overdraftLimit, sequence, status, suspendedReason);
4. live \`event: balance\` with \`id: <sequence>\` (data: accountId, sequence, balance, held, available, currency, entry: LedgerEntry, committedAtMs; \`replayed: true\` when read back from the ledger), each sequence once, in order;
5. \`event: notification\` (auto top-up outcomes, refunds), \`event: account\` (suspended, reactivated), \`event: hold\` (held amount changed), without id; data: kind, accountId, event, type, data, at;
6. a \`: heartbeat\` comment every 15 s.

Sequences only grow, so a client may show each event as the latest.`;

const router = new OpenAPIHono<AppEnv & { Bindings: Partial<HttpBindings> }>();
// The handler below is a plain Hono one (it streams); this is its OpenAPI operation.
registerOperation(router, {
  method: "get",
  path: "/events",
  operationId: "streamEvents",
  tags: ["balance"],
  summary: "Live balance, ledger entries and notices (Server-Sent Events)",
  description: STREAM_DESCRIPTION,
  middleware: auth,
  request: {
    headers: z.object({
      "last-event-id": z.string().optional().openapi({ description: "The last balance event id (sequence) seen." }),
    }),
    query: z.object({ lastEventId: z.string().optional().openapi({ description: "Same as Last-Event-ID." }) }),
  },
  responses: {
    200: {
      description: "The event stream (open until the client leaves)",
      content: { "text/event-stream": { schema: z.string().openapi({ description: "SSE frames as above." }) } },
    },
  },
});

export const eventsRoutes = router.get("/events", auth, (c) =>
  respondWithBalanceStream(c, {
    deps: c.get("deps"),
    accountId: c.get("accountId"),
    lastEventId: parseLastEventId(c.req.header("Last-Event-ID") ?? c.req.query("lastEventId")),
    requestId: c.get("requestId"),
  }),
);

function parseLastEventId(raw: string | undefined): number | null {
  if (!raw || !/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}
