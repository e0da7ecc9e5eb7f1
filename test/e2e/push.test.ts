import { afterAll, beforeAll, expect, it } from "vitest";
import { suspendAccount } from "../../db/ledger/account-status";
import { browserSubscription, decrypt } from "../notifications/push-browser";
import { startReceiver } from "../webhooks/receiver";
import { saveScreenshot, signUp, startBrowserHarness, type BrowserHarness } from "./browser-harness";

/**
 * The Notifications page in a real browser, with the worker running as in `npm start`:
 * turn on browser notifications, see this browser listed, get the suspension as a Web
 * Push message, turn it off. Chromium's push service is Google's (unreachable here), so
 * PushManager.subscribe is replaced by a subscription whose endpoint is a local receiver
 * and whose keys the test holds; everything else (permission, service worker, the page,
 * the API, encryption, VAPID, the worker) is the real thing. Needs a built portal.
 */
let h: BrowserHarness;
let pushService: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  h = await startBrowserHarness({ worker: true });
  pushService = await startReceiver();
});
afterAll(async () => {
  await pushService?.close();
  await h?.close();
});

it("turn on browser notifications, receive the suspension as a push, turn them off", async () => {
  const { browser, base } = h;
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(["notifications"], { origin: base });
  const device = browserSubscription(new URL(pushService.url).origin);
  await context.addInitScript((json) => {
    let current: unknown = null;
    const fake = {
      endpoint: json.endpoint,
      toJSON: () => json,
      unsubscribe: () => {
        current = null;
        return Promise.resolve(true);
      },
    };
    // Runs in the page (DOM types are not in this project's Node tsconfig).
    type Fn = () => Promise<unknown>;
    const manager = (globalThis as unknown as { PushManager: { prototype: { subscribe: Fn; getSubscription: Fn } } })
      .PushManager;
    manager.prototype.subscribe = () => Promise.resolve((current = fake));
    manager.prototype.getSubscription = () => Promise.resolve(current);
  }, device.json);
  const page = await context.newPage();
  await signUp(page, base, "Push Ltd");

  await page.getByRole("navigation", { name: "Main" }).first().getByRole("link", { name: "Notifications" }).click();
  await page.waitForURL(`${base}/notifications`);
  await expect.poll(() => page.getByTestId("push-devices-empty").count()).toBe(1);
  expect(await page.getByTestId("push-status").textContent()).toContain("Off for this browser");

  await page.getByTestId("push-enable").click();
  await expect.poll(() => page.getByTestId("push-status").textContent()).toContain("On for this browser");
  expect(await page.getByTestId("push-device").count()).toBe(1);
  expect(await page.getByTestId("push-device").textContent()).toContain("This browser");
  await saveScreenshot(page, "notifications");

  const accountId = await page.evaluate(
    async () => ((await (await fetch("/api/v1/me")).json()) as { account: { id: string } }).account.id,
  );
  await suspendAccount(h.ctx.deps.ledger, accountId, "operator");
  await pushService.waitFor(1);
  expect(decrypt(pushService.received[0]!.raw, device.ecdh, device.auth)).toMatchObject({
    title: 'Your account "Push Ltd" is suspended',
    tag: "account.suspended",
  });

  await page.getByTestId("push-device-remove").click();
  await expect.poll(() => page.getByTestId("push-devices-empty").count()).toBe(1);
  expect(await page.getByTestId("push-status").textContent()).toContain("Off for this browser");
  await context.close();
});
