ALTER TABLE `stats_hourly` ADD `attempts` integer;--> statement-breakpoint
ALTER TABLE `stats_hourly` ADD `failed_attempts` integer;--> statement-breakpoint
ALTER TABLE `stats_hourly` ADD `client_errors` integer;--> statement-breakpoint
ALTER TABLE `stats_hourly` ADD `upstream_errors` integer;--> statement-breakpoint
ALTER TABLE `stats_hourly` ADD `rescues` integer;