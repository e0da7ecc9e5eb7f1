import type { Principal } from "../../context";

/**
 * The id of the calling API key when it has spend limits of its own (api_keys.spend_limit_*),
 * else null: its usage then posts through the batch posting, which locks the key row after
 * the account's and keeps its counters (db/ledger/post-usage-batch.ts). Other keys, sessions
 * and the operator key take the plain path (per-account coalescing and group commit).
 */
export function limitedApiKeyOf(principal: Principal | undefined): string | null {
  return principal?.kind === "api_key" && principal.spendLimited ? principal.apiKeyId : null;
}
