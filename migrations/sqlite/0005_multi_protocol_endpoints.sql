ALTER TABLE `channels` ADD `endpoints` text;--> statement-breakpoint
ALTER TABLE `group_members` ADD `protocol` text;