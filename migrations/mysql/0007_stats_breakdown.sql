ALTER TABLE `stats_hourly` ADD `attempts` bigint;--> statement-breakpoint
ALTER TABLE `stats_hourly` ADD `failed_attempts` bigint;--> statement-breakpoint
ALTER TABLE `stats_hourly` ADD `client_errors` bigint;--> statement-breakpoint
ALTER TABLE `stats_hourly` ADD `upstream_errors` bigint;--> statement-breakpoint
ALTER TABLE `stats_hourly` ADD `rescues` bigint;