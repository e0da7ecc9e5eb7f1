import { z } from "zod";

/**
 * The parts of a Stripe event we read, with their types (docs.stripe.com/api/events/object
 * and the objects it carries). A validly signed event can still be malformed (a bug at the
 * sender, a hand-made test event, `data.object: null`, `amount_refunded: "lots"`): it is
 * checked against these shapes before anything is applied, so such an event is refused
 * (400) instead of reaching SQL. Fields we do not read are not checked, and Stripe's open
 * enums (`status`, `mode`) stay strings.
 */

/** An expandable reference: an id, an expanded object with an id, or null. */
const Expandable = z.union([z.string(), z.object({ id: z.string() }), z.null()]);
const Metadata = z.record(z.string(), z.string()).nullable().optional();
const Money = z.number().int();

/** A payment or setup intent expanded with its card (`expand: ["payment_intent.payment_method"]`). */
const ExpandedIntent = z.union([
  z.string(),
  z.null(),
  z.object({
    id: z.string(),
    payment_method: z
      .union([
        z.string(),
        z.null(),
        z.object({
          id: z.string(),
          card: z
            .object({ brand: z.string(), last4: z.string(), exp_month: z.number().int(), exp_year: z.number().int() })
            .nullable()
            .optional(),
        }),
      ])
      .optional(),
  }),
]);

const CheckoutSessionShape = z.object({
  id: z.string(),
  url: z.string().nullable().optional(),
  status: z.string().nullable().optional(),
  payment_status: z.string().nullable().optional(),
  payment_intent: ExpandedIntent.optional(),
  setup_intent: ExpandedIntent.optional(),
  amount_total: Money.nullable().optional(),
  currency: z.string().nullable().optional(),
  metadata: Metadata,
  customer: Expandable.optional(),
  mode: z.string().nullable().optional(),
});

const PaymentIntentShape = z.object({
  id: z.string(),
  status: z.string(),
  amount: Money,
  currency: z.string(),
  metadata: Metadata,
});

const ChargeShape = z.object({
  id: z.string(),
  payment_intent: Expandable,
  amount_refunded: Money.min(0),
  currency: z.string(),
});

const DisputeShape = z.object({
  id: z.string(),
  payment_intent: Expandable,
  amount: Money.min(0),
  currency: z.string(),
  status: z.string(),
});

/** Shapes of the `data.object` kinds we act on, by their `object` field; other kinds are only acknowledged. */
const OBJECT_SHAPES: Record<string, z.ZodType> = {
  "checkout.session": CheckoutSessionShape,
  payment_intent: PaymentIntentShape,
  charge: ChargeShape,
  dispute: DisputeShape,
};

const EventShape = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  data: z.object({ object: z.looseObject({ object: z.string() }) }),
});

/**
 * Why a signed event is unusable, or null when its envelope and the object we would read
 * have the shapes above. `event` is the parsed JSON body.
 * @returns e.g. `"data.object.amount_refunded: Invalid input: expected number, received string"`
 */
export function findMalformation(event: unknown): string | null {
  const envelope = EventShape.safeParse(event);
  if (!envelope.success) return describe(envelope.error, []);
  const object = envelope.data.data.object;
  const shape = OBJECT_SHAPES[object.object];
  const checked = shape?.safeParse(object);
  return checked && !checked.success ? describe(checked.error, ["data", "object"]) : null;
}

function describe(error: z.ZodError, prefix: PropertyKey[]): string {
  const issue = error.issues[0]!;
  return `${[...prefix, ...issue.path].map(String).join(".") || "(event)"}: ${issue.message}`;
}
