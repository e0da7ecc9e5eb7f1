import { expect } from "vitest";
import type { InvitationEmailJob } from "../../db/members/invitations";
import type { Customer, TestContext } from "../harness";

export interface ErrorBody {
  error: { code: string; message: string; requestId: string; details?: unknown };
}

/** Asserts the error shape with `status` and `code`. */
export async function expectError(res: Response, status: number, code: string): Promise<void> {
  const body = (await res.clone().json()) as ErrorBody;
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
}

/** The send_invitation job enqueued for invitation `id` (its payload carries the only copy of the link). */
export async function invitationJob(ctx: TestContext, id: string): Promise<InvitationEmailJob> {
  const [row] = await ctx.deps.database.sql<{ payload: InvitationEmailJob }[]>`
    SELECT payload FROM graphile_worker._private_jobs
     WHERE task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = 'send_invitation') AND payload->>'invitationId' = ${id}`;
  if (!row) throw new Error(`no send_invitation job for ${id}`);
  return row.payload;
}

/** Invites `email` as `role` from `by`'s session; returns the invitation id and the link's token. */
export async function invite(ctx: TestContext, by: Pick<Customer, "cookie">, email: string, role: string) {
  const res = await ctx.request("POST", "/api/v1/members/invitations", { cookie: by.cookie, body: { email, role } });
  expect(res.status, await res.clone().text()).toBe(201);
  const { id } = (await res.json()) as { id: string };
  const job = await invitationJob(ctx, id);
  return { id, token: job.url.split("/invitations/")[1]!, job };
}

let counter = 0;
/** A fresh address nobody has used. */
export const freshEmail = () => `invitee${Date.now()}_${process.pid}_${++counter}@example.test`;

/** Signs a new person up from an invitation link; returns their session cookie and user id. */
export async function signUpFromInvitation(ctx: TestContext, token: string, email: string) {
  const res = await ctx.request("POST", `/api/v1/invitations/${token}/accept`, {
    body: { signup: { email, name: "New Colleague", password: "correct horse battery", locale: "de" } },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const me = (await res.json()) as { user: { id: string }; account: { id: string; role: string } };
  return { cookie: (res.headers.get("set-cookie") ?? "").split(";")[0]!, userId: me.user.id, me };
}

/** The user id behind a session cookie. */
export async function userIdOf(ctx: TestContext, cookie: string): Promise<string> {
  const res = await ctx.request("GET", "/api/v1/me", { cookie });
  return ((await res.json()) as { user: { id: string } }).user.id;
}
