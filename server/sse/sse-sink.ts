import type { ServerResponse } from "node:http";

/**
 * Reconnection delay sent as the stream's first field (`retry:`), so every browser waits
 * the same 2 s after a dropped connection (their own defaults differ: 3 s in Chromium,
 * 5 s in Firefox), and a fleet of dashboards does not depend on the browser mix.
 */
export const SSE_RETRY_MS = 2_000;

/** Comment line sent every 15 s so proxies and browsers keep the connection open. */
export const HEARTBEAT_MS = 15_000;
const HEARTBEAT_FRAME = ": heartbeat\n\n";

/**
 * Where one connection's Server-Sent Events go. Each `write` is one whole frame, so
 * frames never interleave (the shared heartbeat writes between frames, not inside one).
 */
export interface SseSink {
  /** Writes one frame; resolves when the sink can take more (backpressure), at once when closed. */
  write(frame: string): Promise<void>;
  /** True once the client has gone (or `end` was called). */
  readonly closed: boolean;
  /** Resolves when the client disconnects (or `end` was called). */
  readonly done: Promise<void>;
  /** Ends the response (server side close); idempotent. */
  end(): void;
}

/**
 * One `event:` frame. `data` must be one line (our payloads are JSON.stringify output,
 * which escapes newlines); no `id:` line when `id` is omitted.
 */
export function sseFrame(event: string, data: string, id?: number): string {
  return id === undefined ? `event: ${event}\ndata: ${data}\n\n` : `event: ${event}\nid: ${id}\ndata: ${data}\n\n`;
}

/** The `retry:` field: the browser's reconnection delay in ms (HTML Living Standard, "Server-sent events"). */
export const retryFrame = (ms: number): string => `retry: ${ms}\n\n`;

/**
 * Open sinks and the one timer writing their heartbeats. One shared 15 s interval instead
 * of one per connection: a Timeout object, its closure and a timer-list entry each per
 * connection otherwise (measured with 10 000 idle connections, loadtest/sse-memory.ts).
 * The timer runs only while a sink is open, so an idle process (or a test run) can exit.
 */
const heartbeatSinks = new Set<SseSink>();
let heartbeatTimer: NodeJS.Timeout | null = null;

function trackHeartbeat(sink: SseSink): void {
  heartbeatSinks.add(sink);
  heartbeatTimer ??= setInterval(() => {
    for (const s of heartbeatSinks) void s.write(HEARTBEAT_FRAME);
  }, HEARTBEAT_MS).unref();
  void sink.done.then(() => {
    heartbeatSinks.delete(sink);
    if (heartbeatSinks.size === 0 && heartbeatTimer) {
      clearInterval(heartbeatTimer);
      heartbeatTimer = null;
    }
  });
}

/**
 * A sink writing straight to Node's ServerResponse (`c.env.outgoing` under
 * @hono/node-server), whose headers the caller has written. No web streams in between:
 * hono's streamSSE kept a TransformStream, a reader, an AbortController and their
 * promises per connection (~25 objects).
 */
export function nodeSseSink(res: ServerResponse): SseSink {
  const done = new Promise<void>((resolve) => res.once("close", resolve));
  /** Pending while Node's buffer is over its high-water mark; one per episode, however many writes wait. */
  let drained: Promise<void> | null = null;
  const sink: SseSink = {
    get closed() {
      return res.destroyed || res.writableEnded;
    },
    done,
    write(frame) {
      if (!sink.closed && !res.write(frame)) {
        drained ??= new Promise<void>((resolve) => {
          res.once("drain", resolve);
          void done.then(resolve);
        }).then(() => void (drained = null));
      }
      return drained ?? Promise.resolve();
    },
    end: () => void res.end(),
  };
  trackHeartbeat(sink);
  return sink;
}

/**
 * A sink feeding a ReadableStream response body: for runtimes without a ServerResponse
 * (app.request in tests). The client cancelling the body counts as a disconnect.
 */
export function webSseSink(): { sink: SseSink; body: ReadableStream<Uint8Array> } {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  let markDone!: () => void;
  const done = new Promise<void>((resolve) => (markDone = resolve));
  const close = () => {
    closed = true;
    markDone();
  };
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c), cancel: close });
  const sink: SseSink = {
    get closed() {
      return closed;
    },
    done,
    async write(frame) {
      if (!closed) controller.enqueue(encoder.encode(frame));
    },
    end() {
      if (closed) return;
      close();
      controller.close();
    },
  };
  trackHeartbeat(sink);
  return { sink, body };
}
