ALTER TABLE "stats_hourly" ADD COLUMN "attempts" bigint;--> statement-breakpoint
ALTER TABLE "stats_hourly" ADD COLUMN "failed_attempts" bigint;--> statement-breakpoint
ALTER TABLE "stats_hourly" ADD COLUMN "client_errors" bigint;--> statement-breakpoint
ALTER TABLE "stats_hourly" ADD COLUMN "upstream_errors" bigint;--> statement-breakpoint
ALTER TABLE "stats_hourly" ADD COLUMN "rescues" bigint;