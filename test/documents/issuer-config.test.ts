import { describe, expect, it } from "vitest";
import { DEMO_ISSUER } from "../../db/documents/issuer";
import { issuerFromEnv } from "../../server/documents/issuer-config";
import { loadEnv } from "../../server/env";

/** ISSUER_*: the demo issuer only without real payments; a configured issuer is complete. */
describe("issuer configuration", () => {
  it("is the demo issuer in the embedded default", () => {
    expect(issuerFromEnv(loadEnv({}))).toEqual(DEMO_ISSUER);
  });

  it("refuses the demo issuer with real payments", () => {
    expect(() => issuerFromEnv(loadEnv({ STRIPE_SECRET_KEY: "sk_live_x" }))).toThrow(/ISSUER_NAME/);
  });

  it("needs an address and a VAT ID or tax number", () => {
    expect(() => issuerFromEnv(loadEnv({ ISSUER_NAME: "X GmbH" }))).toThrow(
      /ISSUER_ADDRESS[\s\S]*ISSUER_VAT_ID or ISSUER_TAX_NUMBER/,
    );
  });

  it("reads every field", () => {
    const env = loadEnv({
      ISSUER_KEY: "acme",
      ISSUER_NAME: "Acme GmbH",
      ISSUER_ADDRESS: "Hauptstraße 1 | 10115 Berlin|Deutschland",
      ISSUER_TAX_NUMBER: "27/123/45678",
      ISSUER_TAX_RATE_BP: "700",
      ISSUER_FOOTER: "HRB 1234",
    });
    expect(issuerFromEnv(env)).toEqual({
      key: "acme",
      name: "Acme GmbH",
      addressLines: ["Hauptstraße 1", "10115 Berlin", "Deutschland"],
      vatId: null,
      taxNumber: "27/123/45678",
      taxRateBp: 700,
      footer: "HRB 1234",
      demo: false,
    });
  });
});
