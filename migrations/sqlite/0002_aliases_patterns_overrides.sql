ALTER TABLE `channels` ADD `overrides` text;--> statement-breakpoint
ALTER TABLE `group_members` ADD `overrides` text;--> statement-breakpoint
ALTER TABLE `groups` ADD `aliases` text;--> statement-breakpoint
ALTER TABLE `groups` ADD `patterns` text;