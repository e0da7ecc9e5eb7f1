import { DEMO_ISSUER, type Issuer } from "../../db/documents/issuer";
import type { Env } from "../env";

/**
 * The document issuer from ISSUER_* (README, "Configuration"). Without ISSUER_NAME the
 * embedded default's made-up DEMO_ISSUER is used, but not with real payments
 * (STRIPE_SECRET_KEY): real money gets real documents. A configured issuer needs an
 * address and a VAT ID or tax number (§14 (4) Nr. 1-2 UStG).
 * @throws Error naming what is missing
 */
export function issuerFromEnv(env: Env): Issuer {
  if (!env.ISSUER_NAME) {
    if (env.STRIPE_SECRET_KEY) {
      throw new Error(
        "Invalid configuration:\n  ISSUER_NAME: required with STRIPE_SECRET_KEY (receipts need a real issuer)",
      );
    }
    return DEMO_ISSUER;
  }
  const missing = [
    !env.ISSUER_ADDRESS && "  ISSUER_ADDRESS: required with ISSUER_NAME",
    !env.ISSUER_VAT_ID &&
      !env.ISSUER_TAX_NUMBER &&
      "  ISSUER_VAT_ID or ISSUER_TAX_NUMBER: one is required with ISSUER_NAME",
  ].filter(Boolean);
  if (missing.length > 0) throw new Error(`Invalid configuration:\n${missing.join("\n")}`);
  return {
    key: env.ISSUER_KEY,
    name: env.ISSUER_NAME,
    addressLines: env
      .ISSUER_ADDRESS!.split("|")
      .map((l) => l.trim())
      .filter(Boolean),
    vatId: env.ISSUER_VAT_ID ?? null,
    taxNumber: env.ISSUER_TAX_NUMBER ?? null,
    taxRateBp: env.ISSUER_TAX_RATE_BP,
    footer: env.ISSUER_FOOTER ?? null,
    demo: false,
  };
}
