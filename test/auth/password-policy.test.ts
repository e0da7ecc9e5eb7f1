import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../harness";
import { expectError } from "../payments/helpers";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const signup = (email: string, password: string) =>
  ctx.request("POST", "/api/v1/auth/signup", { body: { email, password, name: "Password Co" } });
const uniqueEmail = () => `pw_${Date.now()}_${process.pid}_${Math.random().toString(36).slice(2)}@example.test`;

describe("sign-up passwords (NIST SP 800-63B)", () => {
  it.each([
    ["eight spaces", "        ", "password_blank"],
    ["only tabs and newlines", "\t\t\t\t\n\n\n\n", "password_blank"],
    ["seven characters", "abcdefg", "password_too_short"],
    ["four emoji (eight UTF-16 units, four characters)", "🔑🔑🔑🔑", "password_too_short"],
    ["a breached favourite", "password1", "password_too_common"],
    ["the same in other case", "PassWord1", "password_too_common"],
    ["another one", "qwertyuiop", "password_too_common"],
  ])("refuses %s with a clear code and creates nothing", async (_what, password, code) => {
    const email = uniqueEmail();
    await expectError(await signup(email, password), 400, code);
    const [user] = await ctx.deps.database.sql`SELECT 1 FROM users WHERE email = ${email}`;
    expect(user).toBeUndefined();
  });

  it.each([
    ["a passphrase", "correct horse battery"],
    ["no composition rules: lower-case letters only", "plumtreeorchard"],
    ["eight characters in any script", "пароль12"],
  ])("accepts %s", async (_what, password) => {
    expect((await signup(uniqueEmail(), password)).status).toBe(201);
  });
});
