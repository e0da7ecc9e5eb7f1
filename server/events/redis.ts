import { EventEmitter } from "node:events";
import { createClient } from "redis";
import type { AccountNotice, BalanceEvent } from "../../db/ledger/types";
import type { Logger } from "../logger";
import { routeMessage, type ApiKeyChangeListener, type BalanceListener, type EventBus, type NoticeListener } from "./bus";
import { closeRedis } from "./close-redis";

const channelOf = (accountId: string) => `balance:${accountId}`;
/** The channel of apiKeyChanged: every process subscribes to it (message: the key's id). */
const API_KEYS_CHANNEL = "api-keys:changed";

/**
 * Redis pub/sub bus: one channel per account (`balance:<accountId>`, carrying balance
 * events and notices), subscribed by
 * this process while at least one local listener (an open SSE connection) wants it, and
 * `api-keys:changed` (revoked keys, new key spend limits), subscribed by every process.
 * Uses two connections: publishing and subscribing (a subscribed connection can do
 * nothing else, per Redis' protocol).
 * @throws when Redis cannot be reached at start-up.
 */
export async function createRedisBus(url: string, logger: Logger): Promise<EventBus> {
  const pub = createClient({ url });
  pub.on("error", (err) => logger.error({ err }, "redis publisher error"));
  await pub.connect();
  const sub = pub.duplicate();
  sub.on("error", (err) => logger.error({ err }, "redis subscriber error"));
  await sub.connect();

  const local = new EventEmitter();
  local.setMaxListeners(0);
  const pending = new Map<string, Promise<void>>();

  const onMessage = (message: string, channel: string) => {
    local.emit(channel, JSON.parse(message) as BalanceEvent | AccountNotice);
  };

  const send = (message: BalanceEvent | AccountNotice) => {
    pub.publish(channelOf(message.accountId), JSON.stringify(message)).catch((err: unknown) =>
      logger.error({ err, accountId: message.accountId }, "balance event publish failed"),
    );
  };

  return {
    publish: send,
    notify: send,
    async subscribe(accountId: string, listener: BalanceListener, onNotice?: NoticeListener) {
      const channel = channelOf(accountId);
      const route = routeMessage(listener, onNotice);
      local.on(channel, route);
      if (local.listenerCount(channel) === 1) pending.set(channel, sub.subscribe(channel, onMessage));
      await pending.get(channel);
      return () => {
        local.off(channel, route);
        if (local.listenerCount(channel) === 0) {
          pending.delete(channel);
          sub.unsubscribe(channel).catch((err: unknown) => logger.warn({ err, channel }, "unsubscribe failed"));
        }
      };
    },
    apiKeyChanged(apiKeyId: string) {
      pub.publish(API_KEYS_CHANNEL, apiKeyId).catch((err: unknown) => logger.error({ err, apiKeyId }, "api key change publish failed"));
    },
    async onApiKeyChanged(listener: ApiKeyChangeListener) {
      await sub.subscribe(API_KEYS_CHANNEL, (apiKeyId) => listener(apiKeyId));
      // back after a lost connection (node-redis resubscribes): messages of the gap are lost
      sub.on("ready", () => listener(null));
    },
    async close() {
      local.removeAllListeners();
      await Promise.all([closeRedis(sub), closeRedis(pub)]);
    },
  };
}
