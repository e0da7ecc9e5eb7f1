CREATE TABLE "payment_methods" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"provider" text NOT NULL,
	"provider_payment_method_id" text NOT NULL,
	"provider_customer_id" text NOT NULL,
	"brand" text NOT NULL,
	"last4" text NOT NULL,
	"exp_month" integer NOT NULL,
	"exp_year" integer NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auto_topup_settings" (
	"account_id" text PRIMARY KEY NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"threshold" bigint NOT NULL,
	"amount" bigint,
	"target_balance" bigint,
	"payment_method_id" text,
	"cooldown_minutes" integer DEFAULT 60 NOT NULL,
	"monthly_cap" bigint,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"disabled_reason" text,
	"action_url" text,
	"last_attempt_at" timestamp with time zone,
	"last_result" text,
	"last_reason" text,
	"last_topup_id" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "auto_topup_amount_xor_target" CHECK (("auto_topup_settings"."amount" IS NULL) <> ("auto_topup_settings"."target_balance" IS NULL)),
	CONSTRAINT "auto_topup_amount_positive" CHECK ("auto_topup_settings"."amount" IS NULL OR "auto_topup_settings"."amount" > 0),
	CONSTRAINT "auto_topup_target_above_threshold" CHECK ("auto_topup_settings"."target_balance" IS NULL OR "auto_topup_settings"."target_balance" > "auto_topup_settings"."threshold"),
	CONSTRAINT "auto_topup_cooldown_nonnegative" CHECK ("auto_topup_settings"."cooldown_minutes" >= 0)
);
--> statement-breakpoint
CREATE TABLE "holds" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"captured_amount" bigint,
	"capture_entry_id" text,
	"idempotency_key" text,
	"description" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"released_at" timestamp with time zone,
	CONSTRAINT "holds_amount_positive" CHECK ("holds"."amount" > 0),
	CONSTRAINT "holds_capture_within_amount" CHECK ("holds"."captured_amount" IS NULL OR ("holds"."captured_amount" > 0 AND "holds"."captured_amount" <= "holds"."amount"))
);
--> statement-breakpoint
CREATE TABLE "simulated_payment_intents" (
	"id" text PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"customer" text NOT NULL,
	"payment_method" text NOT NULL,
	"status" text NOT NULL,
	"last_error" text,
	"metadata" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "simulated_payment_intents_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "suspended_reason" text;--> statement-breakpoint
ALTER TABLE "topups" ADD COLUMN "kind" text DEFAULT 'checkout' NOT NULL;--> statement-breakpoint
ALTER TABLE "topups" ADD COLUMN "payment_method_id" text;--> statement-breakpoint
ALTER TABLE "topups" ADD COLUMN "action_url" text;--> statement-breakpoint
ALTER TABLE "payment_methods" ADD CONSTRAINT "payment_methods_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auto_topup_settings" ADD CONSTRAINT "auto_topup_settings_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auto_topup_settings" ADD CONSTRAINT "auto_topup_settings_payment_method_id_payment_methods_id_fk" FOREIGN KEY ("payment_method_id") REFERENCES "public"."payment_methods"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "holds" ADD CONSTRAINT "holds_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "holds" ADD CONSTRAINT "holds_capture_entry_id_ledger_entries_id_fk" FOREIGN KEY ("capture_entry_id") REFERENCES "public"."ledger_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "payment_methods_provider_pm_idx" ON "payment_methods" USING btree ("account_id","provider_payment_method_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payment_methods_one_default_idx" ON "payment_methods" USING btree ("account_id") WHERE "payment_methods"."is_default";--> statement-breakpoint
CREATE INDEX "payment_methods_account_idx" ON "payment_methods" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "holds_account_idempotency_key_idx" ON "holds" USING btree ("account_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "holds_active_expires_idx" ON "holds" USING btree ("expires_at") WHERE "holds"."status" = 'active';--> statement-breakpoint
CREATE INDEX "holds_account_idx" ON "holds" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "topups_pending_auto_idx" ON "topups" USING btree ("account_id") WHERE "topups"."kind" = 'auto' AND "topups"."status" = 'pending';