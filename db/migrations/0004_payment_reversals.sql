CREATE TABLE "payment_reversals" (
	"id" text PRIMARY KEY NOT NULL,
	"topup_id" text NOT NULL,
	"account_id" text NOT NULL,
	"kind" text NOT NULL,
	"provider_ref" text NOT NULL,
	"amount" bigint NOT NULL,
	"recovered" bigint NOT NULL,
	"ledger_entry_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payment_reversals_amount_positive" CHECK ("payment_reversals"."amount" > 0),
	CONSTRAINT "payment_reversals_recovered_range" CHECK ("payment_reversals"."recovered" >= 0 AND "payment_reversals"."recovered" <= "payment_reversals"."amount"),
	CONSTRAINT "payment_reversals_entry_iff_recovered" CHECK (("payment_reversals"."ledger_entry_id" IS NULL) = ("payment_reversals"."recovered" = 0))
);
--> statement-breakpoint
ALTER TABLE "payment_reversals" ADD CONSTRAINT "payment_reversals_topup_id_topups_id_fk" FOREIGN KEY ("topup_id") REFERENCES "public"."topups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_reversals" ADD CONSTRAINT "payment_reversals_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_reversals" ADD CONSTRAINT "payment_reversals_ledger_entry_id_ledger_entries_id_fk" FOREIGN KEY ("ledger_entry_id") REFERENCES "public"."ledger_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "payment_reversals_kind_ref_idx" ON "payment_reversals" USING btree ("kind","provider_ref");--> statement-breakpoint
CREATE INDEX "payment_reversals_topup_idx" ON "payment_reversals" USING btree ("topup_id");--> statement-breakpoint
-- The system accounts refunds and disputes (db/ledger/system-accounts.ts) for every currency already in use.
INSERT INTO "accounts" ("id", "kind", "code", "name", "currency")
SELECT 'sys_' || c.code || '_' || a.currency, 'system', c.code, c.code, a.currency
  FROM (SELECT DISTINCT "currency" FROM "accounts" WHERE "kind" = 'system') a
 CROSS JOIN (VALUES ('refunds'), ('disputes')) AS c(code)
ON CONFLICT ("id") DO NOTHING;
