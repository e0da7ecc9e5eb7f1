import { readFileSync } from "node:fs";
import { startK6 } from "../k6";
import { sampleValue } from "../prometheus-text";
import type { RunningService } from "../service";

/** The server's memory growth for `connections` idle SSE connections. */
export interface IdleSseMemory {
  connections: number;
  /** Resident set growth / connections, KB (1 KB = 1024 bytes): the goal is < 20. */
  perConnectionKb: number;
  rssDeltaMb: number;
  /** JS heap in use, growth; includes garbage not yet collected, so only indicative. */
  heapDeltaMb: number;
}

/** How long the connections sit idle before the second reading (lets allocation settle), ms. */
const SETTLE_MS = 2_000;

/**
 * Opens one idle SSE connection per seeded account (loadtest/scenarios/idle-sse.js, one
 * k6 VU holding them all for `holdS` seconds) against `service`, waits until the server's
 * `sse_connections_open` gauge counts them all, and compares the server's RSS and JS heap
 * before and after. The connections stay open until `close()` (bench: debits run while
 * they are open). `k6Env` needs BASE_URL and SEED_FILE.
 * @throws Error when not all connections open within 90 s.
 */
export async function openIdleSse(
  k6: string,
  service: RunningService,
  k6Env: Record<string, string>,
  connections: number,
  holdS: number,
): Promise<{ memory: IdleSseMemory; close(): Promise<void> }> {
  const before = await memoryOf(service.pid, service.baseUrl);
  const holder = startK6(k6, ["loadtest/scenarios/idle-sse.js"], { ...k6Env, HOLD_S: String(holdS) }, false);
  const close = async () => {
    holder.child.kill("SIGTERM");
    await holder.exited;
  };
  try {
    await waitForSseConnections(service.baseUrl, connections);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
  } catch (err) {
    await close();
    throw err;
  }
  const after = await memoryOf(service.pid, service.baseUrl);
  const memory = {
    connections,
    perConnectionKb: (after.rssKb - before.rssKb) / connections,
    rssDeltaMb: (after.rssKb - before.rssKb) / 1024,
    heapDeltaMb: (after.heapUsedBytes - before.heapUsedBytes) / 2 ** 20,
  };
  return { memory, close };
}

/** One line: "Memory per idle SSE connection: 18.3 KB (server RSS +..., JS heap +... for N connections)". */
export function formatIdleSseMemory(m: IdleSseMemory): string {
  return (
    `Memory per idle SSE connection: ${m.perConnectionKb.toFixed(1)} KB ` +
    `(server RSS +${m.rssDeltaMb.toFixed(1)} MB, JS heap +${m.heapDeltaMb.toFixed(1)} MB for ${m.connections} connections)`
  );
}

/** The server's resident set (/proc/<pid>/status) and JS heap in use (its /metrics). */
async function memoryOf(pid: number, baseUrl: string): Promise<{ rssKb: number; heapUsedBytes: number }> {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
  return { rssKb: Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]), heapUsedBytes: sampleValue(metrics, "nodejs_heap_size_used_bytes") };
}

/** Resolves once the server's sse_connections_open gauge reaches `count`. @throws after 90 s. */
async function waitForSseConnections(baseUrl: string, count: number): Promise<void> {
  for (let i = 0; i < 180; i++) {
    const open = sampleValue(await (await fetch(`${baseUrl}/metrics`)).text(), "sse_connections_open");
    if (open >= count) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`fewer than ${count} SSE connections open after 90 s`);
}
