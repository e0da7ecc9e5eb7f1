import { z } from "zod";
import { isKnownCurrency } from "./currency";

/**
 * Money is an integer count of a currency's minor units (cents for EUR), as in
 * Stripe's API. Never a float.
 *
 * Largest amount accepted in one operation: 10^10 minor units (100 000 000.00 EUR).
 * It keeps every balance far inside Number.MAX_SAFE_INTEGER (2^53 - 1).
 */
export const MAX_AMOUNT_MINOR = 10_000_000_000;

/** ISO 4217 three-letter code, upper case, known to Intl (ICU's ISO 4217 table). */
export const Currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, "must be a three-letter ISO 4217 code")
  .transform((s) => s.toUpperCase())
  .refine(isKnownCurrency, { message: "unknown currency" });

/** A positive amount in minor units, 1 .. MAX_AMOUNT_MINOR, integer only. */
export const AmountMinor = z
  .number()
  .int("must be an integer number of minor units")
  .positive("must be positive")
  .max(MAX_AMOUNT_MINOR, `must be at most ${MAX_AMOUNT_MINOR}`);
