CREATE TABLE `channel_checks` (
	`id` int AUTO_INCREMENT NOT NULL,
	`channel_id` int NOT NULL,
	`at` bigint NOT NULL,
	`ok` boolean NOT NULL,
	`latency_ms` int NOT NULL,
	`status` int NOT NULL,
	`model` text NOT NULL,
	`key_id` text NOT NULL,
	`error` text,
	CONSTRAINT `channel_checks_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
ALTER TABLE `channels` ADD `health_check` text;--> statement-breakpoint
ALTER TABLE `channels` ADD `health_state` text;--> statement-breakpoint
ALTER TABLE `channel_checks` ADD CONSTRAINT `channel_checks_channel_id_channels_id_fk` FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `channel_checks_channel_idx` ON `channel_checks` (`channel_id`,`id`);