import { EventEmitter } from "node:events";
import { createClient } from "redis";
import type { BalanceEvent } from "../../db/ledger/types";
import type { Logger } from "../logger";
import type { BalanceListener, EventBus } from "./bus";

const channelOf = (accountId: string) => `balance:${accountId}`;

/**
 * Redis pub/sub bus: one channel per account (`balance:<accountId>`), subscribed by
 * this process while at least one local listener (an open SSE connection) wants it.
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
    local.emit(channel, JSON.parse(message) as BalanceEvent);
  };

  return {
    publish(event: BalanceEvent) {
      pub.publish(channelOf(event.accountId), JSON.stringify(event)).catch((err: unknown) =>
        logger.error({ err, accountId: event.accountId }, "balance event publish failed"),
      );
    },
    async subscribe(accountId: string, listener: BalanceListener) {
      const channel = channelOf(accountId);
      local.on(channel, listener);
      if (local.listenerCount(channel) === 1) pending.set(channel, sub.subscribe(channel, onMessage));
      await pending.get(channel);
      return () => {
        local.off(channel, listener);
        if (local.listenerCount(channel) === 0) {
          pending.delete(channel);
          sub.unsubscribe(channel).catch((err: unknown) => logger.warn({ err, channel }, "unsubscribe failed"));
        }
      };
    },
    async close() {
      local.removeAllListeners();
      await Promise.allSettled([sub.quit(), pub.quit()]);
    },
  };
}
