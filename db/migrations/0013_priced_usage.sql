CREATE TABLE "meter_prices" (
	"id" text PRIMARY KEY NOT NULL,
	"meter_key" text NOT NULL,
	"currency" text NOT NULL,
	"unit_amount" numeric(30, 12) NOT NULL,
	"effective_from" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "meter_prices_unit_amount_nonnegative" CHECK ("meter_prices"."unit_amount" >= 0),
	CONSTRAINT "meter_prices_currency_iso" CHECK ("meter_prices"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "meters" (
	"key" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"unit" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "meters_key_format" CHECK ("meters"."key" ~ '^[a-z0-9][a-z0-9._-]{0,63}$')
);
--> statement-breakpoint
CREATE TABLE "usage_remainders" (
	"account_id" text NOT NULL,
	"meter_key" text NOT NULL,
	"remainder" numeric NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_remainders_account_id_meter_key_pk" PRIMARY KEY("account_id","meter_key"),
	CONSTRAINT "usage_remainders_fraction" CHECK ("usage_remainders"."remainder" >= 0 AND "usage_remainders"."remainder" < 1)
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target_id" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"request_id" text
);
--> statement-breakpoint
CREATE TABLE "balance_alerts" (
	"account_id" text NOT NULL,
	"threshold" bigint NOT NULL,
	"armed" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "balance_alerts_account_id_threshold_pk" PRIMARY KEY("account_id","threshold"),
	CONSTRAINT "balance_alerts_threshold_positive" CHECK ("balance_alerts"."threshold" > 0)
);
--> statement-breakpoint
ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_amount_nonzero";--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "spend_limit_daily" bigint;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "spend_limit_monthly" bigint;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "spent_day" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "spent_day_start" date;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "spent_month" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "spent_month_start" date;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD COLUMN "meter" text;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD COLUMN "quantity" numeric;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD COLUMN "unit_price" numeric;--> statement-breakpoint
ALTER TABLE "meter_prices" ADD CONSTRAINT "meter_prices_meter_key_meters_key_fk" FOREIGN KEY ("meter_key") REFERENCES "public"."meters"("key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_remainders" ADD CONSTRAINT "usage_remainders_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_remainders" ADD CONSTRAINT "usage_remainders_meter_key_meters_key_fk" FOREIGN KEY ("meter_key") REFERENCES "public"."meters"("key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "balance_alerts" ADD CONSTRAINT "balance_alerts_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "meter_prices_meter_currency_from_idx" ON "meter_prices" USING btree ("meter_key","currency","effective_from");--> statement-breakpoint
CREATE INDEX "usage_remainders_meter_idx" ON "usage_remainders" USING btree ("meter_key");--> statement-breakpoint
CREATE INDEX "audit_log_target_idx" ON "audit_log" USING btree ("target_id","at");--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_spend_limits_nonnegative" CHECK ("accounts"."spend_limit_daily" >= 0 AND "accounts"."spend_limit_monthly" >= 0);--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_priced_usage" CHECK (("ledger_entries"."meter" IS NULL) = ("ledger_entries"."quantity" IS NULL) AND ("ledger_entries"."meter" IS NULL) = ("ledger_entries"."unit_price" IS NULL));--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_amount_nonzero" CHECK ("ledger_entries"."amount" <> 0 OR "ledger_entries"."meter" IS NOT NULL);--> statement-breakpoint
-- Price versions and the audit log are append-only, like ledger_entries (a new price is a new row).
CREATE OR REPLACE FUNCTION append_only_reject_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (% rejected)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER meter_prices_no_update_delete BEFORE UPDATE OR DELETE ON meter_prices
  FOR EACH ROW EXECUTE FUNCTION append_only_reject_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION append_only_reject_change();
