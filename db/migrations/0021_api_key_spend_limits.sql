ALTER TABLE "api_keys" ADD COLUMN "spend_limit_daily" bigint;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "spend_limit_monthly" bigint;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "spent_day" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "spent_day_start" date;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "spent_month" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "spent_month_start" date;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_spend_limits_nonnegative" CHECK ("api_keys"."spend_limit_daily" >= 0 AND "api_keys"."spend_limit_monthly" >= 0);