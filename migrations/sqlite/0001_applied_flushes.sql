CREATE TABLE `applied_flushes` (
	`id` text PRIMARY KEY NOT NULL,
	`applied_at` integer NOT NULL
);
