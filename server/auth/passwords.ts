import { randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";

/** argon2id parameters: OWASP's minimum recommendation (19 MiB, 2 passes, 1 lane). */
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The argon2id hash (PHC string) of `password`, which the caller checked against the policy (password-policy.ts). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

/**
 * Whether `password` matches `passwordHash`. Without a hash (unknown user) it verifies
 * against a dummy hash made once per process and answers false, so it costs the same
 * argon2 verification either way (no timing oracle).
 */
export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  const ok = await verify(passwordHash ?? (await dummyHash()), password);
  return passwordHash !== undefined && ok;
}

let dummy: Promise<string> | undefined;
/** An argon2 hash of a random password with our parameters, made once per process. */
function dummyHash(): Promise<string> {
  dummy ??= hash(randomBytes(16).toString("hex"), ARGON2);
  return dummy;
}
