/**
 * Splits a gross amount (minor units, the price paid including tax) into net and tax at
 * `rateBp` basis points: net = gross / (1 + rate), rounded half up to a whole minor unit,
 * tax = gross - net, so net + tax = gross exactly (§14 (4) Nr. 8 UStG: net, rate and
 * tax amount). Integer arithmetic only: gross <= 10^10 keeps gross * 10 000 below 2^53.
 * Negative gross (a cancelling credit note) is split symmetrically.
 */
export function splitGross(gross: number, rateBp: number): { net: number; tax: number } {
  if (!Number.isSafeInteger(gross) || !Number.isInteger(rateBp) || rateBp < 0 || rateBp > 10_000) {
    throw new RangeError(`splitGross: gross ${gross} / rate ${rateBp} bp out of range`);
  }
  if (gross < 0) {
    const { net, tax } = splitGross(-gross, rateBp);
    return { net: -net, tax: tax === 0 ? 0 : -tax };
  }
  const divisor = 10_000 + rateBp;
  const net = Math.floor((gross * 10_000 * 2 + divisor) / (2 * divisor));
  return { net, tax: gross - net };
}
