import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, newCustomer, type TestContext } from "../harness";
import { createTopup, submitCheckout } from "./helpers";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const page = async (checkoutUrl: string) => (await ctx.request("GET", new URL(checkoutUrl).pathname)).text();

describe("simulated checkout in the user's language", () => {
  it("a German user's checkout, its card errors and its add-card page are German", async () => {
    const c = await newCustomer(ctx);
    expect((await ctx.request("PUT", "/api/v1/me/locale", { cookie: c.cookie, body: { locale: "de" } })).status).toBe(
      200,
    );
    const topup = await createTopup(ctx, c, 123_456);
    const html = await page(topup.checkoutUrl);
    expect(html).toContain('<html lang="de">');
    expect(html).toContain("1.234,56\u00a0€ zahlen");
    expect(html).toContain("Abbrechen und zurück");
    expect(html).toContain("Testkarten");
    expect(html).not.toContain("Pay with card");

    const declined = await submitCheckout(ctx, topup.checkoutUrl, { card: "4000000000000002" });
    expect(await declined.text()).toContain("Ihre Karte wurde abgelehnt.");
    const noExpiry = await submitCheckout(ctx, topup.checkoutUrl, { card: "4242424242424242", expiry: "", cvc: "123" });
    expect(await noExpiry.text()).toContain("Das Ablaufdatum Ihrer Karte ist unvollständig.");

    const setup = (await (await ctx.request("POST", "/api/v1/payment-methods", { cookie: c.cookie })).json()) as {
      checkoutUrl: string;
    };
    expect(await page(setup.checkoutUrl)).toContain("Karte speichern");
  });

  it("an English user's checkout stays English", async () => {
    const c = await newCustomer(ctx);
    const html = await page((await createTopup(ctx, c, 2_500)).checkoutUrl);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("Pay €25.00");
  });
});
