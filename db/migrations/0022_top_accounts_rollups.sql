CREATE TABLE "account_daily_totals" (
	"day" date NOT NULL,
	"account_id" text NOT NULL,
	"currency" text NOT NULL,
	"topup" bigint DEFAULT 0 NOT NULL,
	"topup_entries" bigint DEFAULT 0 NOT NULL,
	"usage" bigint DEFAULT 0 NOT NULL,
	"usage_entries" bigint DEFAULT 0 NOT NULL,
	"capture" bigint DEFAULT 0 NOT NULL,
	"capture_entries" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "account_daily_totals_day_account_id_currency_pk" PRIMARY KEY("day","account_id","currency")
);
--> statement-breakpoint
CREATE TABLE "account_monthly_totals" (
	"month" date NOT NULL,
	"account_id" text NOT NULL,
	"currency" text NOT NULL,
	"topup" bigint DEFAULT 0 NOT NULL,
	"topup_entries" bigint DEFAULT 0 NOT NULL,
	"usage" bigint DEFAULT 0 NOT NULL,
	"usage_entries" bigint DEFAULT 0 NOT NULL,
	"capture" bigint DEFAULT 0 NOT NULL,
	"capture_entries" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "account_monthly_totals_month_account_id_currency_pk" PRIMARY KEY("month","account_id","currency")
);
--> statement-breakpoint
CREATE TABLE "account_yearly_totals" (
	"year" date NOT NULL,
	"account_id" text NOT NULL,
	"currency" text NOT NULL,
	"topup" bigint DEFAULT 0 NOT NULL,
	"topup_entries" bigint DEFAULT 0 NOT NULL,
	"usage" bigint DEFAULT 0 NOT NULL,
	"usage_entries" bigint DEFAULT 0 NOT NULL,
	"capture" bigint DEFAULT 0 NOT NULL,
	"capture_entries" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "account_yearly_totals_year_account_id_currency_pk" PRIMARY KEY("year","account_id","currency")
);
--> statement-breakpoint
-- One statement-level trigger keeps every per-posting rollup but usage_rollups (0014): the
-- daily totals (0015, until now one plpgsql call per entry) and the per-account day, month and
-- year totals above (read by top-accounts), one upsert per table for the whole INSERT statement
-- (a batch of 1 000 usage events pays one trigger call, not 1 000). Each upsert feeds its rows
-- sorted by the conflict key, so every transaction takes the ledger_daily_totals shard rows'
-- locks in the same order (two multi-account batches cannot deadlock on them). The per-account
-- rows belong to accounts whose row lock the posting holds (db/ledger/README.md rules 4 and 15):
-- one writer at a time.
-- Dropping the old trigger takes ledger_entries' ACCESS EXCLUSIVE lock until this migration
-- commits: no entry is posted between the backfill below and the new trigger.
DROP TRIGGER ledger_entries_daily_totals ON ledger_entries;
--> statement-breakpoint
DROP FUNCTION ledger_daily_totals_add();
--> statement-breakpoint
CREATE FUNCTION ledger_rollups_add() RETURNS trigger AS $$
BEGIN
  INSERT INTO ledger_daily_totals AS t (currency, day, shard, topup, usage, capture, promotion, adjustment, refund, dispute, entries)
  SELECT currency, (created_at AT TIME ZONE 'UTC')::date, (hashtext(account_id) & 31)::smallint,
         coalesce(sum(amount) FILTER (WHERE type = 'topup'), 0), coalesce(sum(amount) FILTER (WHERE type = 'usage'), 0),
         coalesce(sum(amount) FILTER (WHERE type = 'capture'), 0), coalesce(sum(amount) FILTER (WHERE type = 'promotion'), 0),
         coalesce(sum(amount) FILTER (WHERE type = 'adjustment'), 0), coalesce(sum(amount) FILTER (WHERE type = 'refund'), 0),
         coalesce(sum(amount) FILTER (WHERE type = 'dispute'), 0), count(*)
    FROM new_entries
   GROUP BY 1, 2, 3
   ORDER BY 1, 2, 3
  ON CONFLICT (currency, day, shard) DO UPDATE SET
    topup = t.topup + excluded.topup, usage = t.usage + excluded.usage, capture = t.capture + excluded.capture,
    promotion = t.promotion + excluded.promotion, adjustment = t.adjustment + excluded.adjustment,
    refund = t.refund + excluded.refund, dispute = t.dispute + excluded.dispute, entries = t.entries + excluded.entries;

  -- the per-account day, month and year rows in one statement (cheaper than three for a single entry)
  WITH d AS (
    SELECT (created_at AT TIME ZONE 'UTC')::date AS day, account_id, currency,
           coalesce(sum(amount) FILTER (WHERE type = 'topup'), 0) AS topup, count(*) FILTER (WHERE type = 'topup') AS topup_entries,
           coalesce(sum(amount) FILTER (WHERE type = 'usage'), 0) AS usage, count(*) FILTER (WHERE type = 'usage') AS usage_entries,
           coalesce(sum(amount) FILTER (WHERE type = 'capture'), 0) AS capture, count(*) FILTER (WHERE type = 'capture') AS capture_entries
      FROM new_entries WHERE type IN ('topup', 'usage', 'capture')
     GROUP BY 1, 2, 3
  ), days AS (
    INSERT INTO account_daily_totals AS t (day, account_id, currency, topup, topup_entries, usage, usage_entries, capture, capture_entries)
    SELECT * FROM d ORDER BY 1, 2, 3
    ON CONFLICT (day, account_id, currency) DO UPDATE SET
      topup = t.topup + excluded.topup, topup_entries = t.topup_entries + excluded.topup_entries,
      usage = t.usage + excluded.usage, usage_entries = t.usage_entries + excluded.usage_entries,
      capture = t.capture + excluded.capture, capture_entries = t.capture_entries + excluded.capture_entries
  ), months AS (
    INSERT INTO account_monthly_totals AS t (month, account_id, currency, topup, topup_entries, usage, usage_entries, capture, capture_entries)
    SELECT date_trunc('month', day)::date, account_id, currency, sum(topup), sum(topup_entries), sum(usage), sum(usage_entries),
           sum(capture), sum(capture_entries)
      FROM d GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (month, account_id, currency) DO UPDATE SET
      topup = t.topup + excluded.topup, topup_entries = t.topup_entries + excluded.topup_entries,
      usage = t.usage + excluded.usage, usage_entries = t.usage_entries + excluded.usage_entries,
      capture = t.capture + excluded.capture, capture_entries = t.capture_entries + excluded.capture_entries
  )
  INSERT INTO account_yearly_totals AS t (year, account_id, currency, topup, topup_entries, usage, usage_entries, capture, capture_entries)
  SELECT date_trunc('year', day)::date, account_id, currency, sum(topup), sum(topup_entries), sum(usage), sum(usage_entries),
         sum(capture), sum(capture_entries)
    FROM d GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (year, account_id, currency) DO UPDATE SET
    topup = t.topup + excluded.topup, topup_entries = t.topup_entries + excluded.topup_entries,
    usage = t.usage + excluded.usage, usage_entries = t.usage_entries + excluded.usage_entries,
    capture = t.capture + excluded.capture, capture_entries = t.capture_entries + excluded.capture_entries;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_rollups AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_rollups_add();
--> statement-breakpoint
-- Fills the per-account totals from ledger_entries (tables empty): below, and through
-- ledger_rollups_backfill() after a bulk load with triggers off. Days in time order (as the
-- trigger writes them, so a period's rows sit together); months from days, years from months.
CREATE FUNCTION account_totals_backfill() RETURNS void AS $$
  INSERT INTO account_daily_totals (day, account_id, currency, topup, topup_entries, usage, usage_entries, capture, capture_entries)
  SELECT (created_at AT TIME ZONE 'UTC')::date, account_id, currency,
         coalesce(sum(amount) FILTER (WHERE type = 'topup'), 0), count(*) FILTER (WHERE type = 'topup'),
         coalesce(sum(amount) FILTER (WHERE type = 'usage'), 0), count(*) FILTER (WHERE type = 'usage'),
         coalesce(sum(amount) FILTER (WHERE type = 'capture'), 0), count(*) FILTER (WHERE type = 'capture')
    FROM ledger_entries WHERE type IN ('topup', 'usage', 'capture')
   GROUP BY 1, 2, 3
   ORDER BY 1, 2, 3;
  INSERT INTO account_monthly_totals (month, account_id, currency, topup, topup_entries, usage, usage_entries, capture, capture_entries)
  SELECT date_trunc('month', day)::date, account_id, currency, sum(topup), sum(topup_entries), sum(usage), sum(usage_entries),
         sum(capture), sum(capture_entries)
    FROM account_daily_totals
   GROUP BY 1, 2, 3
   ORDER BY 1, 2, 3;
  INSERT INTO account_yearly_totals (year, account_id, currency, topup, topup_entries, usage, usage_entries, capture, capture_entries)
  SELECT date_trunc('year', month)::date, account_id, currency, sum(topup), sum(topup_entries), sum(usage), sum(usage_entries),
         sum(capture), sum(capture_entries)
    FROM account_monthly_totals
   GROUP BY 1, 2, 3
   ORDER BY 1, 2, 3;
$$ LANGUAGE sql;
--> statement-breakpoint
-- Every rollup the trigger keeps, from ledger_entries in one pass each (all of them empty):
-- bench:operator after its bulk load (which runs with triggers off). Replaces
-- ledger_daily_totals_backfill() (0015).
DROP FUNCTION ledger_daily_totals_backfill();
--> statement-breakpoint
CREATE FUNCTION ledger_rollups_backfill() RETURNS void AS $$
  INSERT INTO ledger_daily_totals (day, currency, shard, topup, usage, capture, promotion, adjustment, refund, dispute, entries)
  SELECT (created_at AT TIME ZONE 'UTC')::date, currency, (hashtext(account_id) & 31)::smallint,
         coalesce(sum(amount) FILTER (WHERE type = 'topup'), 0), coalesce(sum(amount) FILTER (WHERE type = 'usage'), 0),
         coalesce(sum(amount) FILTER (WHERE type = 'capture'), 0), coalesce(sum(amount) FILTER (WHERE type = 'promotion'), 0),
         coalesce(sum(amount) FILTER (WHERE type = 'adjustment'), 0), coalesce(sum(amount) FILTER (WHERE type = 'refund'), 0),
         coalesce(sum(amount) FILTER (WHERE type = 'dispute'), 0), count(*)
    FROM ledger_entries GROUP BY 1, 2, 3;
  SELECT account_totals_backfill();
$$ LANGUAGE sql;
--> statement-breakpoint
-- sum() of bigint returns numeric; top-accounts sums ~100 000 accounts' rollup rows, and the
-- numeric results cost a third of its time. This one stays bigint (int8pl: an overflow raises
-- "bigint out of range", never wraps) and combines across parallel workers.
CREATE AGGREGATE sum_bigint(bigint) (SFUNC = int8pl, STYPE = bigint, COMBINEFUNC = int8pl, PARALLEL = SAFE);
--> statement-breakpoint
-- The existing entries (ledger_daily_totals already holds them). A large ledger's aggregate
-- sorts millions of rows: more memory than the default for this migration's transaction.
SET LOCAL work_mem = '256MB';
--> statement-breakpoint
SELECT account_totals_backfill();
--> statement-breakpoint
ANALYZE account_daily_totals, account_monthly_totals, account_yearly_totals;
