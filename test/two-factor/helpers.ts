import { Secret, TOTP } from "otpauth";
import { vi } from "vitest";
import type { TestContext } from "../harness";

/**
 * The code an authenticator app shows for `secret`, one 30-second step after the last one
 * this helper produced: each call moves the (faked) Date forward a step first, since a code
 * is accepted once per step. Call `vi.useFakeTimers({ toFake: ["Date"] })` in the file first.
 */
export function nextCode(secret: string): string {
  vi.setSystemTime(Date.now() + 30_000);
  return new TOTP({ secret: Secret.fromBase32(secret) }).generate();
}

/** Enrols the session's user in TOTP through the API. @returns the secret and recovery codes */
export async function enrolTotp(ctx: TestContext, cookie: string, base = "/api/v1/me/two-factor"): Promise<{ secret: string; recoveryCodes: string[] }> {
  const start = await ctx.request("POST", `${base}/enrolment`, { cookie });
  if (start.status !== 201) throw new Error(`enrolment start failed: ${start.status} ${await start.text()}`);
  const { secret } = (await start.json()) as { secret: string };
  const confirm = await ctx.request("POST", `${base}/enrolment/confirm`, { cookie, body: { code: nextCode(secret) } });
  if (confirm.status !== 200) throw new Error(`enrolment confirm failed: ${confirm.status} ${await confirm.text()}`);
  const { recoveryCodes } = (await confirm.json()) as { recoveryCodes: string[] };
  return { secret, recoveryCodes };
}

/** The `name=value` of a response's Set-Cookie (first cookie). */
export const cookieOf = (res: Response) => (res.headers.get("set-cookie") ?? "").split(";")[0]!;
