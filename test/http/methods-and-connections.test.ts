import { connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";

let ctx: TestContext;
let server: ServerType;
let port: number;

beforeAll(async () => {
  ctx = await createTestContext();
  server = serve({ fetch: ctx.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await ctx.close();
});

describe("a wrong method on a known API path", () => {
  it("is 405 with Allow listing the path's registered methods", async () => {
    const res = await ctx.request("DELETE", "/api/v1/balance");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    const body = (await res.json()) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe("method_not_allowed");
    expect(body.error.requestId).toMatch(/^req_/);
  });

  it("matches path parameters, and lists every method of the path", async () => {
    const res = await ctx.request("PUT", "/api/v1/api-keys/key_123");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("DELETE");
    const keys = await ctx.request("PATCH", "/api/v1/api-keys");
    expect(keys.headers.get("allow")).toBe("GET, HEAD, POST");
  });

  it("an unknown path is still 404", async () => {
    expect((await ctx.request("DELETE", "/api/v1/no-such-thing")).status).toBe(404);
  });
});

/** Sends raw bytes on `socket` and resolves with one whole HTTP/1.1 response (Content-Length framed). */
function exchange(socket: Socket, request: Buffer | string): Promise<{ head: string; body: string }> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = data.subarray(0, end).toString();
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (data.length < end + 4 + length) return;
      socket.off("data", onData).off("error", reject).off("end", onClose).off("close", onClose);
      resolve({ head, body: data.subarray(end + 4, end + 4 + length).toString() });
    };
    const onClose = () => reject(new Error(`connection closed; received: ${JSON.stringify(data.toString())}`));
    socket.on("data", onData).once("error", reject).once("end", onClose).once("close", onClose);
    socket.write(request);
  });
}

describe("413 on a keep-alive connection", () => {
  it("the next request on the same connection is answered (the oversized body is not read as one)", async () => {
    const socket = connect(port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    const body = JSON.stringify({ name: "x".repeat(100 * 1024) });
    const first = await exchange(
      socket,
      `POST /api/v1/auth/signup HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    expect(first.head).toMatch(/^HTTP\/1\.1 413 /);
    expect(JSON.parse(first.body)).toMatchObject({ error: { code: "payload_too_large" } });
    const closedByServer = new Promise((resolve) => socket.once("end", () => resolve("end")));
    if (/\r\nconnection: close/i.test(first.head)) {
      // The server said it closes the connection: it must, and not read on.
      expect(await closedByServer).toBe("end");
    } else {
      // It said keep-alive: a client may reuse the connection later, e.g. after a second
      // (longer than @hono/node-server's 500 ms drain of an unread body).
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const second = await exchange(socket, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
      expect(second.head).toMatch(/^HTTP\/1\.1 200 /);
    }
    socket.destroy();
  });

  it("a client that honours Connection gets its next request answered", async () => {
    const { Agent, request } = await import("node:http");
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, path: string, body?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, method, path, agent, headers: body ? { "content-type": "application/json" } : {} }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode!));
        });
        req.on("error", reject);
        req.end(body);
      });
    expect(await send("POST", "/api/v1/auth/signup", JSON.stringify({ name: "x".repeat(100 * 1024) }))).toBe(413);
    expect(await send("GET", "/healthz")).toBe(200);
    agent.destroy();
  });
});

describe("request bodies read from Node's IncomingMessage (server/middleware/body-limit.ts)", () => {
  const post = (path: string, body: Buffer | string, headers: Record<string, string>) =>
    fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

  it("a chunked body (no Content-Length) over 64 KiB is 413", async () => {
    const big = JSON.stringify({ name: "x".repeat(100 * 1024) });
    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < big.length; i += 8192) controller.enqueue(new TextEncoder().encode(big.slice(i, i + 8192)));
        controller.close();
      },
    });
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: chunked,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
  });

  it("decodes like the Fetch standard (a leading BOM dropped) and still finds a NUL anywhere", async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ email: "bom@example.test", password: "not the password" }))]);
    const withBom = await post("/api/v1/auth/login", bom, {});
    // parsed: a login refusal (401), not invalid JSON (400)
    expect(withBom.status).toBe(401);
    const nul = await post("/api/v1/auth/login", JSON.stringify({ email: "a@example.test", password: "x\u0000y" }), {});
    expect(nul.status).toBe(400);
    expect(((await nul.json()) as { error: { details: { field: string }[] } }).error.details[0]!.field).toBe("password");
  });
});

describe("a debit's answer over real HTTP", () => {
  it("states its length and is not gzipped (under hono/compress' 1 KiB threshold), with X-Request-Id", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/usage`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${c.apiKey}`, "accept-encoding": "gzip" },
      body: JSON.stringify({ amount: 7 }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-encoding")).toBeNull();
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    const text = await res.text();
    expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(text));
    expect(JSON.parse(text)).toMatchObject({ balance: 993, entry: { amount: -7 } });
  });
});
