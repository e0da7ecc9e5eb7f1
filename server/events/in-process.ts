import { EventEmitter } from "node:events";
import type { AccountNotice, BalanceEvent } from "../../db/ledger/types";
import { routeMessage, type ApiKeyChangeListener, type BalanceListener, type EventBus, type NoticeListener } from "./bus";

/** The emitter event of apiKeyChanged (account ids start with `acc`, so never this). */
const API_KEY_CHANGED = "api-key-changed";

/** Single-process bus: the embedded default and tests. */
export function createInProcessBus(): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0); // one listener per open SSE connection: no fixed limit
  return {
    publish(event: BalanceEvent) {
      emitter.emit(event.accountId, event);
    },
    notify(notice: AccountNotice) {
      emitter.emit(notice.accountId, notice);
    },
    async subscribe(accountId: string, listener: BalanceListener, onNotice?: NoticeListener) {
      const route = routeMessage(listener, onNotice);
      emitter.on(accountId, route);
      return () => emitter.off(accountId, route);
    },
    apiKeyChanged(apiKeyId: string) {
      emitter.emit(API_KEY_CHANGED, apiKeyId);
    },
    async onApiKeyChanged(listener: ApiKeyChangeListener) {
      emitter.on(API_KEY_CHANGED, listener);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}
