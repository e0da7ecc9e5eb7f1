import type { InvitationEmailJob } from "../../db/members/invitations";
import type { EmailMessage } from "./messages";
import { m } from "./paraglide/messages.js";

/**
 * The invitation email (db/members/invitations.ts createInvitation) in `job.locale` (the
 * inviter's language: the invitee has none yet): who invites to which account in which
 * role, the single-use accept link, and when it expires (date in that language, UTC).
 */
export function renderInvitationEmail(job: InvitationEmailJob): EmailMessage {
  const options = { locale: job.locale };
  const role = { owner: m.invitation_role_owner, admin: m.invitation_role_admin, viewer: m.invitation_role_viewer }[
    job.role
  ]({}, options);
  const account = `"${job.accountName}"`;
  const date = new Intl.DateTimeFormat(job.locale === "de" ? "de-DE" : "en-GB", {
    dateStyle: "long",
    timeZone: "UTC",
  }).format(new Date(job.expiresAt));
  const text = [
    m.invitation_hello({}, options),
    "",
    m.invitation_what({ inviter: job.inviterName, account, role }, options),
    "",
    m.invitation_link({ url: job.url }, options),
    "",
    m.invitation_expiry({ date }, options),
    "",
    m.email_signature({}, options),
  ];
  return { subject: m.invitation_subject({ inviter: job.inviterName, account }, options), text: text.join("\n") };
}
