import { randomBytes } from "node:crypto";

/** Prefixes of our ids, one per kind of object (as Stripe and unkey do). */
export type IdPrefix =
  | "usr" | "acc" | "mem" | "key" | "le" | "tu" | "req" | "cs" | "pi" | "evt" | "hold" | "pm" | "we" | "prv" | "psub" | "rf" | "doc"
  | "price" | "aud" | "opu" | "ses" | "inv";

/**
 * A prefixed, time-ordered id: `<prefix>_` + 10 base32 chars of the ms timestamp +
 * 16 random base32 chars (80 bits). Sortable by creation time, like a ULID.
 */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${encodeTime(Date.now())}${encodeRandom(10)}`;
}

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(bytes: number): string {
  const buf = randomBytes(bytes);
  let out = "";
  for (const b of buf) out += ALPHABET[b % 32]! + ALPHABET[(b >> 5) % 32]!;
  return out.slice(0, 16);
}
