import { z } from "zod";

/**
 * Exact decimals travel as strings and are computed on by PostgreSQL `numeric` (never a JS
 * float): a unit price has up to 12 decimal places (Stripe's `unit_amount_decimal` allows
 * 12), a quantity up to 12 too, both at most 15 integer digits.
 */
const DECIMAL = /^(0|[1-9]\d{0,14})(\.\d{1,12})?$/;

/** True when `s` is a plain decimal string (digits, optional point and 1..12 decimals), > 0. */
const isPositive = (s: string) => /[1-9]/.test(s);

/** A unit price, minor units per unit: "0", "0.00025", "12.5". */
export const UnitAmountDecimal = z
  .string()
  .regex(DECIMAL, "must be a decimal string with at most 15 integer digits and 12 decimal places, e.g. \"0.00025\"");

/** A usage quantity, > 0: "1", "1500", "0.5". */
export const Quantity = z
  .string()
  .regex(DECIMAL, "must be a decimal string with at most 15 integer digits and 12 decimal places, e.g. \"1500\"")
  .refine(isPositive, "must be greater than 0");
