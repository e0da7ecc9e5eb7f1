-- Operator search (trigram indexes below); pg_trgm is a trusted extension (PostgreSQL >= 13), so the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE TABLE "ledger_daily_totals" (
	"day" date NOT NULL,
	"currency" text NOT NULL,
	"shard" smallint NOT NULL,
	"topup" bigint DEFAULT 0 NOT NULL,
	"usage" bigint DEFAULT 0 NOT NULL,
	"capture" bigint DEFAULT 0 NOT NULL,
	"promotion" bigint DEFAULT 0 NOT NULL,
	"adjustment" bigint DEFAULT 0 NOT NULL,
	"refund" bigint DEFAULT 0 NOT NULL,
	"dispute" bigint DEFAULT 0 NOT NULL,
	"entries" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "ledger_daily_totals_currency_day_shard_pk" PRIMARY KEY("currency","day","shard")
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "ip" text;--> statement-breakpoint
CREATE INDEX "users_email_trgm_idx" ON "users" USING gin ("email" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "accounts_name_trgm_idx" ON "accounts" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "accounts_id_prefix_idx" ON "accounts" USING btree ("id" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "accounts_customer_created_idx" ON "accounts" USING btree ("created_at","id") WHERE "accounts"."kind" = 'customer';--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at","id");--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor","at");--> statement-breakpoint
CREATE INDEX "audit_log_action_idx" ON "audit_log" USING btree ("action","at");--> statement-breakpoint
-- Daily rollups kept with the ledger (db/schema/ledger-daily-totals.ts): one upsert per
-- inserted entry, in the posting's transaction. Shard = hashtext(account_id) & 31.
CREATE OR REPLACE FUNCTION ledger_daily_totals_add() RETURNS trigger AS $$
BEGIN
  INSERT INTO ledger_daily_totals AS t
    (day, currency, shard, topup, usage, capture, promotion, adjustment, refund, dispute, entries)
  VALUES ((NEW.created_at AT TIME ZONE 'UTC')::date, NEW.currency, (hashtext(NEW.account_id) & 31)::smallint,
    CASE WHEN NEW.type = 'topup' THEN NEW.amount ELSE 0 END,
    CASE WHEN NEW.type = 'usage' THEN NEW.amount ELSE 0 END,
    CASE WHEN NEW.type = 'capture' THEN NEW.amount ELSE 0 END,
    CASE WHEN NEW.type = 'promotion' THEN NEW.amount ELSE 0 END,
    CASE WHEN NEW.type = 'adjustment' THEN NEW.amount ELSE 0 END,
    CASE WHEN NEW.type = 'refund' THEN NEW.amount ELSE 0 END,
    CASE WHEN NEW.type = 'dispute' THEN NEW.amount ELSE 0 END,
    1)
  ON CONFLICT (currency, day, shard) DO UPDATE SET
    topup = t.topup + EXCLUDED.topup, usage = t.usage + EXCLUDED.usage, capture = t.capture + EXCLUDED.capture,
    promotion = t.promotion + EXCLUDED.promotion, adjustment = t.adjustment + EXCLUDED.adjustment,
    refund = t.refund + EXCLUDED.refund, dispute = t.dispute + EXCLUDED.dispute, entries = t.entries + 1;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_daily_totals AFTER INSERT ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_daily_totals_add();
--> statement-breakpoint
-- Adds the entries of ledger_entries to the (empty) rollups in one pass: the backfill below, and
-- bench:operator after its bulk load (which runs with triggers off).
CREATE OR REPLACE FUNCTION ledger_daily_totals_backfill() RETURNS void AS $$
  INSERT INTO ledger_daily_totals (day, currency, shard, topup, usage, capture, promotion, adjustment, refund, dispute, entries)
  SELECT (created_at AT TIME ZONE 'UTC')::date, currency, (hashtext(account_id) & 31)::smallint,
         coalesce(sum(amount) FILTER (WHERE type = 'topup'), 0), coalesce(sum(amount) FILTER (WHERE type = 'usage'), 0),
         coalesce(sum(amount) FILTER (WHERE type = 'capture'), 0), coalesce(sum(amount) FILTER (WHERE type = 'promotion'), 0),
         coalesce(sum(amount) FILTER (WHERE type = 'adjustment'), 0), coalesce(sum(amount) FILTER (WHERE type = 'refund'), 0),
         coalesce(sum(amount) FILTER (WHERE type = 'dispute'), 0), count(*)
    FROM ledger_entries GROUP BY 1, 2, 3;
$$ LANGUAGE sql;
--> statement-breakpoint
SELECT ledger_daily_totals_backfill();
