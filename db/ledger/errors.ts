/**
 * One problem with one field of a request, as `error.details[]` of a 400
 * validation_error carries it (shared/DESIGN.md, "Contracts of the next capabilities"),
 * so a client can word it in its own language:
 * `{"field": "amount", "code": "too_small", "minimum": 100, "origin": "number"}`.
 *
 * `field` is the dotted path ("enabledEvents.0"; "" for the body itself); `code` is
 * zod's issue code (too_small, too_big, invalid_type, invalid_format, invalid_value,
 * unrecognized_keys, custom) or a route's own (private_address); `minimum`/`maximum`
 * are bounds of a number (minor units for amounts) or, with origin "string" or
 * "array", of a length; `message` is English for people reading the raw response.
 */
export interface FieldIssue {
  field: string;
  code: string;
  message: string;
  minimum?: number;
  maximum?: number;
  origin?: string;
  format?: string;
  values?: string[];
}

/**
 * Domain errors of the money verbs. Each has a stable `code` that the HTTP layer
 * maps to a status in one table (server/errors.ts).
 */
export class LedgerError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** FieldIssues for validation_error; facts (amounts, statuses) for the other codes. */
    readonly details?: FieldIssue[] | Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A validation_error about one field, with its FieldIssue in `details`. */
export class FieldError extends LedgerError {
  constructor(issue: FieldIssue) {
    super("validation_error", `Invalid request: ${issue.field}: ${issue.message}`, [issue]);
  }
}

export class AccountNotFoundError extends LedgerError {
  constructor(accountId: string) {
    super("not_found", `No account ${accountId}.`);
  }
}

export class AccountSuspendedError extends LedgerError {
  constructor() {
    super("account_suspended", "This account is suspended; usage is not accepted until it is reactivated.");
  }
}

export class AccountClosedError extends LedgerError {
  constructor() {
    super("account_closed", "This account is closed.");
  }
}

/** balance - held - amount would fall below -overdraftLimit. Amounts in minor units. */
export class InsufficientFundsError extends LedgerError {
  constructor(available: number, requested: number, currency: string) {
    super(
      "insufficient_funds",
      `Insufficient funds: ${requested} requested, ${available} available (minor units of ${currency}).`,
      { available, requested, currency },
    );
  }
}

export class TopupNotFoundError extends LedgerError {
  constructor(topupId: string) {
    super("not_found", `No top-up ${topupId}.`);
  }
}

/** The provider reports a payment whose amount or currency differs from the top-up's. */
export class PaymentMismatchError extends LedgerError {
  constructor(message: string) {
    super("payment_mismatch", message);
  }
}

/** The request names a currency other than the account's. */
export class CurrencyMismatchError extends LedgerError {
  constructor(accountCurrency: string, requested: string) {
    super("currency_mismatch", `This account is in ${accountCurrency}; the request is in ${requested}.`, {
      accountCurrency,
      requested,
    });
  }
}

export class HoldNotFoundError extends LedgerError {
  constructor(holdId: string) {
    super("not_found", `No hold ${holdId}.`);
  }
}

/** The hold was already captured, voided or expired: its funds are no longer reserved. */
export class HoldNotActiveError extends LedgerError {
  constructor(holdId: string, status: string) {
    super("hold_not_active", `Hold ${holdId} is ${status}; only an active hold can be captured or voided.`, { status });
  }
}

/** A capture asked for more than the hold reserved. Minor units. */
export class CaptureExceedsHoldError extends LedgerError {
  constructor(holdAmount: number, requested: number) {
    super("capture_exceeds_hold", `The hold reserves ${holdAmount}; a capture of ${requested} is more than that.`, {
      holdAmount,
      requested,
    });
  }
}

/** A lower overdraft limit than the account already uses (balance - held < -limit). Minor units. */
export class OverdraftInUseError extends LedgerError {
  constructor(available: number, limit: number) {
    super("overdraft_in_use", `The account is at ${available} available; an overdraft limit of ${limit} would not cover it.`, {
      available,
      limit,
    });
  }
}

/** An operator refund larger than what the top-up has left or the account has available (minor units). */
export class RefundExceedsAvailableError extends LedgerError {
  constructor(requested: number, refundable: number, currency: string) {
    super(
      "refund_exceeds_available",
      `Cannot refund ${requested}: at most ${refundable} is both left of this top-up and unused in the balance (minor units of ${currency}).`,
      { requested, refundable, currency },
    );
  }
}

/** Priced usage named a meter no operator defined. */
export class UnknownMeterError extends LedgerError {
  constructor(meter: string) {
    super("unknown_meter", `No meter ${meter}.`, { meter });
  }
}

/** Priced usage named an archived meter (operator PATCH status archived). */
export class MeterArchivedError extends LedgerError {
  constructor(meter: string) {
    super("meter_archived", `Meter ${meter} is archived and takes no usage.`, { meter });
  }
}

/** The meter has no price in the account's currency in force at the event's time. */
export class NoPriceError extends LedgerError {
  constructor(meter: string, currency: string) {
    super("no_price", `Meter ${meter} has no ${currency} price in force now.`, { meter, currency });
  }
}

/** quantity x unit price would debit more than db/money.ts's MAX_AMOUNT_MINOR in one event. */
export class QuantityTooLargeError extends LedgerError {
  constructor(maxMinor: number) {
    super("quantity_too_large", `One usage event may cost at most ${maxMinor} minor units.`, { maxMinor });
  }
}

/** A usage debit would take the account's usage of this UTC day or month beyond its spend limit. Minor units. */
export class SpendLimitExceededError extends LedgerError {
  /** `scope`: the account's limit (GET|PUT /spend-limits) or the calling API key's own (PUT /api-keys/{id}/spend-limits). */
  constructor(
    period: "daily" | "monthly",
    limit: number,
    spent: number,
    requested: number,
    currency: string,
    scope: "account" | "api_key" = "account",
  ) {
    super(
      "spend_limit_exceeded",
      `Spend limit reached: ${scope === "api_key" ? "this API key's" : "the account's"} ${period} limit is ${limit}, ` +
        `${spent} already used, ${requested} requested (minor units of ${currency}).`,
      { scope, period, limit, spent, requested, currency },
    );
  }
}
