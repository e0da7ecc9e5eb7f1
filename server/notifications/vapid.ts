import webpush from "web-push";
import type { Queryable } from "../../db/client";
import type { Env } from "../env";

/** What Web Push requests are signed with (RFC 8292): keys base64url, `subject` a mailto: or https URL. */
export interface VapidDetails {
  subject: string;
  publicKey: string;
  privateKey: string;
}

/**
 * The deployment's VAPID details: VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY when both are set,
 * else the pair in table vapid_keys, made (web-push generateVAPIDKeys, P-256) by the first
 * instance to start; `INSERT ... ON CONFLICT DO NOTHING` makes concurrent first starts
 * agree on one pair. Subject: VAPID_SUBJECT, else `mailto:` the address in EMAIL_FROM.
 * @throws Error when only one of the two keys is set
 */
export async function resolveVapidDetails(
  env: Pick<Env, "VAPID_PUBLIC_KEY" | "VAPID_PRIVATE_KEY" | "VAPID_SUBJECT" | "EMAIL_FROM">,
  q: Queryable,
): Promise<VapidDetails> {
  const subject = env.VAPID_SUBJECT ?? `mailto:${/<([^>]+)>/.exec(env.EMAIL_FROM)?.[1] ?? env.EMAIL_FROM}`;
  if (env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY) {
    return { subject, publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY };
  }
  if (env.VAPID_PUBLIC_KEY || env.VAPID_PRIVATE_KEY)
    throw new Error("Set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, or neither.");
  const stored = () =>
    q<{ public_key: string; private_key: string }[]>`SELECT public_key, private_key FROM vapid_keys WHERE id = 1`;
  let [row] = await stored();
  if (!row) {
    const fresh = webpush.generateVAPIDKeys();
    await q`INSERT INTO vapid_keys (id, public_key, private_key) VALUES (1, ${fresh.publicKey}, ${fresh.privateKey})
            ON CONFLICT (id) DO NOTHING`;
    [row] = await stored(); // another instance's pair if it won the race
  }
  return { subject, publicKey: row!.public_key, privateKey: row!.private_key };
}
