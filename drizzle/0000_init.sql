CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`secret_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	`last_used_at` integer
);
--> statement-breakpoint
CREATE TABLE `assignments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`todo_id` integer NOT NULL,
	`staking_key` text NOT NULL,
	`github_username` text,
	`lease_token` text NOT NULL,
	`claimed_at` integer NOT NULL,
	`lease_expires_at` integer NOT NULL,
	`ended_at` integer,
	`outcome` text DEFAULT 'active' NOT NULL,
	`round` integer,
	`pr_url` text,
	`result` text,
	`error` text,
	FOREIGN KEY (`todo_id`) REFERENCES `todos`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `assignments_todo_idx` ON `assignments` (`todo_id`);--> statement-breakpoint
CREATE TABLE `blocks` (
	`cid` text PRIMARY KEY NOT NULL,
	`data` blob NOT NULL,
	`size` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`type` text NOT NULL,
	`todo_id` integer,
	`data` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `nonces` (
	`staking_key` text NOT NULL,
	`nonce` text NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`staking_key`, `nonce`)
);
--> statement-breakpoint
CREATE INDEX `nonces_expiry_idx` ON `nonces` (`expires_at`);--> statement-breakpoint
CREATE TABLE `todos` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`task_id` text NOT NULL,
	`status` text DEFAULT 'initialized' NOT NULL,
	`spec` text NOT NULL,
	`repo_owner` text,
	`repo_name` text,
	`bounty_id` text,
	`reward` integer NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`available_at` integer NOT NULL,
	`announced` integer DEFAULT 0 NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`max_attempts` integer NOT NULL,
	`dedupe_key` text,
	`lease_token` text,
	`lease_expires_at` integer,
	`holder_key` text,
	`result` text,
	`pr_url` text,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `todos_claim_idx` ON `todos` ("priority" DESC,`available_at`,`id`) WHERE status = 'initialized';--> statement-breakpoint
CREATE INDEX `todos_lease_idx` ON `todos` (`lease_expires_at`) WHERE status = 'in_progress';--> statement-breakpoint
CREATE INDEX `todos_unannounced_idx` ON `todos` (`available_at`) WHERE status = 'initialized' AND announced = 0;--> statement-breakpoint
CREATE UNIQUE INDEX `todos_dedupe_idx` ON `todos` (`dedupe_key`);--> statement-breakpoint
CREATE TABLE `workers` (
	`staking_key` text PRIMARY KEY NOT NULL,
	`main_wallet_key` text,
	`github_username` text,
	`stake` integer DEFAULT 0 NOT NULL,
	`registered_at` integer NOT NULL,
	`last_seen_at` integer
);
--> statement-breakpoint
CREATE INDEX `workers_github_idx` ON `workers` (`github_username`);