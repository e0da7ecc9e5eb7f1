import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from "request-filtering-agent";

/** Connection pools: one pair that refuses private and reserved addresses (request-filtering-agent), one that does not. */
const AGENTS = {
  publicOnly: { "http:": new RequestFilteringHttpAgent(), "https:": new RequestFilteringHttpsAgent() },
  any: { "http:": new HttpAgent(), "https:": new HttpsAgent() },
};

export interface PostOptions {
  /** Allow addresses on private networks (loopback, RFC 1918, link-local, ...). */
  allowPrivate: boolean;
  /** Whole request, connect to last byte, ms. */
  timeoutMs: number;
  /** Bytes of the response body to keep (the rest is read and dropped). */
  keepBytes: number;
}

/**
 * POSTs `body` to `url` with `headers` (webhook deliveries; Web Push messages, whose body
 * is the encrypted bytes) and resolves with the status and the first
 * `keepBytes` of the response body. Redirects are not followed. With `allowPrivate`
 * false, a host that is, or resolves to, a non-public address is refused at connect
 * time (after DNS, so a name cannot rebind to an internal address in between).
 * @throws Error on connection failure, a refused address or the timeout (`TimeoutError`)
 */
export function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string | Buffer,
  options: PostOptions,
): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  const agent = (options.allowPrivate ? AGENTS.any : AGENTS.publicOnly)[target.protocol as "http:" | "https:"];
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: "POST",
        agent,
        headers: { ...headers, "content-length": Buffer.byteLength(body) },
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (res) => {
        let kept = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (kept.length < options.keepBytes) kept += chunk.slice(0, options.keepBytes - kept.length);
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: kept }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
