import type { Sql } from "../../db/client";
import type { Logger } from "../logger";

/** Collects the API keys used on this process and stamps their last_used_at (createApiKeyLastUsed). */
export interface ApiKeyLastUsed {
  /** Notes that the key with this id (api_keys.id) was just used; no I/O. */
  record(id: string): void;
  /**
   * Stamps last_used_at = now() on the keys recorded since the last flush, with ONE UPDATE.
   * Never rejects: a failure is logged (warn) and the ids are kept for the next flush.
   * Flushes run one after the other.
   */
  flush(): Promise<void>;
  /** Stops the timer and flushes what is left (shutdown, before the pool closes). */
  stop(): Promise<void>;
}

/**
 * last_used_at off the request path: authenticating a key (cache hit or miss) only adds
 * its id to a per-process set; every `flushMs` ms (API_KEY_LAST_USED_FLUSH_MS, default
 * 15 s; the timer is unref()ed) ONE UPDATE stamps now() on the set's keys not stamped in
 * the last minute, so a busy key is not a hot row and several processes stamp it about
 * once a minute between them. The portal shows "last used" to the minute, which this
 * keeps within the flush interval: a use shows up at most `flushMs` late once the key's
 * stamp is a minute old (a key in constant use is re-stamped once a minute). The set
 * holds at most one id per key in use; a process killed without its shutdown loses the
 * stamps of its last `flushMs`.
 */
export function createApiKeyLastUsed(sql: Sql, flushMs: number, logger: Logger): ApiKeyLastUsed {
  let used = new Set<string>();
  /** The last flush, which the next one waits for. */
  let flushing = Promise.resolve();

  const stamp = async () => {
    if (used.size === 0) return;
    const ids = [...used];
    used = new Set();
    try {
      await sql`
        UPDATE api_keys SET last_used_at = now()
         WHERE id = ANY(${ids}::text[]) AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`;
    } catch (err) {
      for (const id of ids) used.add(id);
      logger.warn({ err, keys: ids.length }, "stamping API keys' last_used_at failed; retrying at the next flush");
    }
  };

  const flush = () => (flushing = flushing.then(stamp));
  const timer = setInterval(() => void flush(), flushMs).unref();

  return {
    record(id) {
      used.add(id);
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
