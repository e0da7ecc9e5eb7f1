import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestContext, type TestContext } from "../harness";
import { expectError } from "../payments/helpers";

// Records every argon2 verification the log-in route makes (the real function still runs).
const verified = vi.hoisted(() => [] as string[]);
vi.mock("@node-rs/argon2", async (importOriginal) => {
  const argon2 = await importOriginal<typeof import("@node-rs/argon2")>();
  return {
    ...argon2,
    verify: (hashed: string, password: string) => {
      verified.push(hashed);
      return argon2.verify(hashed, password);
    },
  };
});

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe("log-in with an unknown email", () => {
  it("costs one argon2 verification with the real parameters, like a known email, and the same answer", async () => {
    const res = await ctx.request("POST", "/api/v1/auth/login", {
      body: { email: `nobody_${Date.now()}@example.test`, password: "whatever password" },
    });
    await expectError(res, 401, "invalid_credentials");
    expect(verified).toHaveLength(1);
    expect(verified[0]).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});
