import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { newId } from "../../db/ids";
import {
  confirmTotpEnrolment,
  getTotpStatus,
  regenerateRecoveryCodes,
  RECOVERY_CODE_COUNT,
  startTotpEnrolment,
  verifySecondFactor,
} from "../../server/auth/totp";
import { createTestContext, type TestContext } from "../harness";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

/** The code an authenticator app shows for `secret` at `timestampMs`. */
const codeAt = (secret: string, timestampMs = Date.now()) =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: timestampMs });

async function enrolled() {
  const subjectId = newId("usr");
  const { secret } = await startTotpEnrolment(ctx.deps.database.sql, subjectId, "someone@example.test");
  const recoveryCodes = await confirmTotpEnrolment(ctx.deps.database.sql, subjectId, codeAt(secret));
  return { subjectId, secret, recoveryCodes };
}

describe("TOTP enrolment", () => {
  it("returns a key URI with the issuer and an SVG QR code, and is not in force until confirmed", async () => {
    const subjectId = newId("usr");
    const sql = ctx.deps.database.sql;
    const enrolment = await startTotpEnrolment(sql, subjectId, "someone@example.test");
    expect(enrolment.otpauthUri).toMatch(/^otpauth:\/\/totp\/Live%20balance:someone%40example\.test\?.*secret=/);
    expect(enrolment.qrCodeSvg).toMatch(/^<svg/);
    expect(await getTotpStatus(sql, subjectId)).toEqual({ enabled: false, enabledAt: null, recoveryCodesLeft: 0 });
    expect(await verifySecondFactor(sql, subjectId, codeAt(enrolment.secret))).toBe(false);
    await expect(confirmTotpEnrolment(sql, subjectId, "000000")).rejects.toMatchObject({ code: "invalid_two_factor_code" });
    const codes = await confirmTotpEnrolment(sql, subjectId, codeAt(enrolment.secret));
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
    expect(await getTotpStatus(sql, subjectId)).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });
    await expect(startTotpEnrolment(sql, subjectId, "x")).rejects.toMatchObject({ code: "two_factor_already_enabled" });
  });

  it("stores only hashes of the recovery codes", async () => {
    const { subjectId, recoveryCodes } = await enrolled();
    const rows = await ctx.deps.database.sql<{ code_hash: string }[]>`SELECT code_hash FROM totp_recovery_codes WHERE subject_id = ${subjectId}`;
    expect(rows).toHaveLength(10);
    for (const { code_hash } of rows) expect(recoveryCodes.join()).not.toContain(code_hash);
  });
});

describe("TOTP codes", () => {
  it("accepts the previous, current and next step, refuses two steps away", async () => {
    const sql = ctx.deps.database.sql;
    for (const offsetS of [-30, 30]) {
      const { subjectId, secret } = await enrolled();
      // The enrolment used the current step: move the clock so the neighbouring steps are new.
      vi.useFakeTimers({ now: Date.now() + 120_000, toFake: ["Date"] });
      try {
        expect(await verifySecondFactor(sql, subjectId, codeAt(secret, Date.now() + offsetS * 1000))).toBe(true);
        expect(await verifySecondFactor(sql, subjectId, codeAt(secret, Date.now() + 65_000))).toBe(false);
      } finally {
        vi.useRealTimers();
      }
    }
  });

  it("refuses a code used once (replay), and an older one after a newer was used", async () => {
    const sql = ctx.deps.database.sql;
    const { subjectId, secret } = await enrolled();
    vi.useFakeTimers({ now: Date.now() + 90_000, toFake: ["Date"] });
    try {
      const code = codeAt(secret);
      expect(await verifySecondFactor(sql, subjectId, code)).toBe(true);
      expect(await verifySecondFactor(sql, subjectId, code)).toBe(false);
      expect(await verifySecondFactor(sql, subjectId, codeAt(secret, Date.now() - 30_000))).toBe(false);
      // Two requests racing with the same fresh code: exactly one wins.
      const next = codeAt(secret, Date.now() + 30_000);
      const results = await Promise.all([verifySecondFactor(sql, subjectId, next), verifySecondFactor(sql, subjectId, next)]);
      expect(results.filter(Boolean)).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("accepts each recovery code once (any case, with or without the dash); regenerating voids the old ones", async () => {
    const sql = ctx.deps.database.sql;
    const { subjectId, recoveryCodes } = await enrolled();
    expect(await verifySecondFactor(sql, subjectId, recoveryCodes[0]!.toUpperCase())).toBe(true);
    expect(await verifySecondFactor(sql, subjectId, recoveryCodes[0]!)).toBe(false);
    expect(await verifySecondFactor(sql, subjectId, recoveryCodes[1]!.replace("-", ""))).toBe(true);
    expect(await getTotpStatus(sql, subjectId)).toMatchObject({ recoveryCodesLeft: 8 });
    expect(await verifySecondFactor(sql, subjectId, "abcde-fghjk")).toBe(false);
    const fresh = await regenerateRecoveryCodes(sql, subjectId);
    expect(await verifySecondFactor(sql, subjectId, recoveryCodes[2]!)).toBe(false);
    expect(await verifySecondFactor(sql, subjectId, fresh[0]!)).toBe(true);
  });
});
