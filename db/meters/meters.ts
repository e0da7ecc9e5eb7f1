import type { Queryable, Sql } from "../client";
import { recordAudit, type AuditBy } from "../audit/record-audit";
import { LedgerError } from "../ledger/errors";
import { newId } from "../ids";

/** A price version as the API shows it: `unitAmountDecimal` minor units per unit, exact. */
export interface MeterPrice {
  id: string;
  currency: string;
  unitAmountDecimal: string;
  /** ISO 8601: in force from this time until the next version of the same currency. */
  effectiveFrom: string;
  createdAt: string;
}

/** A meter with all its price versions, oldest first. */
export interface Meter {
  key: string;
  name: string;
  unit: string;
  status: "active" | "archived";
  prices: MeterPrice[];
  createdAt: string;
  updatedAt: string;
}

/** Who asks for an operator change, for the audit log. */
export type Actor = AuditBy;

export class MeterNotFoundError extends LedgerError {
  constructor(key: string) {
    super("not_found", `No meter ${key}.`);
  }
}

export class MeterExistsError extends LedgerError {
  constructor(key: string) {
    super("meter_exists", `A meter ${key} already exists; change it with PATCH.`);
  }
}

interface MeterRow {
  key: string;
  name: string;
  unit: string;
  status: Meter["status"];
  created_at: Date;
  updated_at: Date;
  prices: { id: string; currency: string; unit_amount: string; effective_from: string; created_at: string }[];
}

const toMeter = (r: MeterRow): Meter => ({
  key: r.key,
  name: r.name,
  unit: r.unit,
  status: r.status,
  prices: r.prices.map((p) => ({
    id: p.id,
    currency: p.currency,
    unitAmountDecimal: p.unit_amount,
    effectiveFrom: new Date(p.effective_from).toISOString(),
    createdAt: new Date(p.created_at).toISOString(),
  })),
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** Meters (all, or the one `key`) with their prices; trim_scale drops numeric(30,12)'s trailing zeros. */
async function selectMeters(q: Queryable, key: string | null, lock = false): Promise<Meter[]> {
  const rows = await q<MeterRow[]>`
    SELECT m.key, m.name, m.unit, m.status, m.created_at, m.updated_at,
           coalesce((SELECT json_agg(json_build_object('id', p.id, 'currency', p.currency,
                              'unit_amount', trim_scale(p.unit_amount)::text,
                              'effective_from', p.effective_from, 'created_at', p.created_at)
                              ORDER BY p.currency, p.effective_from)
                       FROM meter_prices p WHERE p.meter_key = m.key), '[]') AS prices
      FROM meters m
     WHERE ${key}::text IS NULL OR m.key = ${key}
     ORDER BY m.key
     ${lock ? q`FOR UPDATE OF m` : q``}`;
  return rows.map(toMeter);
}

/** Every meter, by key. */
export function listMeters(sql: Sql): Promise<Meter[]> {
  return selectMeters(sql, null);
}

/** @throws MeterNotFoundError */
export async function getMeter(q: Queryable, key: string, lock = false): Promise<Meter> {
  const [meter] = await selectMeters(q, key, lock);
  if (!meter) throw new MeterNotFoundError(key);
  return meter;
}

/**
 * Creates a meter (no prices yet), audited as `meter.created` in the same transaction.
 * @throws MeterExistsError when the key is taken
 */
export async function createMeter(
  sql: Sql,
  input: { key: string; name: string; unit: string },
  by: Actor,
): Promise<Meter> {
  return sql.begin(async (tx) => {
    const inserted = await tx`
      INSERT INTO meters (key, name, unit) VALUES (${input.key}, ${input.name}, ${input.unit})
      ON CONFLICT (key) DO NOTHING RETURNING key`;
    if (inserted.length === 0) throw new MeterExistsError(input.key);
    const meter = await getMeter(tx, input.key);
    await recordAudit(tx, { ...by, action: "meter.created", targetId: input.key, before: null, after: meter });
    return meter;
  });
}

/**
 * Changes a meter's name, unit or status (archived meters take no usage), audited as
 * `meter.updated` with before and after, under the meter's row lock.
 * @throws MeterNotFoundError
 */
export async function updateMeter(
  sql: Sql,
  key: string,
  patch: { name?: string; unit?: string; status?: Meter["status"] },
  by: Actor,
): Promise<Meter> {
  return sql.begin(async (tx) => {
    const before = await getMeter(tx, key, true);
    await tx`
      UPDATE meters SET name = ${patch.name ?? before.name}, unit = ${patch.unit ?? before.unit},
                        status = ${patch.status ?? before.status}, updated_at = now()
       WHERE key = ${key}`;
    const after = await getMeter(tx, key);
    await recordAudit(tx, { ...by, action: "meter.updated", targetId: key, before, after });
    return after;
  });
}

/**
 * Adds a price version (never edits one): `unitAmountDecimal` minor units of `currency`
 * per unit from `effectiveFrom` (default now). Audited as `meter.price_added`.
 * @throws MeterNotFoundError; MeterPriceExistsError when this meter, currency and time have a price
 */
export async function addMeterPrice(
  sql: Sql,
  key: string,
  input: { currency: string; unitAmountDecimal: string; effectiveFrom?: Date },
  by: Actor,
): Promise<Meter> {
  return sql.begin(async (tx) => {
    const before = await getMeter(tx, key, true);
    const inserted = await tx`
      INSERT INTO meter_prices (id, meter_key, currency, unit_amount, effective_from)
      VALUES (${newId("price")}, ${key}, ${input.currency}, ${input.unitAmountDecimal}::numeric,
              coalesce(${input.effectiveFrom ?? null}::timestamptz, now()))
      ON CONFLICT (meter_key, currency, effective_from) DO NOTHING RETURNING id`;
    if (inserted.length === 0) throw new MeterPriceExistsError(key, input.currency);
    const after = await getMeter(tx, key);
    await recordAudit(tx, { ...by, action: "meter.price_added", targetId: key, before, after });
    return after;
  });
}

export class MeterPriceExistsError extends LedgerError {
  constructor(key: string, currency: string) {
    super("price_exists", `Meter ${key} already has a ${currency} price from that time; add one with another effectiveFrom.`);
  }
}
