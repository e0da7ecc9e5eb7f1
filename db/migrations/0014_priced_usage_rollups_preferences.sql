CREATE TABLE "usage_rollups" (
	"account_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"meter" text,
	"currency" text NOT NULL,
	"quantity" numeric,
	"amount" bigint NOT NULL,
	"entries" integer NOT NULL,
	CONSTRAINT "usage_rollups_account_hour_meter_currency_key" UNIQUE NULLS NOT DISTINCT("account_id","hour","meter","currency"),
	CONSTRAINT "usage_rollups_whole_hour" CHECK ("usage_rollups"."hour" = date_trunc('hour', "usage_rollups"."hour", 'UTC'))
);
--> statement-breakpoint
CREATE TABLE "notification_preferences" (
	"user_id" text NOT NULL,
	"event_type" text NOT NULL,
	"channel" text NOT NULL,
	"enabled" boolean NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_preferences_user_id_event_type_channel_pk" PRIMARY KEY("user_id","event_type","channel")
);
--> statement-breakpoint
ALTER TABLE "usage_rollups" ADD CONSTRAINT "usage_rollups_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD CONSTRAINT "notification_preferences_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Rollups are kept by the database, per INSERT statement on ledger_entries (the transition
-- table holds that statement's rows): whatever code posts usage, one entry or a batch, its
-- hours are added in the same transaction. Usage is posted under the account's row lock,
-- so one account's rollup rows see one writer at a time.
CREATE FUNCTION usage_rollups_add() RETURNS trigger AS $$
BEGIN
  INSERT INTO usage_rollups AS r (account_id, hour, meter, currency, quantity, amount, entries)
  SELECT account_id, date_trunc('hour', created_at, 'UTC'), meter, currency, sum(quantity), -sum(amount), count(*)
    FROM new_entries WHERE type = 'usage'
   GROUP BY 1, 2, 3, 4
   ORDER BY 1, 2, 3, 4
  ON CONFLICT (account_id, hour, meter, currency) DO UPDATE
     SET quantity = r.quantity + excluded.quantity, amount = r.amount + excluded.amount, entries = r.entries + excluded.entries;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER usage_rollups_add AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION usage_rollups_add();
--> statement-breakpoint
INSERT INTO usage_rollups (account_id, hour, meter, currency, quantity, amount, entries)
SELECT account_id, date_trunc('hour', created_at, 'UTC'), meter, currency, sum(quantity), -sum(amount), count(*)
  FROM ledger_entries WHERE type = 'usage'
 GROUP BY 1, 2, 3, 4;
