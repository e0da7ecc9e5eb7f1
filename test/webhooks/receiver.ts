import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The body as UTF-8 text. */
  body: string;
  /** The body's bytes (Web Push messages are encrypted binary). */
  raw: Buffer;
  /** The request path, e.g. /hooks. */
  path: string;
}

/**
 * A local HTTP endpoint that records every POST. It answers each request with the next
 * status of `statuses` (then 200 for ever). `waitFor(n)` resolves once n requests arrived.
 */
export async function startReceiver(statuses: number[] = []) {
  const received: ReceivedWebhook[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      received.push({ headers: req.headers, body: raw.toString("utf8"), raw, path: req.url ?? "" });
      res.writeHead(statuses.shift() ?? 200, { "content-type": "text/plain" }).end("ok from receiver");
      for (const w of waiters.filter((w) => received.length >= w.count)) w.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    statuses,
    /** Resolves when `count` requests have arrived; rejects after `timeoutMs`. */
    waitFor(count: number, timeoutMs = 15_000): Promise<void> {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${received.length} of ${count} webhooks arrived`)),
          timeoutMs,
        );
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
