CREATE TABLE `admin` (
	`id` int NOT NULL,
	`password_hash` text,
	`updated_at` bigint NOT NULL,
	CONSTRAINT `admin_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `admin_sessions` (
	`token_hash` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`created_at` bigint NOT NULL,
	`expires_at` bigint NOT NULL,
	CONSTRAINT `admin_sessions_token_hash` PRIMARY KEY(`token_hash`)
);
--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` int AUTO_INCREMENT NOT NULL,
	`name` text NOT NULL,
	`key_hash` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`key_prefix` varchar(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`expires_at` bigint,
	`allowed_groups` text,
	`budget_nano_usd` bigint,
	`rpm_limit` int,
	`tpm_limit` bigint,
	`enabled` boolean NOT NULL DEFAULT true,
	`created_at` bigint NOT NULL,
	`last_used_at` bigint,
	CONSTRAINT `api_keys_id` PRIMARY KEY(`id`),
	CONSTRAINT `api_keys_hash_uq` UNIQUE(`key_hash`)
);
--> statement-breakpoint
CREATE TABLE `applied_flushes` (
	`id` varchar(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`applied_at` bigint NOT NULL,
	CONSTRAINT `applied_flushes_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `auth_throttle` (
	`key` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`failures` int NOT NULL DEFAULT 0,
	`window_start` bigint NOT NULL,
	`locked_until` bigint NOT NULL DEFAULT 0,
	CONSTRAINT `auth_throttle_key` PRIMARY KEY(`key`)
);
--> statement-breakpoint
CREATE TABLE `channels` (
	`id` int AUTO_INCREMENT NOT NULL,
	`name` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`type` varchar(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`base_url` text NOT NULL,
	`keys` mediumtext NOT NULL,
	`models` mediumtext NOT NULL,
	`headers` text NOT NULL,
	`model_filter` text,
	`enabled` boolean NOT NULL DEFAULT true,
	`created_at` bigint NOT NULL,
	`updated_at` bigint NOT NULL,
	CONSTRAINT `channels_id` PRIMARY KEY(`id`),
	CONSTRAINT `channels_name_uq` UNIQUE(`name`)
);
--> statement-breakpoint
CREATE TABLE `group_members` (
	`id` int AUTO_INCREMENT NOT NULL,
	`group_id` int NOT NULL,
	`channel_id` int NOT NULL,
	`upstream_model` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`priority` int NOT NULL DEFAULT 0,
	`weight` int NOT NULL DEFAULT 1,
	`enabled` boolean NOT NULL DEFAULT true,
	CONSTRAINT `group_members_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `groups` (
	`id` int AUTO_INCREMENT NOT NULL,
	`name` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`mode` varchar(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT 'round-robin',
	`settings` text NOT NULL,
	`enabled` boolean NOT NULL DEFAULT true,
	`created_at` bigint NOT NULL,
	`updated_at` bigint NOT NULL,
	CONSTRAINT `groups_id` PRIMARY KEY(`id`),
	CONSTRAINT `groups_name_uq` UNIQUE(`name`)
);
--> statement-breakpoint
CREATE TABLE `prices` (
	`model` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`source` varchar(16) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`input` bigint NOT NULL DEFAULT 0,
	`output` bigint NOT NULL DEFAULT 0,
	`cache_read` bigint NOT NULL DEFAULT 0,
	`cache_write` bigint NOT NULL DEFAULT 0,
	`updated_at` bigint NOT NULL,
	CONSTRAINT `prices_pk` PRIMARY KEY(`model`,`source`)
);
--> statement-breakpoint
CREATE TABLE `request_logs` (
	`id` varchar(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`time` bigint NOT NULL,
	`api_key_id` int,
	`group_name` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
	`channel_id` int,
	`upstream_model` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
	`protocol_in` varchar(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`protocol_out` varchar(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
	`stream` boolean NOT NULL DEFAULT false,
	`status` int NOT NULL,
	`attempts` mediumtext NOT NULL,
	`input_tokens` bigint NOT NULL DEFAULT 0,
	`cache_read_tokens` bigint NOT NULL DEFAULT 0,
	`cache_write_tokens` bigint NOT NULL DEFAULT 0,
	`output_tokens` bigint NOT NULL DEFAULT 0,
	`reasoning_tokens` bigint NOT NULL DEFAULT 0,
	`cost_nano_usd` bigint NOT NULL DEFAULT 0,
	`latency_ms` bigint NOT NULL DEFAULT 0,
	`ttft_ms` bigint,
	`error` mediumtext,
	`request_body` mediumtext,
	`response_body` mediumtext,
	CONSTRAINT `request_logs_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `settings` (
	`key` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`value` mediumtext NOT NULL,
	`updated_at` bigint NOT NULL,
	CONSTRAINT `settings_key` PRIMARY KEY(`key`)
);
--> statement-breakpoint
CREATE TABLE `stats_hourly` (
	`hour` bigint NOT NULL,
	`group_name` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`channel_id` int NOT NULL,
	`upstream_model` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`api_key_id` int NOT NULL,
	`requests` bigint NOT NULL DEFAULT 0,
	`successes` bigint NOT NULL DEFAULT 0,
	`failures` bigint NOT NULL DEFAULT 0,
	`input_tokens` bigint NOT NULL DEFAULT 0,
	`cache_read_tokens` bigint NOT NULL DEFAULT 0,
	`cache_write_tokens` bigint NOT NULL DEFAULT 0,
	`output_tokens` bigint NOT NULL DEFAULT 0,
	`reasoning_tokens` bigint NOT NULL DEFAULT 0,
	`cost_nano_usd` bigint NOT NULL DEFAULT 0,
	`latency_ms_total` bigint NOT NULL DEFAULT 0,
	`ttft_ms_total` bigint NOT NULL DEFAULT 0,
	CONSTRAINT `stats_hourly_pk` PRIMARY KEY(`hour`,`group_name`,`channel_id`,`upstream_model`,`api_key_id`)
);
--> statement-breakpoint
CREATE TABLE `sync_state` (
	`key` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`last_run_at` bigint NOT NULL,
	`ok` boolean NOT NULL,
	`detail` mediumtext NOT NULL,
	CONSTRAINT `sync_state_key` PRIMARY KEY(`key`)
);
--> statement-breakpoint
ALTER TABLE `group_members` ADD CONSTRAINT `group_members_group_id_groups_id_fk` FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `group_members` ADD CONSTRAINT `group_members_channel_id_channels_id_fk` FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `group_members_group_idx` ON `group_members` (`group_id`);--> statement-breakpoint
CREATE INDEX `group_members_channel_idx` ON `group_members` (`channel_id`);--> statement-breakpoint
CREATE INDEX `request_logs_time_idx` ON `request_logs` (`time`);