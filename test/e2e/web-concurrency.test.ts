import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request as httpRequest } from "node:http";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { readSse } from "../sse/sse-reader";
import { freePort } from "./free-port";

/**
 * WEB_CONCURRENCY=2 (server/cluster.ts): `npm start`'s entry point forks two API
 * processes sharing one port. An SSE connection is held by one of them; a debit served
 * by the OTHER one (told apart by its own /metrics on the same keep-alive connection:
 * `sse_connections_open 0`) reaches it over Redis.
 */
let ctx: TestContext;
let service: ChildProcess;
let output = "";
let base: string;

beforeAll(async () => {
  ctx = await createTestContext();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  service = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: inject("databaseUrl"),
      REDIS_URL: inject("redisUrl"),
      WEB_CONCURRENCY: "2",
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      DEMO: "0",
    },
  });
  service.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  service.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  for (const deadline = Date.now() + 120_000; !output.includes("running at");) {
    if (service.exitCode !== null || Date.now() > deadline) throw new Error(`the service did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterAll(async () => {
  if (service && service.exitCode === null) {
    const exited = new Promise((r) => service.once("exit", r));
    service.kill("SIGTERM");
    await exited;
  }
  await ctx?.close();
});

/** One request on `agent` (one keep-alive socket: the same API process each time). */
function send(agent: Agent, method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, agent, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

it("runs two API processes on one port; a debit served by the process without the SSE connection reaches it", async () => {
  expect(output).toContain("API processes: 2 (WEB_CONCURRENCY)");
  const c = await newCustomer(ctx);
  await fund(ctx, c.accountId, 10_000);

  const res = await fetch(`${base}/api/v1/events`, { headers: { cookie: c.cookie } });
  expect(res.status).toBe(200);
  const sse = readSse(res);
  expect(JSON.parse((await sse.next()).data)).toMatchObject({ balance: 10_000 });

  let crossed = false;
  // connections go round-robin to the two processes: a few fresh ones reach the other
  for (let attempt = 1; attempt <= 10 && !crossed; attempt++) {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const debit = await send(
        agent,
        "POST",
        "/api/v1/usage",
        { authorization: `Bearer ${c.apiKey}`, "content-type": "application/json" },
        JSON.stringify({ amount: attempt, description: `attempt ${attempt}` }),
      );
      expect(debit.status).toBe(201);
      const sseOpenHere = /^sse_connections_open (\d+)/m.exec((await send(agent, "GET", "/metrics")).text)?.[1];
      const event = JSON.parse((await sse.next()).data) as { entry: { amount: number; description: string } };
      expect(event.entry).toMatchObject({ amount: -attempt, description: `attempt ${attempt}` });
      crossed = sseOpenHere === "0";
    } finally {
      agent.destroy();
    }
  }
  expect(crossed).toBe(true);
  await sse.close();
});

it("refuses WEB_CONCURRENCY > 1 without REDIS_URL, saying why and what to do", async () => {
  const refused = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: inject("databaseUrl"), WEB_CONCURRENCY: "3" },
  });
  let stderr = "";
  refused.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise((r) => refused.once("exit", r));
  expect(code).toBe(1);
  expect(stderr).toContain("WEB_CONCURRENCY=3 needs REDIS_URL");
  expect(stderr).toContain("WEB_CONCURRENCY=1");
});
