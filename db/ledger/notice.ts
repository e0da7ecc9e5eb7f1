import type { AccountNotice } from "./types";

/** Builds an AccountNotice stamped now (see types.ts for the meaning of `event` and `type`). */
export function notice(
  accountId: string,
  event: AccountNotice["event"],
  type: string,
  data: Record<string, unknown>,
): AccountNotice {
  return { kind: "notice", accountId, event, type, data, at: new Date().toISOString() };
}
