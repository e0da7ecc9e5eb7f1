import { describe, expect, it } from "vitest";
import { passwordProblem } from "./validation";

describe("passwordProblem (mirrors server/auth/password-policy.ts)", () => {
  it("counts characters, not UTF-16 units, and refuses only whitespace", () => {
    expect(passwordProblem("abcdefg")).toBe("short");
    expect(passwordProblem("🔑🔑🔑🔑")).toBe("short");
    expect(passwordProblem("        ")).toBe("blank");
    expect(passwordProblem("correct horse battery")).toBeNull();
  });
});
