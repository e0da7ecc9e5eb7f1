CREATE TABLE "billing_details" (
	"account_id" text PRIMARY KEY NOT NULL,
	"legal_name" text NOT NULL,
	"address_line1" text NOT NULL,
	"address_line2" text,
	"postal_code" text NOT NULL,
	"city" text NOT NULL,
	"country" text NOT NULL,
	"vat_id" text,
	"billing_email" text,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "document_counters" (
	"issuer_key" text NOT NULL,
	"series" text NOT NULL,
	"last_number" integer NOT NULL,
	CONSTRAINT "document_counters_issuer_key_series_pk" PRIMARY KEY("issuer_key","series")
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"type" text NOT NULL,
	"issuer_key" text NOT NULL,
	"number" text NOT NULL,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"net_amount" bigint NOT NULL,
	"tax_amount" bigint NOT NULL,
	"tax_rate_bp" integer NOT NULL,
	"locale" text NOT NULL,
	"topup_id" text,
	"reversal_id" text,
	"corrects_document_id" text,
	"period" text,
	"snapshot" jsonb NOT NULL,
	CONSTRAINT "documents_gross_is_net_plus_tax" CHECK ("documents"."amount" = "documents"."net_amount" + "documents"."tax_amount"),
	CONSTRAINT "documents_tax_rate_range" CHECK ("documents"."tax_rate_bp" >= 0 AND "documents"."tax_rate_bp" <= 10000),
	CONSTRAINT "documents_period_format" CHECK (("documents"."type" = 'statement') = ("documents"."period" IS NOT NULL AND "documents"."period" ~ '^\d{4}-(0[1-9]|1[0-2])$'))
);
--> statement-breakpoint
ALTER TABLE "billing_details" ADD CONSTRAINT "billing_details_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_details" ADD CONSTRAINT "billing_details_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_topup_id_topups_id_fk" FOREIGN KEY ("topup_id") REFERENCES "public"."topups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_reversal_id_payment_reversals_id_fk" FOREIGN KEY ("reversal_id") REFERENCES "public"."payment_reversals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "documents_issuer_number_idx" ON "documents" USING btree ("issuer_key","number");--> statement-breakpoint
CREATE UNIQUE INDEX "documents_receipt_topup_idx" ON "documents" USING btree ("topup_id") WHERE "documents"."type" = 'receipt';--> statement-breakpoint
CREATE UNIQUE INDEX "documents_reversal_idx" ON "documents" USING btree ("reversal_id");--> statement-breakpoint
CREATE UNIQUE INDEX "documents_statement_period_idx" ON "documents" USING btree ("account_id","period") WHERE "documents"."type" = 'statement';--> statement-breakpoint
CREATE INDEX "documents_account_idx" ON "documents" USING btree ("account_id","issued_at","id");--> statement-breakpoint
-- Issued documents are append-only like the ledger: a correction is a new document
-- (a credit note), never an edit. Enforced for every role.
CREATE OR REPLACE FUNCTION documents_reject_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'documents is append-only (% rejected)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER documents_no_update_delete
  BEFORE UPDATE OR DELETE ON documents
  FOR EACH ROW EXECUTE FUNCTION documents_reject_change();
--> statement-breakpoint
CREATE TRIGGER documents_no_truncate
  BEFORE TRUNCATE ON documents
  FOR EACH STATEMENT EXECUTE FUNCTION documents_reject_change();
