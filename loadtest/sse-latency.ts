/**
 * Measures the time from a debit's commit to its SSE event at a client.
 *
 *   npm run measure:sse-latency [-- --debits 1000 --concurrency 4]
 *
 * Starts the service as a child process (`tsx server/main.ts`) on a fresh database
 * `balance_latency` at DATABASE_URL (default: local PostgreSQL), opens one SSE
 * connection over real HTTP, sends N debits through the API, and prints p50 / p90 /
 * p99 / max of (event arrival - committedAtMs) in ms. Both clocks are this machine's
 * (performance.timeOrigin + performance.now()).
 */
import { parseArgs } from "node:util";
import { EventSourceParserStream } from "eventsource-parser/stream";
import postgres from "postgres";
import { recreateDatabase, startService } from "./service";

const { values } = parseArgs({
  options: {
    debits: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "4" },
    port: { type: "string", default: "3917" },
  },
});
const debits = Number(values.debits);
const concurrency = Number(values.concurrency);
const databaseUrl = await recreateDatabase("balance_latency");
const service = await startService(databaseUrl, Number(values.port));
const base = service.baseUrl;

try {
  const signup = await fetch(`${base}/api/v1/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "latency@example.test", password: "latency-password", name: "Latency" }),
  });
  const cookie = signup.headers.get("set-cookie")!.split(";")[0]!;
  const { account } = (await signup.json()) as { account: { id: string } };
  const key = (await (
    await fetch(`${base}/api/v1/api-keys`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ name: "latency" }),
    })
  ).json()) as { secret: string };
  // Fund the account through the ledger directly (a measurement fixture, not a payment).
  const db = postgres(databaseUrl, { max: 1 });
  await db`UPDATE accounts SET overdraft_limit = 100000000 WHERE id = ${account.id}`;
  await db.end();

  const latencies: number[] = [];
  const sse = await fetch(`${base}/api/v1/events`, { headers: { cookie } });
  const reader = sse.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  const received = (async () => {
    while (latencies.length < debits) {
      const { value, done } = await reader.read();
      if (done) throw new Error("SSE stream ended early");
      if (value.event !== "balance") continue;
      const arrivedAt = performance.timeOrigin + performance.now();
      latencies.push(arrivedAt - (JSON.parse(value.data) as { committedAtMs: number }).committedAtMs);
    }
  })();

  let sent = 0;
  const worker = async () => {
    while (sent < debits) {
      sent++;
      const res = await fetch(`${base}/api/v1/usage`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key.secret}` },
        body: JSON.stringify({ amount: 1 }),
      });
      if (res.status !== 201) throw new Error(`debit failed: ${res.status} ${await res.text()}`);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  await received;
  const elapsedS = (performance.now() - started) / 1000;
  await reader.cancel();

  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(2);
  process.stdout.write(
    `commit -> SSE event at client, ${debits} debits (${concurrency} concurrent senders, ${(debits / elapsedS).toFixed(0)} debits/s):\n` +
      `  p50 ${pct(50)} ms   p90 ${pct(90)} ms   p99 ${pct(99)} ms   max ${latencies.at(-1)!.toFixed(2)} ms\n`,
  );
} finally {
  await service.stop();
}
