/** What authenticating an API key yields (the api_keys row, minus secrets). */
export interface CachedApiKey {
  id: string;
  accountId: string;
  scopes: string[];
  /** The key has a daily or monthly spend limit of its own (its usage then posts through postUsageEvent). */
  spendLimited: boolean;
}

/**
 * Valid API keys by key hash, for `ttlMs` ms, so a request with a known key skips the
 * api_keys SELECT (one round trip of a debit's two). Only valid keys are cached;
 * at most `maxEntries` (oldest evicted first, Map insertion order). Misses are loaded
 * in batches, one statement per event-loop turn (server/auth/api-key-lookup.ts); neither
 * path writes: last_used_at is stamped by a periodic flush (server/auth/api-key-last-used.ts).
 * Revocation and a key's new spend limits take effect at once on every process: the
 * route evicts the key here and broadcasts it on the event bus (EventBus.apiKeyChanged,
 * over Redis between processes), whose listener evicts it everywhere; a process whose
 * Redis subscription dropped forgets every key when it is back (evict(null)). `ttlMs`
 * (API_KEY_CACHE_TTL_MS, default 300 s; 0 = no cache) bounds what is left: a broadcast of a
 * process that died while Redis was away. 300 s keeps the keys of customers who call a few
 * times a minute cached (`npm run bench`: 10 000 keys, each seen about once a minute).
 */
export interface ApiKeyCache {
  get(keyHash: string): CachedApiKey | undefined;
  set(keyHash: string, key: CachedApiKey): void;
  /** Forgets the key with this id (api_keys.id), e.g. after revoking it; null: forgets every key. */
  evict(id: string | null): void;
}

/** Creates an ApiKeyCache (see there); ttlMs 0 makes every call a miss. */
export function createApiKeyCache(ttlMs: number, maxEntries = 10_000): ApiKeyCache {
  const entries = new Map<string, { key: CachedApiKey; expiresAtMs: number }>();
  return {
    get(keyHash) {
      const entry = entries.get(keyHash);
      if (!entry) return undefined;
      if (entry.expiresAtMs > performance.now()) return entry.key;
      entries.delete(keyHash);
      return undefined;
    },
    set(keyHash, key) {
      if (ttlMs <= 0) return;
      entries.delete(keyHash);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(keyHash, { key, expiresAtMs: performance.now() + ttlMs });
    },
    evict(id) {
      if (id === null) return entries.clear();
      for (const [hash, entry] of entries) if (entry.key.id === id) entries.delete(hash);
    },
  };
}
