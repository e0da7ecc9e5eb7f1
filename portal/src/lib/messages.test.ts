import { describe, expect, it } from "vitest";
import { translateServerText } from "./messages";
import { baseLocale, overwriteGetLocale } from "./paraglide/runtime.js";

describe("translateServerText", () => {
  it("puts the server's own sentences into the UI language and leaves callers' texts alone", () => {
    overwriteGetLocale(() => "de");
    expect(translateServerText("Top-up")).toBe("Aufladung");
    expect(translateServerText("Your card was declined.")).toBe("Ihre Karte wurde abgelehnt.");
    expect(translateServerText("Turned off after 3 failed attempts in a row. Last: Your card was declined.")).toBe(
      "Nach 3 fehlgeschlagenen Versuchen in Folge abgeschaltet. Zuletzt: Ihre Karte wurde abgelehnt.",
    );
    expect(translateServerText("GPT-4 tokens")).toBe("GPT-4 tokens");
    overwriteGetLocale(() => baseLocale);
    expect(translateServerText("Top-up")).toBe("Top-up");
  });
});
