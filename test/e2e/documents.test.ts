import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Download, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pdfText } from "../documents/pdf-text";
import { saveScreenshot, signUpAndTopUp25, startBrowserHarness, type BrowserHarness } from "./browser-harness";

/**
 * Issue 9 in the portal, in a real browser, in English and in German: top up, save billing
 * details (a bad VAT ID first, shown at its field), find the receipt on Documents and in
 * Transactions, download its PDF, export the transactions as CSV. Needs a built portal.
 */
let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(() => h?.close());

/** Renders the first page of `pdf` to test-results/<name>.png at 100 dpi with pdftoppm; returns the PNG. */
async function firstPagePng(pdf: Buffer, name: string): Promise<Buffer> {
  mkdirSync("test-results", { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), "pdf-"));
  await writeFile(join(dir, "in.pdf"), pdf);
  await promisify(execFile)("pdftoppm", ["-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", join(dir, "in.pdf"), `test-results/${name}`]);
  return readFile(`test-results/${name}.png`);
}

/** Clicks `link` and returns the downloaded file's bytes and suggested name. */
async function download(page: Page, click: () => Promise<void>): Promise<{ bytes: Buffer; name: string }> {
  const [file] = await Promise.all([page.waitForEvent("download"), click()]) as [Download, void];
  return { bytes: await readFile((await file.path())!), name: file.suggestedFilename() };
}

const cases = [
  { locale: "en-US", lang: "en", vatError: /Not a valid VAT ID/, saved: /Billing details saved/, receipt: "Receipt", csvHeader: "," },
  { locale: "de-DE", lang: "de", vatError: /Keine gültige USt-IdNr/, saved: /Rechnungsdaten gespeichert/, receipt: "Beleg", csvHeader: ";" },
] as const;

describe.each(cases)("documents in the portal ($lang)", (c) => {
  it("billing details, the receipt on Documents and Transactions, its PDF, the CSV export", async () => {
    const { browser, base } = h;
    const page = await browser.newPage({ locale: c.locale, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await signUpAndTopUp25(page, base, `Docs ${c.lang} GmbH`);

    // Billing details: the API's validation_error details land at the VAT ID field.
    await page.getByTestId("account-menu-toggle").click();
    await page.getByTestId("account-settings").click();
    await page.waitForURL(`${base}/settings`);
    await page.getByTestId("billing-legal-name").fill("Muster Ärzte GmbH");
    await page.getByTestId("billing-address1").fill("Hauptstraße 1");
    await page.getByTestId("billing-postal-code").fill("10115");
    await page.getByTestId("billing-city").fill("Berlin");
    await page.getByTestId("billing-country").selectOption("DE");
    await page.getByTestId("billing-vat-id").fill("DE123");
    await page.getByTestId("billing-save").click();
    await expect.poll(() => page.locator("#billing-vat-id-error").textContent()).toMatch(c.vatError);
    expect(await page.getByTestId("billing-vat-id").getAttribute("aria-invalid")).toBe("true");
    await saveScreenshot(page, `settings-vat-error-${c.lang}`);
    await page.getByTestId("billing-vat-id").fill("DE136695976");
    await page.getByTestId("billing-save").click();
    await expect.poll(() => page.getByTestId("billing-form").textContent()).toMatch(c.saved);
    await saveScreenshot(page, `settings-${c.lang}`);

    // Documents: the top-up's receipt, via the navigation.
    await page.getByRole("navigation").getByRole("link", { name: c.lang === "de" ? "Belege" : "Documents" }).click();
    await page.waitForURL(`${base}/documents`);
    const row = page.getByTestId("document-row").first();
    const number = (await row.getAttribute("data-document-number"))!;
    expect(number).toMatch(/^R-\d{4}-\d+$/);
    expect((await row.textContent())!.replace(/\s+/g, " ")).toMatch(/25[.,]00/);
    // The page fits the window: no sideways scrolling, in German either.
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(1280);
    await saveScreenshot(page, `documents-${c.lang}`);
    const pdf = await download(page, () => row.getByTestId("document-pdf").click());
    expect(pdf.bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const text = await pdfText(pdf.bytes);
    expect(text).toContain(number);
    // Issued before the billing details were saved: documents never change afterwards.
    expect(text).not.toContain("DE136695976");
    // What the customer sees: the first page as a picture (poppler's pdftoppm), kept for the notes.
    const png = await firstPagePng(pdf.bytes, `receipt-${c.lang}`);
    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(png.length).toBeGreaterThan(20_000); // a blank A4 page at 100 dpi is ~3 KB

    // Statements: the running month, interim.
    await page.getByTestId("documents-tab-statement").click();
    await expect.poll(() => page.getByTestId("documents-list").textContent()).toMatch(c.lang === "de" ? /Vorläufig/ : /Interim/);
    const statement = await download(page, () => page.getByTestId("document-pdf").first().click());
    expect(statement.bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    // Any month: one before the account existed is explained, the running one downloads.
    await page.getByTestId("statement-month").fill("2020-01");
    await page.getByTestId("statement-month-download").click();
    await expect
      .poll(() => page.getByTestId("statement-month-error").textContent())
      .toMatch(c.lang === "de" ? /Januar 2020.*bestand noch nicht/ : /January 2020.*did not exist yet/);
    await page.getByTestId("statement-month").fill(new Date().toISOString().slice(0, 7));
    const picked = await download(page, () => page.getByTestId("statement-month-download").click());
    expect(picked.name).toMatch(/^statement-\d{4}-\d{2}-interim\.pdf$/);
    expect(await pdfText(picked.bytes)).toContain(c.lang === "de" ? "Vorläufig" : "Interim");
    expect(await page.getByTestId("statement-month-error").count()).toBe(0);

    // Transactions: the top-up row links its receipt; the CSV export keeps the filter.
    await page.goto(`${base}/transactions?type=topup`);
    const receiptLink = page.getByTestId("transaction-receipt");
    await expect.poll(() => receiptLink.textContent()).toBe(c.receipt);
    const linked = await download(page, () => receiptLink.click());
    expect(await pdfText(linked.bytes)).toContain(number);
    await saveScreenshot(page, `transactions-${c.lang}`);
    const exportLink = page.getByTestId("transactions-export-csv");
    const href = (await exportLink.getAttribute("href"))!;
    expect(href).toContain("type=topup");
    if (c.lang === "de") expect(href).toContain("delimiter=semicolon&locale=de");
    const csv = await download(page, () => exportLink.click());
    expect(csv.name).toMatch(/\.csv$/);
    const lines = csv.bytes.toString("utf8").replace(/^\uFEFF/, "").trim().split(/\r\n/);
    expect(lines[0]).toContain(c.csvHeader);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("topup");
    await page.close();
  });
});

it("the phone menu links Documents and Settings", async () => {
  const { browser, base } = h;
  const page = await browser.newPage({ locale: "en-US", viewport: { width: 390, height: 844 } });
  await signUpAndTopUp25(page, base, "Docs Phone Ltd");
  await page.getByRole("button", { name: /menu/i }).click();
  await page.getByRole("link", { name: "Documents" }).click();
  await page.waitForURL(`${base}/documents`);
  await expect.poll(() => page.getByTestId("document-row").count()).toBe(1);
  await saveScreenshot(page, "documents-phone");
  await page.getByRole("button", { name: /menu/i }).click();
  await page.getByRole("link", { name: "Settings" }).click();
  await page.waitForURL(`${base}/settings`);
  await page.close();
});
