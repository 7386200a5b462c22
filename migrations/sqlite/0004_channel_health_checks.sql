CREATE TABLE `channel_checks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`channel_id` integer NOT NULL,
	`at` integer NOT NULL,
	`ok` integer NOT NULL,
	`latency_ms` integer NOT NULL,
	`status` integer NOT NULL,
	`model` text NOT NULL,
	`key_id` text NOT NULL,
	`error` text,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `channel_checks_channel_idx` ON `channel_checks` (`channel_id`,`id`);--> statement-breakpoint
ALTER TABLE `channels` ADD `health_check` text;--> statement-breakpoint
ALTER TABLE `channels` ADD `health_state` text;