import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startReceiver } from "../webhooks/receiver";
import { saveScreenshot, signUp, startBrowserHarness, type BrowserHarness } from "./browser-harness";

/**
 * The Webhooks page in a real browser, with the graphile-worker running as in `npm start`
 * so deliveries are really sent: sign up, add an endpoint at a local receiver for all
 * events, see the signing secret once, send a test event, check the receiver got a POST
 * whose Standard Webhooks signature verifies with that secret, see the delivery succeed
 * in the list, delete the endpoint. Needs a built portal (npm run build:portal).
 */
let h: BrowserHarness;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  h = await startBrowserHarness({ worker: true });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await h?.close();
});

it("add an endpoint, send a test event, verify its signature, see the delivery, delete the endpoint", async () => {
  const { browser, base } = h;
  const page = await browser.newPage({ locale: "de-DE", viewport: { width: 1280, height: 900 } });
  await signUp(page, base, "Hook GmbH");

  await page
    .getByRole("navigation", { name: "Hauptnavigation" })
    .first()
    .getByRole("link", { name: "Webhooks" })
    .click();
  await page.waitForURL(`${base}/webhooks`);
  await expect.poll(() => page.getByText("Noch keine Endpunkte").count()).toBe(1);

  // https is required (http only on localhost): said before anything is sent.
  await page.getByTestId("webhook-url").fill("http://example.com/hooks");
  await page.getByTestId("webhook-event-all").check();
  await page.getByTestId("webhook-create").click();
  await expect.poll(() => page.getByTestId("webhook-url").getAttribute("aria-invalid")).toBe("true");
  expect(await page.getByText("Bitte verwenden Sie eine https://-URL.").count()).toBe(1);
  // "All events" covers every type: the single boxes show checked and cannot be changed.
  expect(await page.getByTestId("webhook-event-account.suspended").isChecked()).toBe(true);
  expect(await page.getByTestId("webhook-event-account.suspended").isDisabled()).toBe(true);

  // A server refusal is shown in the form, in the user's language.
  await page.route(`${base}/api/v1/webhook-endpoints`, (route) =>
    route.request().method() === "POST"
      ? route.fulfill({
          status: 422,
          contentType: "application/json",
          body: JSON.stringify({
            error: { code: "limit_exceeded", message: "At most 16 webhook endpoints.", requestId: "req_e2e" },
          }),
        })
      : route.fallback(),
  );
  await page.getByTestId("webhook-url").fill(receiver.url);
  await page.getByTestId("webhook-create").click();
  await expect.poll(() => page.getByTestId("form-error").textContent()).toContain("bereits 16 Endpunkte");
  await page.unrouteAll();

  await page.getByTestId("webhook-description").fill("E2E receiver");
  await page.getByTestId("webhook-create").click();
  const secret = (await page.getByTestId("webhook-secret").textContent())!.trim();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  await page.getByTestId("webhook-secret-done").click();
  // Shown once: gone after "done", and the list never carries it.
  expect(await page.getByTestId("webhook-secret").count()).toBe(0);
  expect(await page.content()).not.toContain(secret);

  const row = page.getByTestId("webhook-row");
  expect(await row.count()).toBe(1);
  const endpointId = (await row.getAttribute("data-endpoint-id"))!;
  expect(endpointId).toMatch(/^we_/);
  expect(await row.textContent()).toContain(receiver.url);
  expect(await row.textContent()).toContain("Alle Ereignisse");
  expect(await row.textContent()).toContain("E2E receiver");

  await row.getByTestId("webhook-deliveries-toggle").click();
  expect(await row.getByTestId("webhook-deliveries-toggle").getAttribute("aria-expanded")).toBe("true");
  await expect.poll(() => row.getByText("Noch keine Zustellungen").count()).toBe(1);

  await row.getByTestId("webhook-test").click();
  await receiver.waitFor(1, 20_000);
  const received = receiver.received[0]!;
  const headers = Object.fromEntries(
    Object.entries(received.headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(", ") : String(value),
    ]),
  );
  // Throws unless webhook-signature is the HMAC of webhook-id.webhook-timestamp.body with this secret.
  const event = new Webhook(secret).verify(received.body, headers) as {
    id: string;
    type: string;
    data: Record<string, unknown>;
  };
  expect(event.type).toBe("webhook.test");
  expect(event.data.endpointId).toBe(endpointId);
  expect(headers["webhook-id"]).toBe(event.id);
  expect(() =>
    new Webhook(`whsec_${Buffer.from("not the secret").toString("base64")}`).verify(received.body, headers),
  ).toThrow();

  // The list shows the delivery as succeeded once the worker recorded it.
  const delivery = row.getByTestId("webhook-delivery-row").first();
  await expect
    .poll(
      async () => {
        await row.getByTestId("webhook-deliveries-refresh").click();
        return (await delivery.count()) > 0 ? delivery.getAttribute("data-status") : null;
      },
      { timeout: 15_000, interval: 500 },
    )
    .toBe("succeeded");
  expect(await delivery.getAttribute("data-event-id")).toBe(event.id);
  expect(await delivery.textContent()).toMatch(/Testereignis[\s\S]*Versuche: 1[\s\S]*Antwort 200[\s\S]*Zugestellt/);
  await delivery.getByText("Payload (JSON)").click();
  expect(await delivery.getByTestId("webhook-delivery-payload").textContent()).toContain('"type": "webhook.test"');

  // "Send again": the same event (same webhook-id) reaches the receiver a second time.
  await delivery.getByTestId("webhook-redeliver").click();
  await receiver.waitFor(2, 20_000);
  expect(receiver.received[1]!.headers["webhook-id"]).toBe(event.id);
  await expect
    .poll(async () => delivery.textContent(), { timeout: 15_000, interval: 500 })
    .toMatch(/Versuche: 2[\s\S]*Zugestellt/);

  await saveScreenshot(page, "webhooks");

  // An endpoint turned off for failing says so and why, and turns on again in one click.
  await h.ctx.deps.database.sql`
    UPDATE webhook_endpoints SET disabled_at = now(), disabled_reason = 'Turned off: no delivery succeeded for 3 days (last: HTTP 500).'
     WHERE id = ${endpointId}`;
  await page.reload();
  const offRow = page.getByTestId("webhook-row");
  await expect.poll(() => offRow.getByTestId("webhook-disabled").textContent()).toMatch(/Ausgeschaltet am .*HTTP 500/s);
  await offRow.getByTestId("webhook-enable").click();
  await expect.poll(() => offRow.getByTestId("webhook-disabled").count()).toBe(0);
  const [after] = await h.ctx.deps.database.sql`SELECT disabled_at FROM webhook_endpoints WHERE id = ${endpointId}`;
  expect(after!.disabled_at).toBeNull();

  await offRow.getByTestId("webhook-delete").click();
  await expect.poll(() => page.getByTestId("confirm-dialog").isVisible()).toBe(true);
  expect(await page.getByTestId("confirm-dialog").textContent()).toContain(receiver.url);
  await page.getByTestId("confirm-submit").click();
  await expect.poll(() => page.getByTestId("webhook-row").count()).toBe(0);
  await expect.poll(() => page.getByText("Noch keine Endpunkte").count()).toBe(1);
  const listed = await page.evaluate(
    async () => (await (await fetch("/api/v1/webhook-endpoints")).json()) as { data: unknown[] },
  );
  expect(listed.data).toEqual([]);

  await page.close();
});
