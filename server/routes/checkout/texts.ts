import { CARD_INPUT_MESSAGES } from "../../payments/card-input";
import { PAYMENT_NOT_CONFIRMED_MESSAGE } from "../../payments/handle-webhook";
import type { CheckoutLocale } from "../../payments/provider";
import { CARD_MESSAGES } from "../../payments/test-cards";

/**
 * The simulated checkout pages' words in the portal's languages (Stripe Checkout shows its
 * page in the session's `locale`). German card messages follow Stripe's German Checkout.
 */
const TEXTS = {
  en: {
    pay: (amount: string) => `Pay ${amount}`,
    saveCard: "Save card",
    cancel: "Cancel and return",
    testMode: "TEST MODE",
    saveLabel: "Save a card for later top-ups",
    topupLabel: "Balance top-up",
    saveTitle: "Save a card",
    payTitle: "Pay with card",
    cardInformation: "Card information",
    expiry: "Expiry",
    expiryPlaceholder: "MM / YY",
    cvc: "CVC",
    useCard: "Use this card",
    hints: "Test cards (any future expiry date, any 3-digit CVC):",
    foot: "Simulated payments · no real card is charged",
    cards: {} as Record<string, string>,
    authTitle: "Authenticate your payment",
    authBody: (amount: string) =>
      `Your bank asks you to confirm the payment of <strong>${amount}</strong> to Live Balance. This is a simulated authentication page: choose the outcome.`,
    authComplete: "Complete authentication",
    authFail: "Fail authentication",
    paidTitle: "Payment complete",
    paidBody: "This checkout has been paid.",
    continue: "Continue",
    expiredTitle: "Checkout expired",
    expiredBody: "This checkout session has expired. Start a new top-up.",
    return: "Return",
    messages: {} as Record<string, string>,
  },
  de: {
    pay: (amount: string) => `${amount} bezahlen`,
    saveCard: "Karte speichern",
    cancel: "Abbrechen und zurück",
    testMode: "TESTMODUS",
    saveLabel: "Karte für spätere Aufladungen speichern",
    topupLabel: "Guthaben aufladen",
    saveTitle: "Karte speichern",
    payTitle: "Mit Karte zahlen",
    cardInformation: "Kartendaten",
    expiry: "Ablaufdatum",
    expiryPlaceholder: "MM / JJ",
    cvc: "Prüfnummer",
    useCard: "Diese Karte verwenden",
    hints: "Testkarten (beliebiges künftiges Ablaufdatum, beliebige 3-stellige Prüfnummer):",
    foot: "Simulierte Zahlungen · keine echte Karte wird belastet",
    cards: {
      Succeeds: "Erfolgreich",
      Declined: "Abgelehnt",
      "Requires authentication (3-D Secure)": "Erfordert Authentifizierung (3-D Secure)",
      "Succeeds; later charges on it are declined": "Erfolgreich; spätere Belastungen werden abgelehnt",
    } as Record<string, string>,
    authTitle: "Zahlung bestätigen",
    authBody: (amount: string) =>
      `Ihre Bank bittet Sie, die Zahlung von <strong>${amount}</strong> an Live Balance zu bestätigen. Dies ist eine simulierte Authentifizierung: Wählen Sie das Ergebnis.`,
    authComplete: "Authentifizierung abschließen",
    authFail: "Authentifizierung fehlschlagen lassen",
    paidTitle: "Zahlung abgeschlossen",
    paidBody: "Dieser Checkout wurde bereits bezahlt.",
    continue: "Weiter",
    expiredTitle: "Checkout abgelaufen",
    expiredBody: "Diese Checkout-Sitzung ist abgelaufen. Starten Sie eine neue Aufladung.",
    return: "Zurück",
    messages: {
      [CARD_MESSAGES.declined]: "Ihre Karte wurde abgelehnt.",
      [CARD_MESSAGES.invalid]: "Ihre Kartennummer ist ungültig.",
      [CARD_MESSAGES.authenticationFailed]:
        "Ihre Zahlungsmethode konnte nicht authentifiziert werden. Bitte wählen Sie eine andere Zahlungsmethode und versuchen Sie es erneut.",
      [CARD_INPUT_MESSAGES.expiryIncomplete]: "Das Ablaufdatum Ihrer Karte ist unvollständig.",
      [CARD_INPUT_MESSAGES.expiryInvalid]: "Der Ablaufmonat Ihrer Karte ist ungültig.",
      [CARD_INPUT_MESSAGES.expiryPast]: "Das Ablaufdatum Ihrer Karte liegt in der Vergangenheit.",
      [CARD_INPUT_MESSAGES.cvcIncomplete]: "Die Prüfnummer Ihrer Karte ist unvollständig.",
      [PAYMENT_NOT_CONFIRMED_MESSAGE]: "Die Zahlung wurde nicht bestätigt.",
    } as Record<string, string>,
  },
} satisfies Record<CheckoutLocale, unknown>;

/** The checkout pages' texts in `locale`. */
export const checkoutTexts = (locale: CheckoutLocale) => TEXTS[locale];

/** A card or input message (English, as the provider reports it) in `locale`; unknown ones as they are. */
export const translateCardMessage = (message: string, locale: CheckoutLocale) =>
  TEXTS[locale].messages[message] ?? message;
