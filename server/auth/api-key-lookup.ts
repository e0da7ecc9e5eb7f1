import type { Sql } from "../../db/client";
import type { CachedApiKey } from "./api-key-cache";

/** Most key hashes in one lookup statement; a busier turn starts another batch. */
export const MAX_HASHES_PER_LOOKUP = 500;

/** Loads API keys by key hash for the misses of the API key cache (createApiKeyLookup). */
export interface ApiKeyLookup {
  /**
   * The valid (not revoked) key whose secret hashes to `keyHash` (sha256 hex), or null
   * when there is none. Rejects with the database's error when the lookup fails (every
   * caller of that batch).
   */
  find(keyHash: string): Promise<CachedApiKey | null>;
}

interface Batch {
  hashes: string[];
  keys: Promise<Map<string, CachedApiKey>>;
}

/**
 * Batched API key lookups on `sql`: the misses of one event-loop turn (the batch closes
 * in `setImmediate`, after the turn's I/O callbacks) are loaded with ONE statement,
 * `WHERE key_hash = ANY($1) AND revoked_at IS NULL`, up to MAX_HASHES_PER_LOOKUP each.
 * Concurrent misses of one hash share one lookup (one promise) until it settles. Reads
 * only: last_used_at is stamped off the request path (server/auth/api-key-last-used.ts).
 */
export function createApiKeyLookup(sql: Sql): ApiKeyLookup {
  /** Lookups not yet settled, by key hash. */
  const pending = new Map<string, Promise<CachedApiKey | null>>();
  let open: Batch | null = null;

  const load = async (hashes: string[]) => {
    const rows = await sql<{ key_hash: string; id: string; account_id: string; scopes: string[]; spend_limited: boolean }[]>`
      SELECT key_hash, id, account_id, scopes,
             spend_limit_daily IS NOT NULL OR spend_limit_monthly IS NOT NULL AS spend_limited
        FROM api_keys WHERE key_hash = ANY(${hashes}::text[]) AND revoked_at IS NULL`;
    return new Map(rows.map((r) => [r.key_hash, { id: r.id, accountId: r.account_id, scopes: r.scopes, spendLimited: r.spend_limited }]));
  };

  const openBatch = (): Batch => {
    const hashes: string[] = [];
    const batch: Batch = {
      hashes,
      keys: new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        if (open === batch) open = null;
        return load(hashes);
      }),
    };
    return batch;
  };

  return {
    find(keyHash) {
      const known = pending.get(keyHash);
      if (known) return known;
      if (!open || open.hashes.length >= MAX_HASHES_PER_LOOKUP) open = openBatch();
      open.hashes.push(keyHash);
      const lookup = open.keys
        .then((keys) => keys.get(keyHash) ?? null)
        .finally(() => {
          if (pending.get(keyHash) === lookup) pending.delete(keyHash);
        });
      pending.set(keyHash, lookup);
      return lookup;
    },
  };
}
