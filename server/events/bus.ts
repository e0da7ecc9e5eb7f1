import type { AccountNotice, BalanceEvent, LedgerEventSink } from "../../db/ledger/types";

/** Called for each BalanceEvent of the subscribed account, in arrival order. */
export type BalanceListener = (event: BalanceEvent) => void;
/** Called for each AccountNotice of the subscribed account, in arrival order. */
export type NoticeListener = (notice: AccountNotice) => void;
/**
 * Called with the id (api_keys.id) of an API key that was revoked or got new spend limits,
 * or with null when changes may have been missed (the Redis subscription was lost and is
 * back): then every cached key must be forgotten.
 */
export type ApiKeyChangeListener = (apiKeyId: string | null) => void;

/**
 * Fan-out of BalanceEvents and AccountNotices to every API process: Redis pub/sub across
 * instances (redis.ts) or an in-process emitter (in-process.ts) for the single-process
 * default. Both travel on the account's one channel; notices carry `kind: "notice"`.
 * `publish` / `notify` never throw (a lost live event is recovered by the client through
 * Last-Event-ID / sequence gap refetch); failures are logged.
 */
export interface EventBus extends LedgerEventSink {
  /** Resolves once the subscription is active; returns the unsubscribe function. */
  subscribe(accountId: string, listener: BalanceListener, onNotice?: NoticeListener): Promise<() => void>;
  /**
   * Tells every API process (this one included) that an API key changed, so each drops it
   * from its cache (server/auth/api-key-cache.ts). Never throws. Over Redis, a message sent
   * while Redis is away waits in the client's offline queue, and a process whose subscription
   * dropped forgets all its keys when it is back (listener called with null); the cache's TTL
   * (API_KEY_CACHE_TTL_MS) bounds what is left: a publishing process that dies before Redis returns.
   */
  apiKeyChanged(apiKeyId: string): void;
  /** Listens for apiKeyChanged from any process, for the bus's lifetime; resolves once listening. */
  onApiKeyChanged(listener: ApiKeyChangeListener): Promise<void>;
  close(): Promise<void>;
}

/** One listener for the raw channel message, routing balance events and notices apart. */
export function routeMessage(listener: BalanceListener, onNotice?: NoticeListener) {
  return (message: BalanceEvent | AccountNotice) => {
    if ("kind" in message && message.kind === "notice") onNotice?.(message);
    else listener(message as BalanceEvent);
  };
}
