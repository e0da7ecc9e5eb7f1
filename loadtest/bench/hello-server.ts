/**
 * A hello-world HTTP server for the framework-overhead comparison of `npm run bench`:
 *   tsx loadtest/bench/hello-server.ts <hono|node> <port>
 * `hono`: Hono on @hono/node-server (our stack); `node`: bare node:http. Both answer
 * GET / with 200 "Hello, world!" (text/plain) on 127.0.0.1.
 */
import { createServer } from "node:http";
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const [kind, port] = process.argv.slice(2);
const BODY = "Hello, world!";
if (kind === "hono") {
  serve({ fetch: new Hono().get("/", (c) => c.text(BODY)).fetch, port: Number(port), hostname: "127.0.0.1" });
} else if (kind === "node") {
  createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "text/plain; charset=UTF-8" }).end(BODY);
  }).listen(Number(port), "127.0.0.1");
} else {
  process.stderr.write("usage: hello-server.ts <hono|node> <port>\n");
  process.exit(2);
}
