ALTER TABLE "topups" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "lease_id" text;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "locked_until" timestamp with time zone DEFAULT 'infinity' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "topups_idempotency_key_idx" ON "topups" USING btree ("account_id","idempotency_key");