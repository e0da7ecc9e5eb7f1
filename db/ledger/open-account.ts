import type { Queryable } from "../client";
import { newId } from "../ids";
import { ensureSystemAccounts } from "./system-accounts";

export interface OpenAccountInput {
  name: string;
  /** ISO 4217, upper case, already validated. */
  currency: string;
  /** Minor units the balance may go below zero; default 0. */
  overdraftLimit?: number;
}

/** Opens a customer account with balance 0 (and its currency's system accounts). Returns its id. */
export async function openAccount(q: Queryable, input: OpenAccountInput): Promise<string> {
  await ensureSystemAccounts(q, input.currency);
  const id = newId("acc");
  await q`
    INSERT INTO accounts (id, kind, name, currency, overdraft_limit)
    VALUES (${id}, 'customer', ${input.name}, ${input.currency}, ${input.overdraftLimit ?? 0})`;
  return id;
}
