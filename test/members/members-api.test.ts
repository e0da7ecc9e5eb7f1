import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderInvitationEmail } from "../../server/notifications/invitation-email";
import { createTestContext, newCustomer, type TestContext } from "../harness";
import { expectError, freshEmail, invite, signUpFromInvitation, userIdOf } from "./helpers";

/** GET /members, invitations, accept (sign up or logged in), PATCH|DELETE /members/{userId}, switching accounts. */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

interface MembersBody {
  members: { userId: string; email: string; role: string }[];
  invitations: { id: string; email: string; role: string }[];
}
const membersOf = async (cookie: string) =>
  (await (await ctx.request("GET", "/api/v1/members", { cookie })).json()) as MembersBody;
const auditOf = (accountId: string) =>
  ctx.deps.database.sql<{ action: string; actor: string; before: unknown; after: unknown }[]>`
    SELECT action, actor, before, after FROM audit_log WHERE target_id = ${accountId} ORDER BY at, id`;

/** An account with an owner and a member of `role` who joined by invitation. */
async function teamWith(role: "owner" | "admin" | "viewer") {
  const owner = await newCustomer(ctx);
  const email = freshEmail();
  const { token } = await invite(ctx, owner, email, role);
  const member = await signUpFromInvitation(ctx, token, email);
  return { owner, ownerId: await userIdOf(ctx, owner.cookie), member };
}

describe("inviting and accepting", () => {
  it("a new person signs up from the link and joins; the link is single-use; audited", async () => {
    const owner = await newCustomer(ctx);
    const email = freshEmail();
    const { id, token, job } = await invite(ctx, owner, email.toUpperCase(), "admin");
    expect(job.to).toBe(email);
    expect(job.url).toBe(`http://localhost:3000/invitations/${token}`);
    expect(token.length).toBeGreaterThanOrEqual(43);
    const [stored] = await ctx.deps.database.sql<{ token_hash: string; expires_at: Date; created_at: Date }[]>`
      SELECT token_hash, expires_at, created_at FROM invitations WHERE id = ${id}`;
    expect(stored!.token_hash).not.toContain(token);
    expect(stored!.expires_at.getTime() - stored!.created_at.getTime()).toBeCloseTo(7 * 24 * 3_600_000, -4);

    const pending = await membersOf(owner.cookie);
    expect(pending.invitations).toEqual([expect.objectContaining({ id, email, role: "admin" })]);
    const preview = await ctx.request("GET", `/api/v1/invitations/${token}`);
    expect(await preview.json()).toMatchObject({
      email,
      role: "admin",
      accountName: "Test Co",
      inviterName: "Test Co",
    });

    const joined = await signUpFromInvitation(ctx, token, email);
    expect(joined.me.account).toMatchObject({ id: owner.accountId, role: "admin" });
    const me = (await (await ctx.request("GET", "/api/v1/me", { cookie: joined.cookie })).json()) as {
      accounts: unknown[];
    };
    expect(me.accounts).toHaveLength(1); // no account of their own

    const after = await membersOf(owner.cookie);
    expect(after.invitations).toEqual([]);
    expect(after.members.map((m) => [m.email, m.role])).toContainEqual([email, "admin"]);
    await expectError(await ctx.request("GET", `/api/v1/invitations/${token}`), 404, "not_found");
    await expectError(
      await ctx.request("POST", `/api/v1/invitations/${token}/accept`, {
        body: { signup: { email, name: "Again", password: "correct horse battery" } },
      }),
      404,
      "not_found",
    );
    expect((await auditOf(owner.accountId)).map((a) => a.action)).toEqual(["member.invited", "invitation.accepted"]);
  });

  it("a logged-in user joins, the session moves to the joined account, and they can switch back", async () => {
    const owner = await newCustomer(ctx);
    const other = await newCustomer(ctx);
    const { token } = await invite(ctx, owner, other.email, "viewer");
    const res = await ctx.request("POST", `/api/v1/invitations/${token}/accept`, { cookie: other.cookie, body: {} });
    expect(res.status, await res.clone().text()).toBe(200);
    const me = (await res.json()) as {
      account: { id: string; role: string };
      accounts: { id: string; role: string }[];
    };
    expect(me.account).toMatchObject({ id: owner.accountId, role: "viewer" });
    expect(me.accounts.map((a) => [a.id, a.role])).toEqual([
      [other.accountId, "owner"],
      [owner.accountId, "viewer"],
    ]);
    // The session acts on the joined account now: a viewer cannot invite there.
    await expectError(
      await ctx.request("POST", "/api/v1/members/invitations", {
        cookie: other.cookie,
        body: { email: freshEmail(), role: "viewer" },
      }),
      403,
      "forbidden",
    );
    const back = await ctx.request("PUT", "/api/v1/me/account", {
      cookie: other.cookie,
      body: { accountId: other.accountId },
    });
    expect(back.status).toBe(200);
    expect(((await back.json()) as { account: { id: string } }).account.id).toBe(other.accountId);
    expect(
      ((await (await ctx.request("GET", "/api/v1/balance", { cookie: other.cookie })).json()) as { accountId: string })
        .accountId,
    ).toBe(other.accountId);
    // Someone else's account: 404, and the session stays where it was.
    const stranger = await newCustomer(ctx);
    await expectError(
      await ctx.request("PUT", "/api/v1/me/account", { cookie: other.cookie, body: { accountId: stranger.accountId } }),
      404,
      "not_found",
    );
    await expectError(
      await ctx.request("PUT", "/api/v1/me/account", { cookie: other.cookie, body: { accountId: "" } }),
      400,
      "validation_error",
    );
  });

  it("a link accepted twice at once joins once (the other answer is 404)", async () => {
    const owner = await newCustomer(ctx);
    const other = await newCustomer(ctx);
    const { token } = await invite(ctx, owner, other.email, "viewer");
    const results = await Promise.all(
      [0, 1].map(() => ctx.request("POST", `/api/v1/invitations/${token}/accept`, { cookie: other.cookie, body: {} })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 404]);
    expect((await membersOf(owner.cookie)).members).toHaveLength(2);
    expect((await auditOf(owner.accountId)).filter((a) => a.action === "invitation.accepted")).toHaveLength(1);
  });

  it("the email must match the invitation, logged in or signing up", async () => {
    const owner = await newCustomer(ctx);
    const other = await newCustomer(ctx);
    const { token } = await invite(ctx, owner, freshEmail(), "viewer");
    await expectError(
      await ctx.request("POST", `/api/v1/invitations/${token}/accept`, { cookie: other.cookie, body: {} }),
      403,
      "invitation_email_mismatch",
    );
    await expectError(
      await ctx.request("POST", `/api/v1/invitations/${token}/accept`, {
        body: { signup: { email: freshEmail(), name: "Wrong", password: "correct horse battery" } },
      }),
      403,
      "invitation_email_mismatch",
    );
    expect((await membersOf(owner.cookie)).members).toHaveLength(1);
  });

  it("without a session or sign-up details accepting is 401; a signed-up email cannot sign up again", async () => {
    const owner = await newCustomer(ctx);
    const other = await newCustomer(ctx);
    const { token } = await invite(ctx, owner, other.email, "viewer");
    await expectError(
      await ctx.request("POST", `/api/v1/invitations/${token}/accept`, { body: {} }),
      401,
      "unauthenticated",
    );
    await expectError(
      await ctx.request("POST", `/api/v1/invitations/${token}/accept`, {
        body: { signup: { email: other.email, name: "Twice", password: "correct horse battery" } },
      }),
      409,
      "email_taken",
    );
  });

  it("revoked, replaced and expired links stop working", async () => {
    const owner = await newCustomer(ctx);
    const email = freshEmail();
    const first = await invite(ctx, owner, email, "viewer");
    const second = await invite(ctx, owner, email, "admin"); // replaces the first
    await expectError(await ctx.request("GET", `/api/v1/invitations/${first.token}`), 404, "not_found");
    expect((await membersOf(owner.cookie)).invitations.map((i) => i.id)).toEqual([second.id]);

    expect(
      (await ctx.request("DELETE", `/api/v1/members/invitations/${second.id}`, { cookie: owner.cookie })).status,
    ).toBe(204);
    await expectError(await ctx.request("GET", `/api/v1/invitations/${second.token}`), 404, "not_found");
    await expectError(
      await ctx.request("DELETE", `/api/v1/members/invitations/${second.id}`, { cookie: owner.cookie }),
      404,
      "not_found",
    );

    const third = await invite(ctx, owner, email, "viewer");
    await ctx.deps.database.sql`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = ${third.id}`;
    await expectError(await ctx.request("GET", `/api/v1/invitations/${third.token}`), 404, "not_found");
    await expectError(
      await ctx.request("POST", `/api/v1/invitations/${third.token}/accept`, {
        body: { signup: { email, name: "Late", password: "correct horse battery" } },
      }),
      404,
      "not_found",
    );
    expect((await membersOf(owner.cookie)).invitations).toEqual([]);
    const actions = (await auditOf(owner.accountId)).map((a) => a.action);
    expect(actions).toEqual(["member.invited", "member.invited", "invitation.revoked", "member.invited"]);
  });

  it("members cannot be invited again (409 already_member); unknown tokens are 404", async () => {
    const { owner, member } = await teamWith("viewer");
    const email = (await membersOf(owner.cookie)).members.find((m) => m.userId === member.userId)!.email;
    await expectError(
      await ctx.request("POST", "/api/v1/members/invitations", {
        cookie: owner.cookie,
        body: { email, role: "admin" },
      }),
      409,
      "already_member",
    );
    await expectError(await ctx.request("GET", "/api/v1/invitations/not-a-token"), 404, "not_found");
  });

  it.each([
    [{ email: "not-an-email", role: "viewer" }, "email"],
    [{ email: "a@example.test", role: "superuser" }, "role"],
    [{ email: "a@example.test" }, "role"],
    [{ email: "a@example.test", role: "viewer", extra: 1 }, ""],
    [{ email: `${"a".repeat(250)}@example.test`, role: "viewer" }, "email"],
  ])("inviting with %j is a validation error on '%s' and invites nobody", async (body, field) => {
    const owner = await newCustomer(ctx);
    const res = await ctx.request("POST", "/api/v1/members/invitations", { cookie: owner.cookie, body });
    await expectError(res, 400, "validation_error");
    const details = ((await res.json()) as { error: { details: { field: string }[] } }).error.details;
    expect(details.map((d) => d.field)).toContain(field);
    expect((await membersOf(owner.cookie)).invitations).toEqual([]);
  });

  it("renders the email in English and German with the link and the expiry date", async () => {
    const owner = await newCustomer(ctx);
    const { job } = await invite(ctx, owner, freshEmail(), "admin");
    const en = renderInvitationEmail(job);
    expect(en.subject).toBe('Test Co invited you to "Test Co"');
    expect(en.text).toContain(job.url);
    expect(en.text).toContain("as admin");
    const de = renderInvitationEmail({ ...job, locale: "de", expiresAt: "2026-12-10T12:00:00.000Z" });
    expect(de.subject).toBe('Test Co hat Sie zu "Test Co" eingeladen');
    expect(de.text).toContain("als Administrator");
    expect(de.text).toContain("10. Dezember 2026");
    expect(de.text).toContain(job.url);
  });
});

describe("roles", () => {
  it("viewers may list members and leave, but not invite, change roles, revoke or remove", async () => {
    const { owner, ownerId, member } = await teamWith("viewer");
    expect((await membersOf(member.cookie)).members).toHaveLength(2);
    const { id } = await invite(ctx, owner, freshEmail(), "viewer");
    const asViewer = [
      ctx.request("POST", "/api/v1/members/invitations", {
        cookie: member.cookie,
        body: { email: freshEmail(), role: "viewer" },
      }),
      ctx.request("DELETE", `/api/v1/members/invitations/${id}`, { cookie: member.cookie }),
      ctx.request("PATCH", `/api/v1/members/${ownerId}`, { cookie: member.cookie, body: { role: "viewer" } }),
      ctx.request("DELETE", `/api/v1/members/${ownerId}`, { cookie: member.cookie }),
    ];
    for (const res of await Promise.all(asViewer)) await expectError(res, 403, "forbidden");
    expect((await ctx.request("DELETE", `/api/v1/members/${member.userId}`, { cookie: member.cookie })).status).toBe(
      204,
    );
    // Left their only account: the session ended.
    await expectError(await ctx.request("GET", "/api/v1/me", { cookie: member.cookie }), 401, "unauthenticated");
    expect((await membersOf(owner.cookie)).members).toHaveLength(1);
    expect((await auditOf(owner.accountId)).at(-1)).toMatchObject({
      action: "member.left",
      actor: `user:${member.userId}`,
    });
  });

  it("admins invite admins and viewers but neither grant nor touch the owner role", async () => {
    const { owner, ownerId, member: admin } = await teamWith("admin");
    await expectError(
      await ctx.request("POST", "/api/v1/members/invitations", {
        cookie: admin.cookie,
        body: { email: freshEmail(), role: "owner" },
      }),
      403,
      "forbidden",
    );
    const viewerEmail = freshEmail();
    const { token } = await invite(ctx, admin, viewerEmail, "viewer");
    const viewer = await signUpFromInvitation(ctx, token, viewerEmail);
    await expectError(
      await ctx.request("PATCH", `/api/v1/members/${viewer.userId}`, { cookie: admin.cookie, body: { role: "owner" } }),
      403,
      "forbidden",
    );
    await expectError(
      await ctx.request("PATCH", `/api/v1/members/${ownerId}`, { cookie: admin.cookie, body: { role: "viewer" } }),
      403,
      "forbidden",
    );
    await expectError(
      await ctx.request("DELETE", `/api/v1/members/${ownerId}`, { cookie: admin.cookie }),
      403,
      "forbidden",
    );
    const ownerInvite = await invite(ctx, owner, freshEmail(), "owner");
    await expectError(
      await ctx.request("DELETE", `/api/v1/members/invitations/${ownerInvite.id}`, { cookie: admin.cookie }),
      403,
      "forbidden",
    );

    const promoted = await ctx.request("PATCH", `/api/v1/members/${viewer.userId}`, {
      cookie: admin.cookie,
      body: { role: "admin" },
    });
    expect(promoted.status).toBe(200);
    expect(await promoted.json()).toMatchObject({ userId: viewer.userId, role: "admin", email: viewerEmail });
    expect((await ctx.request("DELETE", `/api/v1/members/${viewer.userId}`, { cookie: admin.cookie })).status).toBe(
      204,
    );
    await expectError(await ctx.request("GET", "/api/v1/me", { cookie: viewer.cookie }), 401, "unauthenticated");
    const audit = await auditOf(owner.accountId);
    expect(audit.filter((a) => a.action === "member.role_changed")).toEqual([
      expect.objectContaining({
        actor: expect.stringMatching(/^user:/),
        before: { userId: viewer.userId, role: "viewer" },
        after: { userId: viewer.userId, role: "admin" },
      }),
    ]);
    expect(audit.at(-1)).toMatchObject({
      action: "member.removed",
      before: { userId: viewer.userId, role: "admin" },
      after: null,
    });
  });

  it("a removed member's session moves to their own account", async () => {
    const owner = await newCustomer(ctx);
    const other = await newCustomer(ctx);
    const { token } = await invite(ctx, owner, other.email, "admin");
    expect(
      (await ctx.request("POST", `/api/v1/invitations/${token}/accept`, { cookie: other.cookie, body: {} })).status,
    ).toBe(200);
    const otherId = await userIdOf(ctx, other.cookie);
    expect((await ctx.request("DELETE", `/api/v1/members/${otherId}`, { cookie: owner.cookie })).status).toBe(204);
    const me = (await (await ctx.request("GET", "/api/v1/me", { cookie: other.cookie })).json()) as {
      account: { id: string };
      accounts: unknown[];
    };
    expect(me.account.id).toBe(other.accountId);
    expect(me.accounts).toHaveLength(1);
  });

  it("other accounts' members and invitations are 404; bad input is 400", async () => {
    const a = await teamWith("viewer");
    const b = await newCustomer(ctx);
    const { id } = await invite(ctx, a.owner, freshEmail(), "viewer");
    await expectError(
      await ctx.request("DELETE", `/api/v1/members/invitations/${id}`, { cookie: b.cookie }),
      404,
      "not_found",
    );
    await expectError(
      await ctx.request("PATCH", `/api/v1/members/${a.member.userId}`, { cookie: b.cookie, body: { role: "admin" } }),
      404,
      "not_found",
    );
    await expectError(
      await ctx.request("DELETE", `/api/v1/members/${a.member.userId}`, { cookie: b.cookie }),
      404,
      "not_found",
    );
    await expectError(
      await ctx.request("PATCH", `/api/v1/members/${a.member.userId}`, {
        cookie: a.owner.cookie,
        body: { role: "king" },
      }),
      400,
      "validation_error",
    );
    await expectError(
      await ctx.request("PATCH", `/api/v1/members/${a.member.userId}`, { cookie: a.owner.cookie, body: "{" }),
      400,
      "invalid_json",
    );
    await expectError(
      await ctx.request("DELETE", `/api/v1/members/${"x".repeat(65)}`, { cookie: a.owner.cookie }),
      400,
      "validation_error",
    );
    expect((await membersOf(a.owner.cookie)).invitations).toHaveLength(1);
    expect((await membersOf(a.owner.cookie)).members.map((m) => m.role).sort()).toEqual(["owner", "viewer"]);
  });

  it("need a portal session: an API key or nothing is 401", async () => {
    const c = await newCustomer(ctx);
    await expectError(await ctx.request("GET", "/api/v1/members", { apiKey: c.apiKey }), 401, "unauthenticated");
    await expectError(await ctx.request("GET", "/api/v1/members"), 401, "unauthenticated");
  });
});

describe("the last owner", () => {
  it("can neither leave nor be demoted; with a second owner both work", async () => {
    const { owner, ownerId, member: second } = await teamWith("viewer");
    await expectError(
      await ctx.request("PATCH", `/api/v1/members/${ownerId}`, { cookie: owner.cookie, body: { role: "admin" } }),
      409,
      "last_owner",
    );
    await expectError(
      await ctx.request("DELETE", `/api/v1/members/${ownerId}`, { cookie: owner.cookie }),
      409,
      "last_owner",
    );
    expect(
      (
        await ctx.request("PATCH", `/api/v1/members/${second.userId}`, {
          cookie: owner.cookie,
          body: { role: "owner" },
        })
      ).status,
    ).toBe(200);
    expect(
      (await ctx.request("PATCH", `/api/v1/members/${ownerId}`, { cookie: owner.cookie, body: { role: "admin" } }))
        .status,
    ).toBe(200);
    await expectError(
      await ctx.request("DELETE", `/api/v1/members/${second.userId}`, { cookie: second.cookie }),
      409,
      "last_owner",
    );
  });

  it("two owners demoting each other at once leave exactly one owner (repeated)", async () => {
    for (let round = 0; round < 8; round++) {
      const { owner, ownerId, member: second } = await teamWith("owner");
      const results = await Promise.all([
        ctx.request("PATCH", `/api/v1/members/${second.userId}`, { cookie: owner.cookie, body: { role: "viewer" } }),
        ctx.request("PATCH", `/api/v1/members/${ownerId}`, { cookie: second.cookie, body: { role: "viewer" } }),
      ]);
      const statuses = results.map((r) => r.status).sort();
      expect(statuses[0]).toBe(200);
      // The loser lost the owner role before its turn (403) or found itself the last owner (409).
      expect([403, 409]).toContain(statuses[1]);
      const [row] = await ctx.deps.database.sql<{ owners: number }[]>`
        SELECT count(*)::int AS owners FROM account_members WHERE account_id = ${owner.accountId} AND role = 'owner'`;
      expect(row!.owners).toBe(1);
    }
  });

  it("two owners leaving at once leave exactly one owner", async () => {
    const { owner, ownerId, member: second } = await teamWith("owner");
    const results = await Promise.all([
      ctx.request("DELETE", `/api/v1/members/${ownerId}`, { cookie: owner.cookie }),
      ctx.request("DELETE", `/api/v1/members/${second.userId}`, { cookie: second.cookie }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
    const [row] = await ctx.deps.database.sql<{ owners: number }[]>`
      SELECT count(*)::int AS owners FROM account_members WHERE account_id = ${owner.accountId} AND role = 'owner'`;
    expect(row!.owners).toBe(1);
  });
});
