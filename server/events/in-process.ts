import { EventEmitter } from "node:events";
import type { BalanceEvent } from "../../db/ledger/types";
import type { BalanceListener, EventBus } from "./bus";

/** Single-process bus: the embedded default and tests. */
export function createInProcessBus(): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0); // one listener per open SSE connection: no fixed limit
  return {
    publish(event: BalanceEvent) {
      emitter.emit(event.accountId, event);
    },
    async subscribe(accountId: string, listener: BalanceListener) {
      emitter.on(accountId, listener);
      return () => emitter.off(accountId, listener);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}
