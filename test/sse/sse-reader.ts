import { EventSourceParserStream, type EventSourceMessage } from "eventsource-parser/stream";

export interface SseReader {
  /** The last `retry:` field's value (ms), null before any. */
  readonly retry: number | null;
  /** The next event; rejects after `timeoutMs` (ms) without one. */
  next(timeoutMs?: number): Promise<EventSourceMessage>;
  close(): Promise<void>;
}

/** Reads Server-Sent Events from a fetch Response (heartbeat comments are skipped by the parser). */
export function readSse(res: Response): SseReader {
  if (!res.body) throw new Error("response has no body");
  let retry: number | null = null;
  const reader = res.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream({ onRetry: (ms) => (retry = ms) }))
    .getReader();
  return {
    get retry() {
      return retry;
    },
    async next(timeoutMs = 5_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no SSE event within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const { value, done } = await Promise.race([reader.read(), timeout]);
        if (done || !value) throw new Error("SSE stream ended");
        return value;
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => reader.cancel().catch(() => {}),
  };
}
