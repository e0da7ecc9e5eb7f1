import { z } from "@hono/zod-openapi";
import type { Queryable } from "../../../db/client";
import { listMemberships } from "../../../db/members/members";
import { ApiError } from "../../errors";

const MembershipSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    currency: z.string(),
    role: z.enum(["owner", "admin", "viewer"]),
    status: z.enum(["active", "suspended", "closed"]),
  })
  .openapi("Membership");

export const MeSchema = z
  .object({
    user: z.object({
      id: z.string(),
      email: z.string(),
      name: z.string(),
      locale: z.enum(["en", "de"]).openapi({ description: "The language of this user's emails and push messages." }),
      twoFactorEnabled: z.boolean().openapi({ description: "Whether log-in asks this user for a TOTP code after the password." }),
      emailVerified: z.boolean().openapi({ description: "Whether `email` is verified; notification emails go to verified addresses only." }),
    }),
    account: z.object({
      id: z.string(),
      name: z.string(),
      currency: z.string(),
      role: z.enum(["owner", "admin", "viewer"]),
      status: z.enum(["active", "suspended", "closed"]),
      requireTwoFactor: z.boolean().openapi({
        description: "Set by an owner: members without two-factor log-in can only enrol (403 two_factor_required elsewhere).",
      }),
    }),
    accounts: z.array(MembershipSchema).openapi({
      description: "Every account the user belongs to, in the order joined; PUT /me/account switches between them.",
    }),
  })
  .openapi("Me");

export type Me = z.infer<typeof MeSchema>;

/**
 * The user, the account they act on (their first membership, or `accountId`) and all
 * their accounts. @throws ApiError unauthenticated
 */
export async function loadMe(q: Queryable, userId: string, accountId?: string): Promise<Me> {
  const [row] = await q<{ id: string; email: string; name: string; locale: Me["user"]["locale"]; email_verified: boolean; account_id: string; account_name: string; currency: string; role: Me["account"]["role"]; status: Me["account"]["status"]; require_two_factor: boolean; two_factor_enabled: boolean }[]>`
    SELECT u.id, u.email, u.name, u.locale, u.email_verified_at IS NOT NULL AS email_verified, a.id AS account_id, a.name AS account_name, a.currency, m.role, a.status,
           a.require_two_factor,
           EXISTS (SELECT 1 FROM totp_credentials t WHERE t.subject_id = u.id AND t.confirmed_at IS NOT NULL) AS two_factor_enabled
      FROM users u
      JOIN account_members m ON m.user_id = u.id
      JOIN accounts a ON a.id = m.account_id
     WHERE u.id = ${userId} AND (${accountId ?? null}::text IS NULL OR a.id = ${accountId ?? null})
     ORDER BY m.created_at LIMIT 1`;
  if (!row) throw new ApiError("unauthenticated", "Log in first.");
  const accounts = await listMemberships(q, userId);
  return {
    user: { id: row.id, email: row.email, name: row.name, locale: row.locale, twoFactorEnabled: row.two_factor_enabled, emailVerified: row.email_verified },
    account: {
      id: row.account_id,
      name: row.account_name,
      currency: row.currency,
      role: row.role,
      status: row.status,
      requireTwoFactor: row.require_two_factor,
    },
    accounts,
  };
}
