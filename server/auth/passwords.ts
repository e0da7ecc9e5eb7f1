import { randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";

/** argon2id parameters: OWASP's minimum recommendation (19 MiB, 2 passes, 1 lane; Password Storage Cheat Sheet). */
export const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** argon2id PHC string of `password` with ARGON2. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

/**
 * Whether `password` matches `passwordHash`; with no hash (unknown user, or an operator who
 * has not set one) it verifies against a dummy hash and returns false, so both cost the same
 * argon2 verification (no timing oracle on who exists).
 */
export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  const ok = await verify(passwordHash ?? (await dummyHash()), password);
  return ok && Boolean(passwordHash);
}

let dummy: Promise<string> | undefined;
/** An argon2 hash of a random password with our parameters, made once per process. */
function dummyHash(): Promise<string> {
  dummy ??= hash(randomBytes(16).toString("hex"), ARGON2);
  return dummy;
}
