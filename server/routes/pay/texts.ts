import type { CheckoutLocale } from "../../payments/provider";

/**
 * The confirm page's words (/pay/confirm/:topupId) in the portal's languages: the page is
 * shown in the language of the signed-in user (users.locale), like the emails that link to
 * it. `what` is "top-up" or "auto top-up" in that language.
 */
const TEXTS = {
  en: {
    what: (auto: boolean) => (auto ? "auto top-up" : "top-up"),
    back: "Back to your balance",
    confirmedTitle: "Payment confirmed",
    confirmed: (what: string, amount: string, auto: boolean) =>
      `Your ${what} of ${amount} is paid; your balance is topped up.${auto ? " Auto top-up is running again." : ""}`,
    failedTitle: "Payment not completed",
    failed: (what: string, amount: string, reason: string) => `Your ${what} of ${amount} was not paid: ${reason}`,
    processingTitle: "Payment in progress",
    processing: (what: string, amount: string) => `Your ${what} of ${amount} is being processed. Reload this page in a moment.`,
    confirmTitle: "Confirm your payment",
    intro: (what: string, amountHtml: string, auto: boolean) =>
      `Your bank asks you to confirm the ${what} of ${amountHtml}.${auto ? " Auto top-up is paused until you do." : ""}`,
    confirmButton: "Confirm payment",
    scriptError: "The payment could not be confirmed.",
    unconfiguredTitle: "Payment cannot be confirmed here",
    unconfigured: "Confirming payments is not set up on this service yet (STRIPE_PUBLISHABLE_KEY). Please contact support.",
    notFoundTitle: "Payment not found",
    notFound: "This confirm link is not valid for your account.",
    forbiddenTitle: "Not allowed",
    forbidden: "Only the account's owners and admins can confirm its payments.",
  },
  de: {
    what: (auto: boolean) => (auto ? "automatische Aufladung" : "Aufladung"),
    back: "Zurück zu Ihrem Guthaben",
    confirmedTitle: "Zahlung bestätigt",
    confirmed: (what: string, amount: string, auto: boolean) =>
      `Ihre ${what} über ${amount} ist bezahlt; Ihr Guthaben ist aufgeladen.${auto ? " Die automatische Aufladung läuft wieder." : ""}`,
    failedTitle: "Zahlung nicht abgeschlossen",
    failed: (what: string, amount: string, reason: string) => `Ihre ${what} über ${amount} wurde nicht bezahlt: ${reason}`,
    processingTitle: "Zahlung in Bearbeitung",
    processing: (what: string, amount: string) => `Ihre ${what} über ${amount} wird bearbeitet. Laden Sie diese Seite gleich neu.`,
    confirmTitle: "Zahlung bestätigen",
    intro: (what: string, amountHtml: string, auto: boolean) =>
      `Ihre Bank bittet Sie, die ${what} über ${amountHtml} zu bestätigen.${auto ? " Die automatische Aufladung pausiert bis dahin." : ""}`,
    confirmButton: "Zahlung bestätigen",
    scriptError: "Die Zahlung konnte nicht bestätigt werden.",
    unconfiguredTitle: "Zahlung kann hier nicht bestätigt werden",
    unconfigured: "Das Bestätigen von Zahlungen ist auf diesem Dienst noch nicht eingerichtet (STRIPE_PUBLISHABLE_KEY). Bitte wenden Sie sich an den Support.",
    notFoundTitle: "Zahlung nicht gefunden",
    notFound: "Dieser Bestätigungslink gilt nicht für Ihr Konto.",
    forbiddenTitle: "Nicht erlaubt",
    forbidden: "Nur Inhaber und Admins des Kontos können seine Zahlungen bestätigen.",
  },
} satisfies Record<CheckoutLocale, unknown>;

/** The confirm page's texts in `locale`. */
export const confirmTexts = (locale: CheckoutLocale) => TEXTS[locale];
